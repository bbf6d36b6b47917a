// The slot scheduler run: read every auto-publishing site's queue and calendar, let the pure
// calculator place the items, then store every site's assignments in one transaction.

#include "dispatch/slot_scheduler.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace herald::dispatch {
namespace {

// Far enough back to cover the start of the current local month and ISO week in any zone
// (a month is at most 31 days; a zone is at most ~14 h from UTC).
constexpr Milliseconds kCalendarLookBack = std::chrono::hours{24 * 32};
// Approvals tend to arrive in bursts (a batch approve in the UI); one run serves them all.
constexpr Milliseconds kWakeDebounce{100};

}  // namespace

struct SlotScheduler::Impl {
    Impl(storage::Store& store, const TimeSource& clock) : store_(store), clock_(clock) {}

    ~Impl() { Stop(); }

    ScheduleRunSummary RunOnce(TimePoint now, bool dry_run) {
        ScheduleRunSummary summary;
        const auto sites = store_.ListAutoPublishSites();
        for (const auto& entry : sites) {
            const domain::Site& site = entry.site;
            ++summary.sites;
            try {
                const auto queue = store_.ListSchedulingQueue(site.id);
                if (queue.empty()) continue;
                const auto calendar = store_.LoadCalendar(site.id, now - kCalendarLookBack);
                auto assigned =
                    domain::AssignSlots(entry.settings, site.timezone, calendar, queue, now);
                if (!assigned) {
                    summary.errors.push_back(fmt::format("site {} ({}): {}", site.id, site.name,
                                                         assigned.error().message));
                    summary.left_unscheduled += static_cast<int>(queue.size());
                    continue;
                }
                summary.left_unscheduled += static_cast<int>(queue.size() - assigned->size());
                summary.assignments.insert(summary.assignments.end(), assigned->begin(),
                                           assigned->end());
            } catch (const std::exception& e) {
                // One broken site must not keep the others from being scheduled.
                summary.errors.push_back(
                    fmt::format("site {} ({}): {}", site.id, site.name, e.what()));
            }
        }
        if (dry_run) {
            summary.assigned = static_cast<int>(summary.assignments.size());
        } else if (!summary.assignments.empty()) {
            // One transaction for every site: a commit per site dominated the run time. In id
            // order, the row updates walk the table's pages in sequence instead of at random.
            std::vector<domain::SlotAssignment> by_id = summary.assignments;
            std::sort(by_id.begin(), by_id.end(), [](const auto& a, const auto& b) {
                return a.content_id < b.content_id;
            });
            summary.assigned = store_.ApplyAssignments(by_id, now);
            if (summary.assigned < static_cast<int>(summary.assignments.size()))
                spdlog::info("slot scheduler: {} of {} assignments skipped (content changed "
                             "meanwhile)",
                             summary.assignments.size() - summary.assigned,
                             summary.assignments.size());
        }
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
