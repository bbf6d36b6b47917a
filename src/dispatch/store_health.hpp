#pragma once
// Whether the database answers the dispatcher (for /readyz), fed by the loop and the settler.

#include <atomic>
#include <mutex>
#include <optional>
#include <string>

#include "common/time.hpp"

namespace herald::dispatch {

/// For /readyz: whether the dispatcher's last store calls worked.
struct StoreHealth {
    bool ok = true;                          // the last claim/settle/next-wake call worked
    std::optional<TimePoint> failing_since;  // first failure of the current run of failures
    std::string last_error;                  // its message, while failing
    size_t unsettled = 0;                    // finished attempts waiting to be recorded
};

class StoreHealthMonitor {
public:
    explicit StoreHealthMonitor(const TimeSource& clock) : clock_(clock) {}
    void Failed(const std::exception& e);
    void Ok();
    void SetUnsettled(size_t n) { unsettled_.store(n); }
    size_t Unsettled() const { return unsettled_.load(); }
    StoreHealth Get() const;

private:
    const TimeSource& clock_;
    mutable std::mutex mu_;
    std::optional<TimePoint> failing_since_;
    std::string last_error_;
    std::atomic<size_t> unsettled_{0};
};

}  // namespace herald::dispatch
