#pragma once
// The dispatcher: claims due items, publishes them through the platform adapters, and
// settles each attempt (published, failed, or set to retry) with one publishing record.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "common/time.hpp"
#include "domain/retry_policy.hpp"
#include "publishers/publisher.hpp"
#include "storage/store.hpp"

namespace herald::dispatch {

struct DispatchSettings {
    int max_in_flight = 64;           // publications in flight at once, all sites
    int max_in_flight_per_site = 8;   // so one slow site cannot take every worker
    Milliseconds lease = std::chrono::minutes{2};
    Milliseconds idle_wake = std::chrono::seconds{30};  // safety-net wake when nothing is due
    domain::RetryPolicy retry;
};

struct RunSummary {
    int published = 0;
    int failed = 0;
    int retry = 0;
};

/// What publish-now answers.
struct PublishNowResult {
    domain::Content content;
    domain::RecordId record_id = 0;
    bool success = false;
    std::string error;
    std::optional<int> http_status;
};

class Dispatcher {
public:
    Dispatcher(storage::Store& store, const publishers::PublisherRegistry& publishers,
               const TimeSource& clock, DispatchSettings settings);
    ~Dispatcher();

    /// One pass over everything due at `now` (also the abandoned leases); returns when each
    /// of those items is settled. For `herald tasks process-scheduled`.
    RunSummary RunDueOnce(TimePoint now);

    /// Publishes one item now, synchronously (API publish-now). nullopt: not found.
    std::optional<Result<PublishNowResult>> PublishNow(domain::AccountId account,
                                                       domain::ContentId id);

    /// Background loop for `herald serve`: sleeps until the next due time (or Wake()).
    void Start();
    /// Stops claiming, lets in-flight calls finish until `deadline`, releases the rest.
    void Stop(Milliseconds deadline = std::chrono::seconds{10});
    /// A schedule changed: re-read the next due time now. Cheap, thread-safe.
    void Wake();

    /// For /readyz: last time the loop ran.
    TimePoint LastHeartbeat() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace herald::dispatch
