#pragma once
// The dispatcher: claims due items and hands them to the pipeline (dispatch/pipeline.hpp),
// which publishes them without a thread per call and settles each attempt with one
// publishing record. This class wires the claim loop, RunDueOnce, "publish now", recovery of
// dead processes' claims and shutdown around it.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "common/time.hpp"
#include "dispatch/job.hpp"
#include "dispatch/metrics.hpp"
#include "dispatch/store_health.hpp"
#include "domain/retry_policy.hpp"
#include "domain/site_health.hpp"
#include "publishers/publisher.hpp"
#include "storage/store.hpp"

namespace herald::dispatch {

class DispatchObserver;

struct DispatchSettings {
    // Calls are non-blocking (curl multi), so in-flight publications cost a socket and a
    // few KB each, not a thread.
    int max_in_flight = 1024;        // publications in flight at once, all sites
    int max_in_flight_per_site = 8;  // a site's options_json "max_in_flight" overrides
    /// Per-site token bucket, 0 = none; a site's options_json "rate_limit_per_minute"
    /// overrides (and "rate_limit_burst", default one second's worth, at least 1).
    int rate_limit_per_minute = 0;
    /// A claim not settled by then is abandoned and taken over (at the latest) by the next
    /// dispatcher pass. Claims of a dead herald process on this host are taken over at once.
    Milliseconds lease = std::chrono::minutes{2};
    Milliseconds idle_wake = std::chrono::seconds{30};  // safety-net wake when nothing is due
    /// On start, take over at once the claims of dead herald processes on this host.
    bool recover_local_claims = true;
    domain::RetryPolicy retry;
    /// Transient failures are retried until this long after the item's scheduled time; a
    /// site's options_json "retry_window_minutes" overrides.
    Milliseconds retry_window = std::chrono::hours{24};
    domain::HealthPolicy health;
    DispatchObserver* observer = nullptr;  // not owned; outlives the dispatcher
};

/// What publish-now answers.
struct PublishNowResult {
    domain::Content content;
    domain::RecordId record_id = 0;
    bool success = false;
    std::string error;
    std::optional<int> http_status;
};

/// nullopt: no such content in the account. An Error: refused (not approved, publishing
/// already, site inactive or paused) or the claim was lost.
using PublishNowOutcome = std::optional<Result<PublishNowResult>>;

class Dispatcher {
public:
    Dispatcher(storage::Store& store, const publishers::PublisherRegistry& publishers,
               const TimeSource& clock, DispatchSettings settings);
    ~Dispatcher();

    /// One pass over everything due at `now` (also the abandoned leases); returns when each
    /// of those items is settled. For `herald tasks process-scheduled`.
    RunSummary RunDueOnce(TimePoint now);

    /// Publishes one item now through the same pipeline as everything else (its site's cap
    /// holds; a slow target stalls no other): one attempt, whose outcome `done` hears, on
    /// any thread. Claim refusals are answered at once (also through `done`).
    void PublishNowAsync(domain::AccountId account, domain::ContentId id,
                         std::function<void(PublishNowOutcome)> done);
    /// The same, waiting for the answer (the CLI, tests).
    PublishNowOutcome PublishNow(domain::AccountId account, domain::ContentId id);

    /// Background loop for `herald serve`: sleeps until the next due time (or Wake()).
    void Start();
    /// Stops claiming, lets in-flight calls finish until `deadline`, releases the rest.
    void Stop(Milliseconds deadline = std::chrono::seconds{10});
    /// A schedule changed: re-read the next due time now. Cheap, thread-safe.
    void Wake();

    /// For /readyz: last time the loop ran.
    TimePoint LastHeartbeat() const;

    /// For /readyz: is the database answering the dispatcher, and what is not yet recorded.
    StoreHealth Health() const;

    /// For /metrics: counters, gauges and histograms this dispatcher keeps up to date.
    const herald::dispatch::Metrics& Metrics() const;

    /// The token this dispatcher claims under: host name, pid (with the process start time)
    /// and a random part, so a restart on the same host can tell its dead predecessor's claims.
    const std::string& ClaimToken() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace herald::dispatch
