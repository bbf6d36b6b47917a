// The settling half of the pipeline: finished calls are written back in batches, each
// through domain::Settle, and kept and written again while the store is away.
#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dispatch/pipeline.hpp"
#include "dispatch/pipeline_inbox.hpp"
#include "domain/delivery_options.hpp"

namespace herald::dispatch {
namespace {

using publishers::PublishOutcome;

// A store that fails (the database is away) is retried at 250 ms, doubling up to this.
constexpr Milliseconds kMaxErrorBackoff = std::chrono::seconds{5};
constexpr size_t kSettleBatch = 1024;

domain::AttemptResult ResultOf(PublishOutcome outcome) {
    switch (outcome) {
        case PublishOutcome::kPublished:
            return domain::AttemptResult::kPublished;
        case PublishOutcome::kTransient:
            return domain::AttemptResult::kTransient;
        case PublishOutcome::kSiteRefused:
            return domain::AttemptResult::kCredentialsRefused;
        case PublishOutcome::kPermanent:
            return domain::AttemptResult::kRejected;
    }
    return domain::AttemptResult::kRejected;
}

/// The site's options "retry_window_minutes", else the dispatcher's default.
Milliseconds RetryWindow(const domain::Site& site, Milliseconds fallback) {
    const auto minutes = domain::ReadDeliveryOptions(site.options_json).retry_window_minutes;
    return minutes ? Milliseconds{std::chrono::minutes{*minutes}} : fallback;
}

}  // namespace

// --- settling ------------------------------------------------------------------------------

/// Records finished attempts. A batch the store refuses (the database is away) is kept here
/// and written again, backing off up to kMaxErrorBackoff, until it is written: a publication
/// that happened is never forgotten, and its item stays `publishing` under this claim
/// meanwhile, so it is not published again by this process (the loop claims nothing while
/// settlements wait) nor by another before the lease ends.
void Pipeline::SettlerMain() {
    std::vector<JobPtr> unsettled;
    int failures = 0;
    for (;;) {
        std::vector<JobPtr> jobs;
        {
            std::unique_lock lock(inbox_->mu);
            const Milliseconds backoff =
                std::min(kMaxErrorBackoff, Milliseconds{250} * (1 << std::min(failures, 5)));
            if (unsettled.empty()) {
                inbox_->cv.wait(lock, [this] { return inbox_->closed || !inbox_->done.empty(); });
            } else {
                inbox_->cv.wait_for(lock, backoff, [this] { return inbox_->closed; });
            }
            if (inbox_->done.empty() && unsettled.empty()) return;  // closed and drained
            if (inbox_->closed && !unsettled.empty() && inbox_->done.empty() && failures > 0) {
                spdlog::error(
                    "dispatcher: going away with {} attempt(s) not recorded (the "
                    "database is unreachable); their items are taken over after "
                    "their lease and sent again under the same webhook-id",
                    unsettled.size());
                return;
            }
            while (!inbox_->done.empty() && jobs.size() < kSettleBatch) {
                jobs.push_back(std::move(inbox_->done.front()));
                inbox_->done.pop_front();
            }
        }
        std::vector<JobPtr> settle = std::move(unsettled);
        unsettled.clear();
        for (JobPtr& job : jobs) {
            if (job->launch_pending) {
                job->launch_pending = false;
                LaunchOne(job, /*may_block=*/true);
            } else {
                settle.push_back(std::move(job));
            }
        }
        if (settle.empty()) continue;
        if (SettleBatch(settle)) {
            failures = 0;
            store_health_.SetUnsettled(0);
        } else {
            ++failures;
            unsettled = std::move(settle);
            store_health_.SetUnsettled(unsettled.size());
        }
    }
}

/// false: nothing was written (the store failed); the caller keeps the jobs and retries.
bool Pipeline::SettleBatch(const std::vector<JobPtr>& jobs) {
    std::vector<std::optional<domain::Settlement>> settlements(jobs.size());
    std::vector<storage::FinishedAttempt> batch;
    std::vector<size_t> written;  // index into jobs of each batch entry
    for (size_t i = 0; i < jobs.size(); ++i) {
        const Job& job = *jobs[i];
        if (job.lost) continue;
        domain::AttemptReport report;
        report.result = ResultOf(job.result.outcome);
        report.http_status = job.result.http_status;
        report.error = job.result.error;
        report.external_id = job.result.external_id;
        report.external_url = job.result.external_url;
        report.retry_after = job.result.retry_after;
        report.started = job.started;
        report.finished = job.finished;
        domain::SettlementRules rules = settings_.rules;
        rules.one_shot = job.one_shot;
        rules.retry_window = RetryWindow(job.item.site, settings_.rules.retry_window);
        settlements[i] = domain::Settle(job.item.content, job.item.due_at, report, rules, Jitter());
        const domain::Settlement& s = *settlements[i];
        batch.push_back({s.content, s.record, s.signal, job.result.error, job.result.retry_after});
        written.push_back(i);
    }
    storage::FinishResult finished;
    try {
        finished = store_.FinishAttempts(batch, claim_token_, settings_.health);
        if (!batch.empty()) store_health_.Ok();
    } catch (const std::exception& e) {
        // Kept in memory and written again: the items stay `publishing` under our claim.
        store_health_.Failed(e);
        spdlog::error(
            "could not record {} attempt(s) ({}); keeping them to record when the "
            "database answers",
            batch.size(), e.what());
        return false;
    }
    std::vector<std::optional<domain::RecordId>> record_ids(jobs.size());
    for (size_t k = 0; k < written.size(); ++k) record_ids[written[k]] = finished.record_ids.at(k);

    // Free the capacity and update the gauges before any waiter hears that its items are
    // settled, so what it reads next (metrics, capacity) is current.
    std::vector<JobPtr> released, launch;
    std::function<void()> wake;
    {
        std::lock_guard lock(mu_);
        for (const JobPtr& job : jobs) {
            --running_;
            --outstanding_;
            running_jobs_.erase(job.get());
        }
        for (const storage::SiteHealthUpdate& update : finished.health) {
            for (JobPtr& job : admission_.SetHealth(update.site_id, update.change.state))
                released.push_back(std::move(job));
        }
        outstanding_ -= static_cast<int>(released.size());
        std::set<domain::SiteId> held;
        for (const JobPtr& job : jobs) {
            if (!job->holds_site) continue;
            admission_.FailureSettled(job->item.site.id);
            held.insert(job->item.site.id);
        }
        if (!stopping_ && !held.empty())
            launch = admission_.Pump(held, std::chrono::steady_clock::now());
        for (const JobPtr& job : launch) {
            ++running_;
            running_jobs_.insert(job.get());
        }
        UpdateGaugesLocked();
        wake = wake_;
    }
    Launch(launch);
    for (const storage::SiteHealthUpdate& update : finished.health) {
        const domain::SiteHealthState& h = update.change.state;
        spdlog::warn("site {} ({}): {} — {}", update.site_id, update.site_name,
                     domain::ToString(h.health),
                     h.reason.empty() ? "calls go out again" : h.reason);
        if (observer_) observer_->SiteHealthChanged(update);
    }
    if (!released.empty()) Release(released, jobs.front()->now());

    if (observer_) {
        std::vector<DispatchObserver::Settled> settled;
        settled.reserve(jobs.size());
        for (size_t i = 0; i < jobs.size(); ++i) {
            if (!settlements[i] || !record_ids[i]) continue;
            const domain::Settlement& s = *settlements[i];
            settled.push_back({&s.content, &jobs[i]->item.site, s.kind, s.record.attempt});
        }
        if (!settled.empty()) observer_->ContentSettled(settled);
    }
    for (size_t i = 0; i < jobs.size(); ++i) {
        const Job& job = *jobs[i];
        JobOutcome outcome;
        outcome.result = job.result;
        if (settlements[i] && record_ids[i]) {
            const domain::Settlement& s = *settlements[i];
            outcome.kind = s.kind;
            outcome.content = s.content;
            outcome.record_id = *record_ids[i];
            if (s.kind != domain::Settled::kPublished)
                spdlog::warn("content {} attempt {}: {} ({})", s.content.id, s.record.attempt,
                             domain::ToString(s.kind), job.result.error);
        } else if (!job.lost) {
            spdlog::warn(
                "content {}: claim lost before the attempt was recorded (another "
                "dispatcher took it over after the lease ran out)",
                job.item.content.id);
        }
        metrics_.CountOutcome(domain::ToString(job.item.site.platform_type),
                              outcome.kind ? domain::ToString(*outcome.kind) : "lost");
        Finish(job, outcome);
    }
    pool_changed_.notify_all();
    if (wake) wake();  // capacity freed: the loop may claim more
    return true;
}

/// Tells the job's run (and its caller, for publish-now) that it is over.
void Pipeline::Finish(const Job& job, const JobOutcome& outcome) {
    if (job.done) job.done(outcome);
    std::lock_guard lock(job.tracker->mu);
    if (outcome.kind) {
        switch (*outcome.kind) {
            case domain::Settled::kPublished:
                ++job.tracker->summary.published;
                break;
            case domain::Settled::kFailed:
                ++job.tracker->summary.failed;
                break;
            case domain::Settled::kRetry:
            case domain::Settled::kHeld:
                ++job.tracker->summary.retry;
                break;
        }
    }
    --job.tracker->outstanding;
    job.tracker->settled.notify_all();
}

/// Gives claimed, never-started items back (`scheduled`, attempt not counted).
void Pipeline::Release(const std::vector<JobPtr>& jobs, TimePoint now) {
    std::vector<domain::ContentId> ids;
    ids.reserve(jobs.size());
    for (const auto& job : jobs) ids.push_back(job->item.content.id);
    try {
        store_.ReleaseClaims(ids, claim_token_, now);
    } catch (const std::exception& e) {
        spdlog::error(
            "dispatcher: releasing {} claims failed ({}); their leases will expire "
            "instead",
            ids.size(), e.what());
    }
    for (const auto& job : jobs) Finish(*job, JobOutcome{});
    pool_changed_.notify_all();
}

}  // namespace herald::dispatch
