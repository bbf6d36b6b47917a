#pragma once
// The one launch-and-settle path of the dispatcher, used by the claim loop, RunDueOnce and
// "publish now" alike: claimed items queue behind their site's admission (cap, token bucket,
// health), start through Publisher::PublishAsync so no thread waits on a remote call, and
// one settler thread records finished attempts in batches (domain::Settle decides, the
// store writes under the claim and folds the site's health).

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "dispatch/job.hpp"
#include "dispatch/metrics.hpp"
#include "dispatch/site_admission.hpp"
#include "dispatch/store_health.hpp"
#include "domain/settlement.hpp"
#include "publishers/publisher.hpp"
#include "storage/store.hpp"

namespace herald::dispatch {

/// Told of settled items and of sites whose health changed (event hooks, logs). Called on
/// the settler thread: must return quickly and never throw.
class DispatchObserver {
public:
    /// One settled item: `content` as settled (its last_error says why, when not published);
    /// `attempt` the number of the attempt that settled it.
    struct Settled {
        const domain::Content* content;
        const domain::Site* site;
        domain::Settled kind;
        int attempt;
    };

    virtual ~DispatchObserver() = default;
    /// The items of one settle batch, once their records are committed and before their
    /// runs hear of them; in one call so that what an observer looks up (whose account has
    /// event hooks) is read once per batch, not once per item.
    virtual void ContentSettled(std::span<const Settled> settled) = 0;
    virtual void SiteHealthChanged(const storage::SiteHealthUpdate& update) = 0;
};

struct PipelineSettings {
    int max_in_flight = 1024;  // publications in flight at once, all sites
    AdmissionLimits admission;
    Milliseconds lease = std::chrono::minutes{2};
    domain::SettlementRules rules;
    domain::HealthPolicy health;
};

class Pipeline {
public:
    Pipeline(storage::Store& store, const publishers::PublisherRegistry& publishers,
             Metrics& metrics, StoreHealthMonitor& store_health, std::string claim_token,
             PipelineSettings settings, DispatchObserver* observer);
    ~Pipeline();  // waits for running callbacks; calls still in flight are dropped

    /// Claimed-but-unstarted items may queue up to this many: enough that a site at its cap
    /// does not idle the others, few enough that queued leases do not run out.
    int Capacity() const;
    /// Queues claimed items. `one_shot` (publish now): one attempt, `done` hears it.
    void Submit(std::vector<storage::ClaimedItem> items, const std::shared_ptr<RunTracker>& tracker,
                const RunClock& now, bool one_shot = false, const JobDone& done = nullptr);
    /// Starts what time made possible (rate-limited queues move with time, not events).
    void PumpWaiting();

    /// Blocks until fewer than Capacity() items are outstanding; returns the free room.
    int WaitForCapacity();
    /// Blocks until every job of `tracker` is settled or given back.
    void WaitSettled(RunTracker& tracker);
    /// Waits up to `wait` for a job to settle or be given back.
    void WaitForChange(Milliseconds wait);

    struct Snapshot {
        int outstanding = 0;  // claimed and not settled (queued + running)
        std::vector<domain::SiteId> full_sites;
        std::optional<SteadyTime> next_token;
    };
    Snapshot State();

    /// Called (without locks held) whenever room frees up or the loop should look again.
    void SetWakeCallback(std::function<void()> wake);

    /// Shutdown: no more starts; unstarted jobs go back to `scheduled` now; waits up to
    /// `deadline` for running calls, then gives those back with the attempt counted.
    void Stop(Milliseconds deadline, TimePoint now);

private:
    struct Inbox;

    void SettlerMain();
    bool SettleBatch(const std::vector<JobPtr>& jobs);
    void Release(const std::vector<JobPtr>& jobs, TimePoint now);
    void Deliver(const JobPtr& job);
    void CallFinished(Job& job);
    void Launch(const std::vector<JobPtr>& jobs);
    void LaunchOne(const JobPtr& job, bool may_block);
    void Finish(const Job& job, const JobOutcome& outcome);
    void UpdateGaugesLocked();
    double Jitter();

    storage::Store& store_;
    const publishers::PublisherRegistry& publishers_;
    Metrics& metrics_;
    StoreHealthMonitor& store_health_;
    const std::string claim_token_;
    PipelineSettings settings_;
    DispatchObserver* observer_;
    std::shared_ptr<Inbox> inbox_;

    std::mutex rng_mu_;
    std::mt19937_64 rng_;

    std::mutex mu_;                         // guards everything below
    std::condition_variable pool_changed_;  // a job settled or was given back
    SiteAdmission admission_;
    std::set<const Job*> running_jobs_;
    int outstanding_ = 0;  // claimed and not settled (queued + running)
    int running_ = 0;      // started and not settled
    bool stopping_ = false;
    std::function<void()> wake_;

    std::thread settler_;  // last: started when everything above exists
};

}  // namespace herald::dispatch
