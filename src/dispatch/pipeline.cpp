#include "dispatch/pipeline.hpp"
#include "dispatch/pipeline_inbox.hpp"

#include <algorithm>
#include <deque>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace herald::dispatch {
namespace {

using publishers::PublishOutcome;
using publishers::PublishResult;

constexpr int kQueueFactor = 2;
constexpr Milliseconds kMinBusyWait{50};

}  // namespace

Pipeline::Pipeline(storage::Store& store, const publishers::PublisherRegistry& publishers,
                   Metrics& metrics, StoreHealthMonitor& store_health, std::string claim_token,
                   PipelineSettings settings, DispatchObserver* observer)
    : store_(store),
      publishers_(publishers),
      metrics_(metrics),
      store_health_(store_health),
      claim_token_(std::move(claim_token)),
      settings_(settings),
      observer_(observer),
      inbox_(std::make_shared<Inbox>()),
      rng_(std::random_device{}()),
      admission_(settings.admission) {
    settings_.max_in_flight = std::max(1, settings_.max_in_flight);
    settler_ = std::thread([this] { SettlerMain(); });
}

Pipeline::~Pipeline() {
    {
        std::unique_lock lock(inbox_->mu);
        inbox_->closed = true;  // late callbacks drop their result from here on
        inbox_->cv.notify_all();
        inbox_->cv.wait(lock, [this] { return inbox_->callbacks_running == 0; });
    }
    settler_.join();
}

int Pipeline::Capacity() const { return settings_.max_in_flight * kQueueFactor; }

