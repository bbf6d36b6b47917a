// The slot scheduler run: every auto-publishing site's queue placed by the pure calculator,
// each site read and written in one store transaction that holds it.

#include "dispatch/slot_scheduler.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace herald::dispatch {
namespace {

// Approvals tend to arrive in bursts (a batch approve in the UI); one run serves them all.
constexpr Milliseconds kWakeDebounce{100};

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
    return store.ScheduleSites(request, [now](const storage::SiteSchedulingInput& in) {
        return domain::AssignSlots(in.settings, in.site.timezone, in.calendar, in.queue, now);
    });
}

struct SlotScheduler::Impl {
    Impl(storage::Store& store, const TimeSource& clock) : store_(store), clock_(clock) {}

    ~Impl() { Stop(); }

    ScheduleRunSummary RunOnce(TimePoint now, bool dry_run) {
        ScheduleRunSummary summary;
        const auto outcomes = ScheduleSites(store_, store_.ListAutoPublishSiteIds(), now,
                                            dry_run, /*require_auto_publish=*/true);
        for (const auto& site : outcomes) {
            if (site.skipped) continue;  // changed since it was listed
            ++summary.sites;
            if (site.error) {
                summary.errors.push_back(fmt::format("site {} ({}): {}", site.site_id,
                                                     site.site_name, site.error->message));
            }
            summary.left_unscheduled += static_cast<int>(site.queued - site.assignments.size());
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
        thread_ = std::thread([this] { Loop(); });
    }

    void Loop() {
        std::unique_lock lock(mu_);
        while (!stop_) {
            cv_.wait_for(lock, period_, [this] { return stop_ || woken_; });
            if (stop_) break;
            if (woken_) {
                // Let a burst of wakes settle into one run.
                cv_.wait_for(lock, kWakeDebounce, [this] { return stop_; });
                if (stop_) break;
            }
            woken_ = false;
            lock.unlock();
            try {
                const auto summary = RunOnce(clock_.Now(), /*dry_run=*/false);
                for (const auto& error : summary.errors)
                    spdlog::warn("slot scheduler: {}", error);
                if (summary.assigned > 0) {
                    spdlog::info("slot scheduler: scheduled {} item(s)", summary.assigned);
                    if (on_assigned_) on_assigned_();
                }
            } catch (const std::exception& e) {
                spdlog::error("slot scheduler: {} (trying again at the next run)", e.what());
            }
            lock.lock();
        }
    }

    void Stop() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
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

    storage::Store& store_;
    const TimeSource& clock_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::thread thread_;
    std::function<void()> on_assigned_;
    Milliseconds period_ = std::chrono::minutes{1};
    bool stop_ = false;
    bool woken_ = false;
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
