// The dispatcher: a claim loop feeding a fixed worker pool with per-site caps. Every state
// change goes through domain::NextSiteStatus; every attempt ends in one Store::FinishAttempt
// that only writes while this dispatcher still holds the claim (so a taken-over item is
// never settled twice).

#include "dispatch/dispatcher.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "domain/status_machine.hpp"

namespace herald::dispatch {
namespace {

using domain::Content;
using domain::SiteAction;
using domain::SiteStatus;
using publishers::PublishOutcome;
using publishers::PublishResult;
using storage::ClaimedItem;

// Claimed-but-not-started items may queue up to this many times max_in_flight: enough that
// a site at its cap does not idle the other sites' workers, few enough that queued leases
// do not run out while waiting.
constexpr int kQueueFactor = 2;
constexpr Milliseconds kMinBusyWait{50};
constexpr Milliseconds kMaxErrorBackoff = std::chrono::seconds{30};
constexpr int kFinishTries = 3;

TimePoint WallNow() { return SystemTimeSource().Now(); }

std::string RandomToken() {
    std::random_device rd;
    std::mt19937_64 rng{(static_cast<uint64_t>(rd()) << 32) ^ rd()};
    return fmt::format("d-{:016x}{:016x}", rng(), rng());
}

/// The clock of one run: RunDueOnce(now) measures from `now` as real time passes, so a
/// `--now` replay writes coherent started/finished times and schedules retries after `now`.
using RunClock = std::function<TimePoint()>;

/// Shared by the jobs of one RunDueOnce (or of the background loop).
struct RunTracker {
    std::mutex mu;
    std::condition_variable settled;
    int outstanding = 0;
    RunSummary summary;
};

struct Job {
    ClaimedItem item;
    std::shared_ptr<RunTracker> tracker;
    RunClock now;
    std::chrono::steady_clock::time_point claimed_at;
};

enum class Settled { kPublished, kFailed, kRetry, kLost };

struct Settlement {
    Settled kind = Settled::kLost;
    std::optional<domain::RecordId> record_id;
    Content content;
};

}  // namespace

struct Dispatcher::Impl {
    Impl(storage::Store& store, const publishers::PublisherRegistry& publishers,
         const TimeSource& clock, DispatchSettings settings)
        : store_(store),
          publishers_(publishers),
          clock_(clock),
          settings_(settings),
          claim_token_(RandomToken()),
          rng_(std::random_device{}()) {
            settings_.max_in_flight = std::max(1, settings_.max_in_flight);
            settings_.max_in_flight_per_site = std::max(1, settings_.max_in_flight_per_site);
        }

    ~Impl() {
        Stop(settings_.lease);
        {
            std::lock_guard lock(mu_);
            shutting_down_ = true;
        }
        work_cv_.notify_all();
        for (auto& worker : workers_) worker.join();
    }

    int Capacity() const { return settings_.max_in_flight * kQueueFactor; }

    /// Leases are measured from the later of `now` and the wall clock: ClaimDue(now) must not
    /// see this run's own fresh claims as expired (a `--now` in the future), and a `serve`
    /// process on the real clock must not either (a `--now` in the past).
    TimePoint LeaseUntil(TimePoint now) const { return std::max(now, WallNow()) + settings_.lease; }

    double Jitter() {
        std::lock_guard lock(rng_mu_);
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    }

    // --- publishing and settling ---------------------------------------------------------

    PublishResult PublishItem(const ClaimedItem& item) {
        publishers::Publisher* publisher = publishers_.For(item.site.platform_type);
        if (!publisher) {
            PublishResult unsupported;
            unsupported.outcome = PublishOutcome::kPermanent;
            unsupported.error =
                fmt::format("publishing to {} is not supported by this version of herald yet",
                            domain::ToString(item.site.platform_type));
            return unsupported;
        }
        try {
            return publisher->Publish(
                publishers::PublishRequest{item.site, item.content, item.content.publication_id});
        } catch (const std::exception& e) {
            // Adapters must not throw; if one does, treat it like a flaky remote (bounded by
            // max_attempts) rather than losing the item.
            spdlog::error("publisher for content {} threw: {}", item.content.id, e.what());
            PublishResult broken;
            broken.outcome = PublishOutcome::kTransient;
            broken.error = fmt::format("internal error while publishing: {}", e.what());
            return broken;
        }
    }

