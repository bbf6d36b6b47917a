// The slot scheduler run: every auto-publishing site's queue placed by the pure calculator,
// each site read and written in one store transaction that holds it.

#include "dispatch/slot_scheduler.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "domain/missed_slot.hpp"

namespace herald::dispatch {
namespace {

// Approvals tend to arrive in bursts (a batch approve in the UI); one run serves them all.
constexpr Milliseconds kWakeDebounce{100};
// Store::TryLead role of the periodic pass.
constexpr std::string_view kLeaderRole = "slot-scheduler";
// How often a process that does not lead checks whether it can (the leader died).
constexpr Milliseconds kFollowerRetry = std::chrono::seconds{5};
constexpr Milliseconds kMaxBackoff = std::chrono::seconds{5};

}  // namespace

std::vector<storage::SiteScheduleOutcome> ScheduleSites(storage::Store& store,
                                                        std::vector<domain::SiteId> sites,
                                                        TimePoint now, bool dry_run,
                                                        bool require_auto_publish) {
    storage::ScheduleRequest request;
    request.sites = std::move(sites);
    request.now = now;
    request.calendar_from = now - domain::kCalendarLookBack;
    request.dry_run = dry_run;
    request.require_auto_publish = require_auto_publish;
    // Why the rest stays unscheduled, from what the calculator placed (per site: the store
    // plans each site under its own lock, one after another).
    std::map<domain::SiteId, std::vector<domain::UnscheduledItem>> unscheduled;
    auto outcomes = store.ScheduleSites(request, [&](const storage::SiteSchedulingInput& in) {
        auto planned =
            domain::AssignSlots(in.settings, in.site.timezone, in.calendar, in.queue, now);
        if (planned.ok()) {
            unscheduled[in.site.id] =
                domain::ExplainUnscheduled({in.site.is_active, require_auto_publish}, in.settings,
                                           in.queue, *planned, in.held);
        }
        return planned;
    });
    for (auto& outcome : outcomes) {
        if (auto it = unscheduled.find(outcome.site_id); it != unscheduled.end())
            outcome.unscheduled = std::move(it->second);
    }
    return outcomes;
}

storage::SiteScheduleOutcome ScheduleOne(storage::Store& store, domain::SiteId site,
                                         domain::ContentId content, TimePoint now, bool by_person,
                                         bool& in_queue) {
    in_queue = false;
    storage::ScheduleRequest request;
    request.sites = {site};
    if (by_person && domain::EndsHold(domain::PersonAction::kSchedule)) {
        request.release_hold = content;
    }
    request.now = now;
    request.calendar_from = now - domain::kCalendarLookBack;
    request.require_auto_publish = false;
    auto outcomes = store.ScheduleSites(request, [&](const storage::SiteSchedulingInput& in) {
        in_queue = std::find(in.queue.begin(), in.queue.end(), content) != in.queue.end();
        using Planned = Result<std::vector<domain::SlotAssignment>>;
        if (!in_queue) return Planned(std::vector<domain::SlotAssignment>{});
        const domain::ContentId one[] = {content};
        return Planned(domain::AssignSlots(in.settings, in.site.timezone, in.calendar, one, now));
    });
    return outcomes.at(0);
}

struct SlotScheduler::Impl {
    Impl(storage::Store& store, const TimeSource& clock) : store_(store), clock_(clock) {}

    ~Impl() { Stop(); }

    ScheduleRunSummary RunOnce(TimePoint now, bool dry_run) {
        ScheduleRunSummary summary;
        const auto outcomes = ScheduleSites(store_, store_.ListAutoPublishSiteIds(), now, dry_run,
                                            /*require_auto_publish=*/true);
        for (const auto& site : outcomes) {
            if (site.skipped) continue;  // changed since it was listed
            ++summary.sites;
            if (site.error) {
                summary.errors.push_back(fmt::format("site {} ({}): {}", site.site_id,
                                                     site.site_name, site.error->message));
            }
            summary.left_unscheduled +=
                static_cast<int>(site.queued + site.held - site.assignments.size());
            summary.unscheduled.insert(summary.unscheduled.end(), site.unscheduled.begin(),
                                       site.unscheduled.end());
            summary.assignments.insert(summary.assignments.end(), site.assignments.begin(),
                                       site.assignments.end());
        }
        summary.assigned = static_cast<int>(summary.assignments.size());
        return summary;
    }

    void Start(std::function<void()> on_assigned, Milliseconds period) {
        std::lock_guard lock(mu_);
        if (thread_.joinable()) return;
        stop_ = false;
        on_assigned_ = std::move(on_assigned);
        period_ = period;
        // Approvals and settings changes made through any process (an `api` process, or
        // another worker) wake the leader at once.
        try {
            subscription_ = store_.SubscribeChanges([this](const storage::ChangeNotice& n) {
                if (n.kinds & storage::ChangeNotice::kQueue) Notified();
            });
        } catch (const std::exception& e) {
            spdlog::warn("slot scheduler: no change notifications ({}); periodic runs only",
                         e.what());
        }
        thread_ = std::thread([this] { Loop(); });
    }