double Pipeline::Jitter() {
    std::lock_guard lock(rng_mu_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

void Pipeline::SetWakeCallback(std::function<void()> wake) {
    std::lock_guard lock(mu_);
    wake_ = std::move(wake);
}

Pipeline::Snapshot Pipeline::State() {
    std::lock_guard lock(mu_);
    return Snapshot{outstanding_, admission_.FullSites(), admission_.NextToken()};
}

void Pipeline::UpdateGaugesLocked() {
    metrics_.SetInFlight(running_);
    metrics_.SetQueueDepth(outstanding_ - running_);
}

// --- submitting and starting -------------------------------------------------------------

void Pipeline::Submit(std::vector<storage::ClaimedItem> items,
                      const std::shared_ptr<RunTracker>& tracker, const RunClock& now,
                      bool one_shot, const JobDone& done) {
    if (items.empty()) return;
    {
        std::lock_guard lock(tracker->mu);
        tracker->outstanding += static_cast<int>(items.size());
    }
    std::vector<JobPtr> launch, excess;
    {
        std::lock_guard lock(mu_);
        const SteadyTime claimed_at = std::chrono::steady_clock::now();
        std::set<domain::SiteId> touched;
        for (auto& item : items) {
            auto job = std::make_shared<Job>();
            job->item = std::move(item);
            job->tracker = tracker;
            job->now = now;
            job->one_shot = one_shot;
            job->done = done;
            job->claimed_at = claimed_at;
            touched.insert(job->item.site.id);
            admission_.Enqueue(std::move(job));
            ++outstanding_;
        }
        if (!stopping_) launch = admission_.Pump(touched, claimed_at);
        for (const JobPtr& job : launch) {
            ++running_;
            running_jobs_.insert(job.get());
        }
        excess = admission_.TrimQueues(touched);
        outstanding_ -= static_cast<int>(excess.size());
        UpdateGaugesLocked();
    }
    Launch(launch);
    if (!excess.empty()) Release(excess, now());
}

void Pipeline::PumpWaiting() {
    std::vector<JobPtr> launch;
    {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        launch = admission_.PumpAll(std::chrono::steady_clock::now());
        for (const JobPtr& job : launch) {
            ++running_;
            running_jobs_.insert(job.get());
        }
        UpdateGaugesLocked();
    }
    Launch(launch);
}

void Pipeline::Launch(const std::vector<JobPtr>& jobs) {
    for (const JobPtr& job : jobs) LaunchOne(job, /*may_block=*/true);
}

/// For a job that never made a call (lost claim, no adapter, adapter threw).
void Pipeline::Deliver(const JobPtr& job) {
    {
        std::lock_guard lock(inbox_->mu);
        if (inbox_->closed) return;
    }
    // Admission hears of the call's end before the settler can settle it: a failure holds
    // the site's queue until its settle releases it, never the other way round.
    CallFinished(*job);
    {
        std::lock_guard lock(inbox_->mu);
        if (inbox_->closed) return;
        inbox_->done.push_back(job);
    }
    inbox_->cv.notify_all();
}

/// The site's slot is free as soon as the remote call is over (recording it is the
/// settler's business), so the next item of the site starts without waiting for the
/// database. Runs on whatever thread finished the call; never blocks.
void Pipeline::CallFinished(Job& job) {
    std::vector<JobPtr> launch;
    {
        std::lock_guard lock(mu_);
        using End = SiteAdmission::CallEnd;
        End end = End::kNoCall;
        if (!job.lost) {
            switch (job.result.outcome) {
                case PublishOutcome::kPublished:
                    end = End::kSucceeded;
                    break;
                case PublishOutcome::kTransient:
                    end = End::kTransient;
                    break;
                case PublishOutcome::kSiteRefused:
                    end = End::kSiteRefused;
                    break;
                case PublishOutcome::kPermanent:
                    end = End::kItemError;
                    break;
            }
        }
        job.holds_site = admission_.CallFinished(job.item.site.id, end);
        if (!stopping_)
            launch = admission_.Pump({job.item.site.id}, std::chrono::steady_clock::now());
        for (const JobPtr& next : launch) {
            ++running_;
            running_jobs_.insert(next.get());
        }
        UpdateGaugesLocked();
    }
    for (const JobPtr& next : launch) LaunchOne(next, /*may_block=*/false);
}

/// Starts the call of `job`, which holds a slot of its site. `may_block` false (on a
/// publisher's callback thread): a job that needs its lease renewed first is handed to the
/// settler thread instead of touching the database here.
void Pipeline::LaunchOne(const JobPtr& job, bool may_block) {
    const storage::ClaimedItem& item = job->item;
    const std::string_view platform = domain::ToString(item.site.platform_type);
    const bool renew = std::chrono::steady_clock::now() - job->claimed_at > settings_.lease / 4;
    if (renew && !may_block) {
        job->launch_pending = true;
        {
            std::lock_guard lock(inbox_->mu);
            if (inbox_->closed) return;
            inbox_->done.push_back(job);
        }
        inbox_->cv.notify_all();
        return;
    }
    try {
        // A job that waited behind its site's cap renews its lease before the call, and
        // learns whether the claim is still ours.
        if (renew && !store_.RenewLease(item.content.id, claim_token_, settings_.lease)) {
            spdlog::warn("content {}: claim lost while queued; not publishing it", item.content.id);
            job->lost = true;
            Deliver(job);
            return;
        }
    } catch (const std::exception& e) {
        spdlog::warn("content {}: renewing the lease failed ({}); publishing anyway",
                     item.content.id, e.what());
    }
    job->started = job->now();
    job->started_steady = std::chrono::steady_clock::now();
    metrics_.CountAttempt(platform);
    if (const auto due = domain::DueTime(item.due_at))
        metrics_.ObserveLateness(job->started - *due);

    publishers::Publisher* publisher = publishers_.For(item.site.platform_type);
    if (!publisher) {
        job->result.outcome = PublishOutcome::kPermanent;
        job->result.error = fmt::format(
            "publishing to {} is not supported by this version of herald yet", platform);
        job->finished = job->started;
        Deliver(job);
        return;
    }
    // attempts counts this one: a second attempt (or a taken-over claim) may follow one
    // that reached the target without herald hearing the answer.
    job->request.emplace(publishers::PublishRequest{
        item.site, item.content, item.content.publication_id, item.content.attempts > 1});
    std::weak_ptr<Inbox> inbox = inbox_;
    auto done = [this, job, inbox, platform](PublishResult result) {
        auto box = inbox.lock();
        if (!box) return;
        {
            std::lock_guard lock(box->mu);
            if (box->closed) return;   // the pipeline is gone; the lease takes care of it
            ++box->callbacks_running;  // keeps the pipeline alive until we are done
            job->result = std::move(result);
            job->finished = job->now();
            metrics_.ObserveRequestDuration(
                platform, std::chrono::duration_cast<Milliseconds>(
                              std::chrono::steady_clock::now() - job->started_steady));
        }
        // Before the settler can see it (see Deliver).
        CallFinished(*job);
        {
            std::lock_guard lock(box->mu);
            box->done.push_back(job);
            --box->callbacks_running;
        }
        box->cv.notify_all();
    };
    try {
        publisher->PublishAsync(*job->request, std::move(done));
    } catch (const std::exception& e) {
        // Adapters must not throw; if one does, treat it like a flaky remote (bounded by the
        // retry window) rather than losing the item.
        spdlog::error("publisher for content {} threw: {}", item.content.id, e.what());
        job->result = PublishResult{};
        job->result.outcome = PublishOutcome::kTransient;
        job->result.error = fmt::format("internal error while publishing: {}", e.what());
        job->finished = job->now();
        Deliver(job);
    }
}

// --- waiting ---------------------------------------------------------------------------------

int Pipeline::WaitForCapacity() {
    std::unique_lock lock(mu_);
    while (outstanding_ >= Capacity()) {
        pool_changed_.wait_for(lock, kMinBusyWait);
        if (outstanding_ >= Capacity()) {
            lock.unlock();
            PumpWaiting();  // rate-limited queues move with time
            lock.lock();
        }
    }
    return Capacity() - outstanding_;
}

void Pipeline::WaitSettled(RunTracker& tracker) {
    std::unique_lock lock(tracker.mu);
    while (tracker.outstanding > 0) {
        tracker.settled.wait_for(lock, kMinBusyWait);
        if (tracker.outstanding == 0) break;
        lock.unlock();
        PumpWaiting();
        lock.lock();
    }
}

void Pipeline::WaitForChange(Milliseconds wait) {
    std::unique_lock lock(mu_);
    pool_changed_.wait_for(lock, wait);
}

// --- shutdown ------------------------------------------------------------------------------

void Pipeline::Stop(Milliseconds deadline, TimePoint now) {
    // Items claimed but not started go back to `scheduled` right away, for whoever runs
    // next; the running ones get until the deadline.
    std::vector<JobPtr> unstarted;
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        unstarted = admission_.TakeAllWaiting();
        outstanding_ -= static_cast<int>(unstarted.size());
        UpdateGaugesLocked();
    }
    if (!unstarted.empty()) Release(unstarted, now);
    pool_changed_.notify_all();

    std::vector<domain::ContentId> still_running;
    {
        std::unique_lock lock(mu_);
        if (!pool_changed_.wait_for(lock, deadline, [this] { return running_ == 0; })) {
            for (const Job* job : running_jobs_) still_running.push_back(job->item.content.id);
        }
    }
    if (still_running.empty()) return;
    // Their calls may still reach the target: back to `scheduled` with the attempt counted,
    // so the next try goes out under the same webhook-id and knows it may be a repeat.
    // Nothing is left `publishing` behind a lease.
    spdlog::warn(
        "dispatcher: {} publication(s) still in flight at the shutdown deadline; "
        "putting them back to be sent again (same webhook-id)",
        still_running.size());
    try {
        store_.AbandonClaims(still_running, claim_token_, now);
    } catch (const std::exception& e) {
        spdlog::error(
            "dispatcher: giving back {} claims failed ({}); their leases will "
            "expire instead",
            still_running.size(), e.what());
    }
}

}  // namespace herald::dispatch