    Settlement Settle(const ClaimedItem& item, const PublishResult& result, TimePoint started,
                      TimePoint finished) {
        Content c = item.content;
        domain::PublishRecord record;
        record.content_id = c.id;
        record.site_id = c.site_id;
        record.account_id = c.account_id;
        record.attempt = c.attempts;
        record.started_at = started;
        record.finished_at = finished;
        record.http_status = result.http_status;
        record.due_at = item.due_at;

        Settled kind = Settled::kFailed;
        SiteAction action = SiteAction::kFail;
        switch (result.outcome) {
            case PublishOutcome::kPublished:
                kind = Settled::kPublished;
                action = SiteAction::kSucceed;
                record.outcome = domain::AttemptOutcome::kPublished;
                record.external_id = result.external_id;
                record.external_url = result.external_url;
                c.published_at = finished;
                c.external_id = result.external_id;
                c.external_url = result.external_url;
                c.last_error.clear();
                c.next_attempt_at.reset();
                c.attempts = 0;
                c.publication_id.clear();  // the next publish of it is a new publication
                break;
            case PublishOutcome::kTransient: {
                const auto decision =
                    domain::DecideRetry(settings_.retry, c.attempts, domain::FailureKind::kTransient,
                                        result.retry_after, finished, Jitter());
                record.error = result.error;
                if (decision.retry) {
                    kind = Settled::kRetry;
                    action = SiteAction::kRetryLater;
                    record.outcome = domain::AttemptOutcome::kRetry;
                    // scheduled_publish_at stays the owner's time; only the retry time moves.
                    c.next_attempt_at = decision.next_attempt_at;
                    c.last_error = result.error;
                } else {
                    record.outcome = domain::AttemptOutcome::kFailed;
                    c.last_error = fmt::format("{} (gave up after {} attempts)", result.error,
                                               c.attempts);
                    c.next_attempt_at.reset();
                    c.attempts = 0;
                    // publication_id is kept: the remote state of the last try is unknown, and
                    // a republish under the same webhook-id lets a receiver spot a duplicate.
                }
                break;
            }
            case PublishOutcome::kPermanent:
                record.outcome = domain::AttemptOutcome::kFailed;
                record.error = result.error;
                c.last_error = result.error;
                c.next_attempt_at.reset();
                c.attempts = 0;
                c.publication_id.clear();  // the remote refused it: nothing to deduplicate
                break;
        }

        const auto next = domain::NextSiteStatus(c.status, c.site_status, action);
        if (next) {
            c.site_status = *next;
        } else {
            // Cannot happen for a claimed item; settle anyway rather than leave it stuck.
            spdlog::error("content {}: {} (settling anyway)", c.id, next.error().message);
            c.site_status = action == SiteAction::kSucceed     ? SiteStatus::kPublished
                            : action == SiteAction::kRetryLater ? SiteStatus::kScheduled
                                                                : SiteStatus::kFailed;
        }
        c.site_status_updated_at = finished;
        c.updated_at = finished;
        c.claim_token.clear();
        c.lease_until.reset();

        Settlement settlement;
        settlement.record_id = FinishAttempt(c, record);
        settlement.kind = settlement.record_id ? kind : Settled::kLost;
        settlement.content = std::move(c);
        if (!settlement.record_id)
            spdlog::warn("content {}: claim lost before the attempt was recorded (another "
                         "dispatcher took it over after the lease ran out)",
                         item.content.id);
        else if (kind != Settled::kPublished)
            spdlog::warn("content {} attempt {}: {} ({})", item.content.id, record.attempt,
                         domain::ToString(record.outcome), result.error);
        return settlement;
    }

    /// A brief store hiccup (busy database) must not leave the item to its lease; the write
    /// is idempotent under the claim token, so trying again is safe.
    std::optional<domain::RecordId> FinishAttempt(const Content& c,
                                                  const domain::PublishRecord& record) {
        for (int attempt = 1;; ++attempt) {
            try {
                return store_.FinishAttempt(c, claim_token_, record);
            } catch (const storage::StorageError& e) {
                if (attempt >= kFinishTries) throw;
                spdlog::warn("content {}: recording the attempt failed ({}); trying again", c.id,
                             e.what());
                std::this_thread::sleep_for(Milliseconds{200 * attempt});
            }
        }
    }

