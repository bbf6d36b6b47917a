#include "dispatch/loop_wait.hpp"

#include <algorithm>

namespace herald::dispatch {

Milliseconds LoopWait(const LoopWaitInputs& in) {
    Milliseconds wait = in.idle_wake;
    if (in.next_work) {
        const Milliseconds until = *in.next_work;
        wait = std::min(wait, std::max(Milliseconds{0}, until + Milliseconds{1}));
        if (until.count() <= 0) wait = std::max(wait, kMinBusyWait);
    }
    if (in.pool_full) wait = in.idle_wake;
    if (in.next_token)
        wait = std::min(wait, std::max(Milliseconds{1}, *in.next_token + Milliseconds{1}));
    return wait;
}

}  // namespace herald::dispatch