    /// Leads the periodic runs if no other process does (Store::TryLead); a held lease is
    /// checked before each periodic run, since its session may have died with the database.
    bool Lead() {
        try {
            if (lease_ && !lease_->StillHeld()) {
                spdlog::warn("slot scheduler: lost the lead (its database session ended)");
                lease_.reset();
            }
            if (!lease_) {
                lease_ = store_.TryLead(kLeaderRole);
                if (lease_) spdlog::info("slot scheduler: leading the periodic runs");
            }
        } catch (const std::exception& e) {
            lease_.reset();
            throw;
        }
        return lease_ != nullptr;
    }

    void Loop() {
        using Steady = std::chrono::steady_clock;
        try {
            Lead();  // at once, so a follower knows it follows; the first run waits a period
        } catch (const std::exception& e) {
            spdlog::warn("slot scheduler: cannot reach the database to lead ({})", e.what());
        }
        std::unique_lock lock(mu_);
        Steady::time_point next_periodic =
            Steady::now() + (lease_ ? period_ : std::min(period_, kFollowerRetry));
        Milliseconds backoff{0};
        while (!stop_) {
            const auto deadline = backoff.count() > 0 ? Steady::now() + backoff : next_periodic;
            cv_.wait_until(lock, deadline, [this] { return stop_ || woken_ || notified_; });
            if (stop_) break;
            if (woken_ || notified_) {
                // Let a burst of wakes settle into one run.
                cv_.wait_for(lock, kWakeDebounce, [this] { return stop_; });
                if (stop_) break;
            }
            const bool woken = woken_;
            const bool notified = notified_;
            const bool periodic = Steady::now() >= next_periodic || backoff.count() > 0;
            woken_ = notified_ = false;
            lock.unlock();
            bool failed = false;
            try {
                // A wake in this process (its API took an approval) runs here whoever leads:
                // runs are safe to race (Store::ScheduleSites holds each site). Notifications
                // and the periodic pass are the leader's alone, so N workers do not all run.
                const bool leader = (periodic || notified) ? Lead() : lease_ != nullptr;
                if (woken || leader) {
                    const auto summary = RunOnce(clock_.Now(), /*dry_run=*/false);
                    for (const auto& error : summary.errors)
                        spdlog::warn("slot scheduler: {}", error);
                    if (summary.assigned > 0) {
                        spdlog::info("slot scheduler: scheduled {} item(s)", summary.assigned);
                        if (on_assigned_) on_assigned_();
                    }
                }
            } catch (const std::exception& e) {
                failed = true;
                spdlog::error("slot scheduler: {} (trying again shortly)", e.what());
            }
            lock.lock();
            if (failed) {
                // The database is away: try again soon, backing off to 5 s.
                backoff = std::min(kMaxBackoff, std::max(Milliseconds{250}, backoff * 2));
            } else {
                backoff = Milliseconds{0};
                if (periodic) {
                    // A follower checks for a dead leader more often than the period.
                    next_periodic =
                        Steady::now() + (lease_ ? period_ : std::min(period_, kFollowerRetry));
                }
            }
        }
        lease_.reset();  // another process takes over the periodic runs
    }

    void Stop() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        subscription_.reset();
        cv_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

    void Wake() {
        {
            std::lock_guard lock(mu_);
            woken_ = true;
        }
        cv_.notify_all();
    }

    void Notified() {
        {
            std::lock_guard lock(mu_);
            notified_ = true;
        }
        cv_.notify_all();
    }

    storage::Store& store_;
    const TimeSource& clock_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::thread thread_;
    std::function<void()> on_assigned_;
    Milliseconds period_ = std::chrono::minutes{1};
    bool stop_ = false;
    bool woken_ = false;
    bool notified_ = false;
    std::unique_ptr<storage::LeadershipLease> lease_;  // loop thread only
    std::unique_ptr<storage::ChangeSubscription> subscription_;
};

SlotScheduler::SlotScheduler(storage::Store& store, const TimeSource& clock)
    : impl_(std::make_unique<Impl>(store, clock)) {}

SlotScheduler::~SlotScheduler() = default;

ScheduleRunSummary SlotScheduler::RunOnce(TimePoint now, bool dry_run) {
    return impl_->RunOnce(now, dry_run);
}

void SlotScheduler::Start(std::function<void()> on_assigned, Milliseconds period) {
    impl_->Start(std::move(on_assigned), period);
}

void SlotScheduler::Stop() { impl_->Stop(); }
void SlotScheduler::Wake() { impl_->Wake(); }

}  // namespace herald::dispatch