    // --- worker pool ---------------------------------------------------------------------

    void EnsureWorkers() {
        std::lock_guard lock(mu_);
        if (!workers_.empty()) return;
        for (int i = 0; i < settings_.max_in_flight; ++i)
            workers_.emplace_back([this] { WorkerMain(); });
    }

    /// Queues claimed items; an item whose site is at its cap waits in the site's queue.
    void Submit(std::vector<ClaimedItem> items, const std::shared_ptr<RunTracker>& tracker,
                const RunClock& now) {
        if (items.empty()) return;
        {
            std::lock_guard lock(tracker->mu);
            tracker->outstanding += static_cast<int>(items.size());
        }
        std::lock_guard lock(mu_);
        const auto claimed_at = std::chrono::steady_clock::now();
        for (auto& item : items) {
            const domain::SiteId site = item.site.id;
            Job job{std::move(item), tracker, now, claimed_at};
            ++outstanding_;
            if (site_active_[site] < settings_.max_in_flight_per_site) {
                ++site_active_[site];
                ready_.push_back(std::move(job));
            } else {
                site_waiting_[site].push_back(std::move(job));
            }
        }
        work_cv_.notify_all();
    }

    void WorkerMain() {
        for (;;) {
            Job job;
            {
                std::unique_lock lock(mu_);
                work_cv_.wait(lock, [this] { return shutting_down_ || !ready_.empty(); });
                if (ready_.empty()) return;  // shutting down with nothing left to start
                job = std::move(ready_.front());
                ready_.pop_front();
                ++running_;
            }
            const Settled kind = RunJob(job);
            {
                std::lock_guard lock(job.tracker->mu);
                switch (kind) {
                    case Settled::kPublished: ++job.tracker->summary.published; break;
                    case Settled::kFailed: ++job.tracker->summary.failed; break;
                    case Settled::kRetry: ++job.tracker->summary.retry; break;
                    case Settled::kLost: break;
                }
                --job.tracker->outstanding;
                job.tracker->settled.notify_all();
            }
            {
                std::lock_guard lock(mu_);
                --running_;
                --outstanding_;
                const domain::SiteId site = job.item.site.id;
                auto waiting = site_waiting_.find(site);
                if (waiting != site_waiting_.end() && !waiting->second.empty()) {
                    ready_.push_back(std::move(waiting->second.front()));  // keeps its slot
                    waiting->second.pop_front();
                    if (waiting->second.empty()) site_waiting_.erase(waiting);
                    work_cv_.notify_one();
                } else if (--site_active_[site] == 0) {
                    site_active_.erase(site);
                }
            }
            pool_changed_.notify_all();
            loop_cv_.notify_all();  // capacity freed: the loop may claim more
        }
    }

    Settled RunJob(Job& job) {
        const domain::ContentId id = job.item.content.id;
        try {
            // A job that waited behind its site's cap renews its lease before the call, and
            // learns whether the claim is still ours.
            if (std::chrono::steady_clock::now() - job.claimed_at > settings_.lease / 4 &&
                !store_.ExtendLease(id, claim_token_, LeaseUntil(job.now()))) {
                spdlog::warn("content {}: claim lost while queued; not publishing it", id);
                return Settled::kLost;
            }
            const TimePoint started = job.now();
            const PublishResult result = PublishItem(job.item);
            const TimePoint finished = job.now();
            return Settle(job.item, result, started, finished).kind;
        } catch (const std::exception& e) {
            // The item stays `publishing`; its lease runs out and it is claimed again.
            spdlog::error("content {}: could not settle the attempt: {}", id, e.what());
            return Settled::kLost;
        }
    }

    /// Blocks until fewer than Capacity() items are outstanding; returns the free room.
    int WaitForCapacity() {
        std::unique_lock lock(mu_);
        pool_changed_.wait(lock, [this] { return outstanding_ < Capacity(); });
        return Capacity() - outstanding_;
    }

    static void WaitSettled(RunTracker& tracker) {
        std::unique_lock lock(tracker.mu);
        tracker.settled.wait(lock, [&] { return tracker.outstanding == 0; });
    }

    // --- entry points ----------------------------------------------------------------------

