#pragma once
// How long the dispatcher's loop sleeps before it looks again (Wake() and freed capacity cut
// it short). Pure, so the rule is tested on its own.

#include <optional>

#include "common/time.hpp"

namespace herald::dispatch {

struct LoopWaitInputs {
    Milliseconds idle_wake{30'000};          // the safety net when nothing is due
    std::optional<Milliseconds> next_work;   // until the next due item, lease end or probe
    bool pool_full = false;                  // no room: capacity, not time, wakes the loop
    std::optional<Milliseconds> next_token;  // until a rate-limited queue's next token
};

/// Never busy-spins: work due already but not claimable (a lease of our own, a full site,
/// no room) waits at least kMinBusyWait; a due time is slept past by 1 ms (the clock is read
/// in whole milliseconds: wake just after, not before).
Milliseconds LoopWait(const LoopWaitInputs& in);

inline constexpr Milliseconds kMinBusyWait{50};

}  // namespace herald::dispatch
