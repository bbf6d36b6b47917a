#include "dispatch/store_health.hpp"

#include <spdlog/spdlog.h>

namespace herald::dispatch {

void StoreHealthMonitor::Failed(const std::exception& e) {
    std::lock_guard lock(mu_);
    if (!failing_since_) failing_since_ = clock_.Now();
    last_error_ = e.what();
}

void StoreHealthMonitor::Ok() {
    std::lock_guard lock(mu_);
    if (failing_since_)
        spdlog::info("dispatcher: the database answers again (after {} ms)",
                     (clock_.Now() - *failing_since_).count());
    failing_since_.reset();
}

StoreHealth StoreHealthMonitor::Get() const {
    std::lock_guard lock(mu_);
    StoreHealth h;
    h.ok = !failing_since_;
    h.failing_since = failing_since_;
    if (failing_since_) h.last_error = last_error_;
    h.unsettled = unsettled_.load();
    return h;
}

}  // namespace herald::dispatch