    RunSummary RunDueOnce(TimePoint now) {
        EnsureWorkers();
        auto tracker = std::make_shared<RunTracker>();
        const auto start = std::chrono::steady_clock::now();
        RunClock clock = [now, start] {
            return now + std::chrono::duration_cast<Milliseconds>(
                             std::chrono::steady_clock::now() - start);
        };
        try {
            // Retries are scheduled after the run clock, which never goes below `now`, so
            // they are not due again in this run and the loop ends.
            for (;;) {
                const int room = WaitForCapacity();
                auto items = store_.ClaimDue(now, room, claim_token_, LeaseUntil(now));
                if (items.empty()) break;
                Submit(std::move(items), tracker, clock);
            }
        } catch (...) {
            WaitSettled(*tracker);  // never leave claimed items behind unattended
            throw;
        }
        WaitSettled(*tracker);
        std::lock_guard lock(tracker->mu);
        return tracker->summary;
    }

    std::optional<Result<PublishNowResult>> PublishNow(domain::AccountId account, domain::ContentId id) {
        const TimePoint now = clock_.Now();
        auto claimed = store_.ClaimOne(account, id, claim_token_, now, LeaseUntil(now));
        if (!claimed) return std::nullopt;
        if (!claimed->ok()) return Result<PublishNowResult>(claimed->error());
        const ClaimedItem& item = claimed->value();
        const TimePoint started = clock_.Now();
        const PublishResult result = PublishItem(item);
        Settlement settlement = Settle(item, result, started, clock_.Now());
        if (settlement.kind == Settled::kLost)
            return Result<PublishNowResult>(Error::Conflict(
                "claim_lost", "The publication took too long and was taken over by another "
                              "dispatcher; see the content's publishing records."));
        PublishNowResult answer;
        answer.content = std::move(settlement.content);
        answer.record_id = *settlement.record_id;
        answer.success = settlement.kind == Settled::kPublished;
        answer.error = result.outcome == PublishOutcome::kPublished ? "" : result.error;
        answer.http_status = result.http_status;
        return Result<PublishNowResult>(std::move(answer));
    }

    // --- background loop -----------------------------------------------------------------

    void Start() {
        EnsureWorkers();
        std::lock_guard lock(mu_);
        if (loop_.joinable()) return;
        stop_requested_ = false;
        loop_tracker_ = std::make_shared<RunTracker>();
        loop_ = std::thread([this] { LoopMain(); });
    }

    void LoopMain() {
        const RunClock real_clock = [this] { return clock_.Now(); };
        int failures = 0;
        std::unique_lock lock(mu_);
        while (!stop_requested_) {
            heartbeat_ms_.store(ToUnixMillis(clock_.Now()));
            wake_requested_ = false;
            const int room = Capacity() - outstanding_;
            lock.unlock();

            size_t claimed = 0;
            std::optional<TimePoint> next;
            bool error = false;
            try {
                if (room > 0) {
                    const TimePoint now = clock_.Now();
                    auto items = store_.ClaimDue(now, room, claim_token_, LeaseUntil(now));
                    claimed = items.size();
                    Submit(std::move(items), loop_tracker_, real_clock);
                }
                next = store_.NextWakeAt();
                failures = 0;
            } catch (const std::exception& e) {
                error = true;
                ++failures;
                spdlog::error("dispatcher: {} (trying again shortly)", e.what());
            }

            lock.lock();
            if (stop_requested_) break;
            if (error) {
                const Milliseconds backoff =
                    std::min(kMaxErrorBackoff, Milliseconds{250} * (1 << std::min(failures, 7)));
                loop_cv_.wait_for(lock, backoff, [this] { return stop_requested_; });
                continue;
            }
            if (room > 0 && claimed == static_cast<size_t>(room)) continue;  // maybe more due

            Milliseconds wait = settings_.idle_wake;
            if (next) {
                const Milliseconds until = *next - clock_.Now();
                // +1 ms: the clock is read in whole milliseconds, wake just after, not before.
                wait = std::min(wait, std::max(Milliseconds{0}, until + Milliseconds{1}));
                // Due already but nothing claimable (our own lease, a race, or no room):
                // do not spin; capacity and Wake() cut the wait short.
                if (until.count() <= 0) wait = std::max(wait, kMinBusyWait);
            }
            const bool full = outstanding_ >= Capacity();
            if (full) wait = settings_.idle_wake;
            loop_cv_.wait_for(lock, wait, [&] {
                return stop_requested_ || wake_requested_ ||
                       (full && outstanding_ < Capacity());
            });
        }
    }

