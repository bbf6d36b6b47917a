#pragma once
// One claimed item on its way through the dispatcher's pipeline, and the tracker of the run
// (a RunDueOnce, the background loop, or one publish-now) it belongs to.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "common/time.hpp"
#include "domain/settlement.hpp"
#include "publishers/publisher.hpp"
#include "storage/store.hpp"

namespace herald::dispatch {

using SteadyTime = std::chrono::steady_clock::time_point;

/// The clock of one run: RunDueOnce(now) measures from `now` as real time passes, so a
/// `--now` replay writes coherent started/finished times and schedules retries after `now`.
using RunClock = std::function<TimePoint()>;

struct RunSummary {
    int published = 0;
    int failed = 0;
    int retry = 0;
};

/// How one job ended, for whoever waits on it (publish-now answers from it).
struct JobOutcome {
    /// nullopt: the claim was lost (taken over) before the attempt could be recorded.
    std::optional<domain::Settled> kind;
    domain::Content content;
    domain::RecordId record_id = 0;
    publishers::PublishResult result;
};
using JobDone = std::function<void(const JobOutcome&)>;

/// Shared by the jobs of one run.
struct RunTracker {
    std::mutex mu;
    std::condition_variable settled;
    int outstanding = 0;
    RunSummary summary;
};

/// Heap-allocated and never moved, so the PublishRequest's references into it stay valid
/// while the call is in flight.
struct Job {
    storage::ClaimedItem item;
    std::shared_ptr<RunTracker> tracker;
    RunClock now;
    bool one_shot = false;  // publish now: one attempt, the caller hears the outcome
    JobDone done;           // called once the attempt is recorded (or given back)
    SteadyTime claimed_at;
    SteadyTime started_steady;
    TimePoint started{};
    TimePoint finished{};
    std::optional<publishers::PublishRequest> request;
    publishers::PublishResult result;
    bool lost = false;            // the claim was gone before the call: nothing to settle
    bool launch_pending = false;  // for the settler: renew the lease, then launch
    bool holds_site = false;      // its failure holds the site's queue until settled
};
using JobPtr = std::shared_ptr<Job>;

}  // namespace herald::dispatch