    void Stop(Milliseconds deadline) {
        {
            std::lock_guard lock(mu_);
            stop_requested_ = true;
        }
        loop_cv_.notify_all();
        if (loop_.joinable()) loop_.join();

        // Items claimed but not started go back to `scheduled` right away, for whoever
        // runs next; the running ones get until the deadline.
        std::vector<Job> unstarted;
        {
            std::lock_guard lock(mu_);
            for (auto& job : ready_) {
                // Ready jobs hold a slot of their site's cap; waiting ones do not.
                if (--site_active_[job.item.site.id] <= 0) site_active_.erase(job.item.site.id);
                unstarted.push_back(std::move(job));
            }
            ready_.clear();
            for (auto& [site, queue] : site_waiting_)
                for (auto& job : queue) unstarted.push_back(std::move(job));
            site_waiting_.clear();
            outstanding_ -= static_cast<int>(unstarted.size());
        }
        if (!unstarted.empty()) {
            std::vector<domain::ContentId> ids;
            for (const auto& job : unstarted) ids.push_back(job.item.content.id);
            try {
                store_.ReleaseClaims(ids, claim_token_);
            } catch (const std::exception& e) {
                spdlog::error("dispatcher: releasing {} claims failed ({}); their leases will "
                              "expire instead", ids.size(), e.what());
            }
            for (const auto& job : unstarted) {
                std::lock_guard lock(job.tracker->mu);
                --job.tracker->outstanding;
                job.tracker->settled.notify_all();
            }
        }
        pool_changed_.notify_all();

        std::unique_lock lock(mu_);
        if (!pool_changed_.wait_for(lock, deadline, [this] { return running_ == 0; }))
            spdlog::warn("dispatcher: {} publication(s) still in flight at shutdown; they are "
                         "recorded when they finish, or claimed again after their lease",
                         running_);
    }

    void Wake() {
        {
            std::lock_guard lock(mu_);
            wake_requested_ = true;
        }
        loop_cv_.notify_all();
    }

    storage::Store& store_;
    const publishers::PublisherRegistry& publishers_;
    const TimeSource& clock_;
    DispatchSettings settings_;
    const std::string claim_token_;

    std::mutex rng_mu_;
    std::mt19937_64 rng_;

    std::mutex mu_;  // guards everything below
    std::condition_variable work_cv_;      // workers: a job is ready
    std::condition_variable pool_changed_;  // a job finished or was released
    std::condition_variable loop_cv_;      // the loop: wake, stop, or room to claim
    std::deque<Job> ready_;
    std::map<domain::SiteId, std::deque<Job>> site_waiting_;
    std::map<domain::SiteId, int> site_active_;  // ready + running, per site
    int outstanding_ = 0;                        // ready + waiting + running
    int running_ = 0;
    bool shutting_down_ = false;
    std::vector<std::thread> workers_;

    std::thread loop_;
    std::shared_ptr<RunTracker> loop_tracker_;
    bool stop_requested_ = false;
    bool wake_requested_ = false;
    std::atomic<int64_t> heartbeat_ms_{0};
};

Dispatcher::Dispatcher(storage::Store& store, const publishers::PublisherRegistry& publishers,
                       const TimeSource& clock, DispatchSettings settings)
    : impl_(std::make_unique<Impl>(store, publishers, clock, settings)) {}

Dispatcher::~Dispatcher() = default;

RunSummary Dispatcher::RunDueOnce(TimePoint now) { return impl_->RunDueOnce(now); }

std::optional<Result<PublishNowResult>> Dispatcher::PublishNow(domain::AccountId account,
                                                               domain::ContentId id) {
    return impl_->PublishNow(account, id);
}

void Dispatcher::Start() { impl_->Start(); }
void Dispatcher::Stop(Milliseconds deadline) { impl_->Stop(deadline); }
void Dispatcher::Wake() { impl_->Wake(); }

TimePoint Dispatcher::LastHeartbeat() const {
    return FromUnixMillis(impl_->heartbeat_ms_.load());
}

}  // namespace herald::dispatch
