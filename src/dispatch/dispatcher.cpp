// The dispatcher wires the claim loop, RunDueOnce and publish-now around the pipeline. Every
// claimed item, whoever claimed it, takes the pipeline's one path: admission behind its
// site's cap, a non-blocking call, a settle under the claim.

#include "dispatch/dispatcher.hpp"

#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "dispatch/claim_identity.hpp"
#include "dispatch/loop_wait.hpp"
#include "dispatch/missed_slots.hpp"
#include "dispatch/pipeline.hpp"

namespace herald::dispatch {
namespace {

// A store that fails (the database is away) is retried at 250 ms, doubling up to this.
constexpr Milliseconds kMaxErrorBackoff = std::chrono::seconds{5};
constexpr Milliseconds kDestructorGrace = std::chrono::seconds{10};

PipelineSettings PipelineSettingsFrom(const DispatchSettings& s) {
    PipelineSettings p;
    p.max_in_flight = s.max_in_flight;
    p.admission.max_in_flight_per_site = std::max(1, s.max_in_flight_per_site);
    p.admission.rate_limit_per_minute = s.rate_limit_per_minute;
    p.lease = s.lease;
    p.rules.retry = s.retry;
    p.rules.retry_window = s.retry_window;
    p.health = s.health;
    return p;
}

PublishNowOutcome AnswerOf(const JobOutcome& outcome) {
    if (!outcome.kind)
        return Result<PublishNowResult>(
            Error::Conflict("claim_lost",
                            "The publication was taken over or given back before it could be "
                            "recorded (another dispatcher, or a shutdown); see the content's "
                            "publishing records."));
    PublishNowResult answer;
    answer.content = outcome.content;
    answer.record_id = outcome.record_id;
    answer.success = *outcome.kind == domain::Settled::kPublished;
    answer.error = answer.success ? "" : outcome.result.error;
    answer.http_status = outcome.result.http_status;
    return Result<PublishNowResult>(std::move(answer));
}

}  // namespace

struct Dispatcher::Impl {
    Impl(storage::Store& store, const publishers::PublisherRegistry& publishers,
         const TimeSource& clock, DispatchSettings settings)
        : store_(store),
          clock_(clock),
          settings_(settings),
          host_(HostName()),
          claim_token_(MakeClaimToken()),
          store_health_(clock),
          pipeline_(store, publishers, metrics_, store_health_, claim_token_,
                    PipelineSettingsFrom(settings), settings.observer) {
        pipeline_.SetWakeCallback([this] { Wake(); });
    }

    ~Impl() {
        bool stopped;
        {
            std::lock_guard lock(mu_);
            stopped = stopped_;
        }
        if (!stopped) Stop(kDestructorGrace);
    }

    /// ClaimOne's lease end is given on the caller's clock, measured from `now`: Claim judges
    /// leases on the database's clock, and PublishNow renews the lease there at once.
    TimePoint LeaseUntil(TimePoint now) const { return now + settings_.lease; }

    // --- recovery ------------------------------------------------------------------------

    /// Claims left by dead herald processes of this host are taken over now rather than when
    /// their lease runs out: after a crash and restart, nothing waits minutes for its lease.
    void RecoverLocalClaimsOnce() {
        if (!settings_.recover_local_claims || recovered_.exchange(true)) return;
        try {
            std::vector<std::string> dead;
            for (const std::string& token : store_.ListClaimTokens())
                if (ClaimerIsDeadLocalProcess(token, host_)) dead.push_back(token);
            if (dead.empty()) return;
            const int64_t n = store_.ExpireClaims(dead);
            metrics_.CountRecovered(n);
            if (n > 0)
                spdlog::warn(
                    "dispatcher: taking over {} item(s) left publishing by {} dead "
                    "herald process(es) on this host; each is sent again under its "
                    "earlier webhook-id / checked for an earlier delivery",
                    n, dead.size());
        } catch (const std::exception& e) {
            spdlog::error(
                "dispatcher: looking for claims of dead processes failed ({}); "
                "their leases will expire instead",
                e.what());
        }
    }

    // --- claiming --------------------------------------------------------------------------

    /// Due at `now` (the caller's clock), leases on the database's, the per-site cap counted
    /// over every process sharing the database.
    std::vector<storage::ClaimedItem> ClaimBatch(TimePoint now, int room,
                                                 const std::vector<domain::SiteId>& full) {
        storage::ClaimRequest request;
        request.now = now;
        request.limit = room;
        request.claim_token = claim_token_;
        request.lease = settings_.lease;
        request.skip_sites = full;
        request.max_in_flight_per_site = settings_.max_in_flight_per_site;
        // Items that missed their slot and are held or moved leave the batch; claim again so
        // an emptied batch does not read as "nothing due".
        for (;;) {
            std::vector<storage::ClaimedItem> claimed = store_.Claim(request);
            if (claimed.empty()) return claimed;
            auto publish = ApplyMissedSlotPolicy(store_, std::move(claimed), now);
            if (!publish.empty()) return publish;
        }
    }

    RunSummary RunDueOnce(TimePoint now) {
        RecoverLocalClaimsOnce();
        auto tracker = std::make_shared<RunTracker>();
        const auto start = std::chrono::steady_clock::now();
        RunClock clock = [now, start] {
            return now + std::chrono::duration_cast<Milliseconds>(std::chrono::steady_clock::now() -
                                                                  start);
        };
        const auto outstanding = [&] {
            std::lock_guard lock(tracker->mu);
            return tracker->outstanding;
        };
        try {
            // Retries are scheduled after the run clock, which never goes below `now`, so
            // they are not due again in this run and the loop ends.
            for (;;) {
                const int room = pipeline_.WaitForCapacity();
                // An empty claim ends the run only if none of ours was out while it ran: one
                // that settled meanwhile may have freed its site's room after the claim
                // counted it (the claim saw the site at its cap).
                const bool idle_before = outstanding() == 0;
                auto items = ClaimBatch(now, room, pipeline_.State().full_sites);
                if (items.empty()) {
                    // Items of sites at their cap (here or in the database) may still be due
                    // in this run: while ours are out, wait for one to settle and try again.
                    const bool idle_after = outstanding() == 0;
                    if (idle_before && idle_after && pipeline_.State().full_sites.empty()) break;
                    if (!idle_before && idle_after) continue;  // all settled during the claim
                    pipeline_.PumpWaiting();                   // rate-limited queues move with time
                    pipeline_.WaitForChange(kMinBusyWait);
                    continue;
                }
                pipeline_.Submit(std::move(items), tracker, clock);
            }
        } catch (...) {
            pipeline_.WaitSettled(*tracker);  // never leave claimed items behind unattended
            throw;
        }
        pipeline_.WaitSettled(*tracker);
        std::lock_guard lock(tracker->mu);
        return tracker->summary;
    }

    // --- publish now -----------------------------------------------------------------------

    void PublishNowAsync(domain::AccountId account, domain::ContentId id,
                         std::function<void(PublishNowOutcome)> done) {
        const TimePoint now = clock_.Now();
        auto claimed = store_.ClaimOne(account, id, claim_token_, now, LeaseUntil(now));
        if (!claimed) return done(std::nullopt);
        if (!claimed->ok()) return done(Result<PublishNowResult>(claimed->error()));
        try {
            // ClaimOne measured the lease on our clock; put it on the database's, which other
            // processes compare it with.
            store_.RenewLease(claimed->value().content.id, claim_token_, settings_.lease);
        } catch (const std::exception& e) {
            spdlog::warn("content {}: renewing the lease failed ({})", id, e.what());
        }
        std::vector<storage::ClaimedItem> items;
        items.push_back(std::move(claimed->value()));
        pipeline_.Submit(
            std::move(items), std::make_shared<RunTracker>(), [this] { return clock_.Now(); },
            /*one_shot=*/true,
            [done = std::move(done)](const JobOutcome& outcome) { done(AnswerOf(outcome)); });
    }

    PublishNowOutcome PublishNow(domain::AccountId account, domain::ContentId id) {
        auto promise = std::make_shared<std::promise<PublishNowOutcome>>();
        auto answer = promise->get_future();
        PublishNowAsync(account, id, [promise](PublishNowOutcome outcome) {
            promise->set_value(std::move(outcome));
        });
        return answer.get();
    }

    // --- background loop -----------------------------------------------------------------

    void Start() {
        RecoverLocalClaimsOnce();
        std::lock_guard lock(mu_);
        if (loop_.joinable()) return;
        // Changes made by any process (an API process's reschedule, another worker's
        // release) wake the loop at once; the timer stays as the fallback.
        try {
            subscription_ = store_.SubscribeChanges([this](const storage::ChangeNotice& n) {
                if (n.kinds & storage::ChangeNotice::kDue) Wake();
            });
        } catch (const std::exception& e) {
            spdlog::warn("dispatcher: no change notifications ({}); polling only", e.what());
        }
        stop_requested_ = false;
        stopped_ = false;
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
            lock.unlock();

            pipeline_.PumpWaiting();
            const Pipeline::Snapshot before = pipeline_.State();
            const int room = pipeline_.Capacity() - before.outstanding;
            size_t claimed = 0;
            std::optional<Milliseconds> next;
            bool error = false;
            // Attempts that could not be recorded yet come first: claiming meanwhile could
            // take our own unrecorded items again once their lease ran out.
            const bool unsettled = store_health_.Unsettled() > 0;
            try {
                const TimePoint now = clock_.Now();
                if (room > 0 && !unsettled) {
                    auto items = ClaimBatch(now, room, before.full_sites);
                    claimed = items.size();
                    pipeline_.Submit(std::move(items), loop_tracker_, real_clock);
                }
                next = store_.NextWorkIn(now);
                if (next) next = *next - (clock_.Now() - now);  // as of the wait below
                failures = 0;
                store_health_.Ok();
            } catch (const std::exception& e) {
                error = true;
                ++failures;
                store_health_.Failed(e);
                spdlog::error("dispatcher: {} (trying again shortly)", e.what());
            }
            const Pipeline::Snapshot after = pipeline_.State();

            lock.lock();
            if (stop_requested_) break;
            if (error || unsettled) {
                const Milliseconds backoff =
                    error ? std::min(kMaxErrorBackoff,
                                     Milliseconds{250} * (1 << std::min(failures - 1, 5)))
                          : kMinBusyWait * 4;
                loop_cv_.wait_for(lock, backoff, [this] { return stop_requested_; });
                continue;
            }
            if (room > 0 && claimed == static_cast<size_t>(room)) continue;  // maybe more due
            if (wake_requested_) continue;  // a settle or a change came in meanwhile

            LoopWaitInputs in;
            in.idle_wake = settings_.idle_wake;
            in.next_work = next;
            in.pool_full = after.outstanding >= pipeline_.Capacity();
            if (after.next_token)
                in.next_token = std::chrono::duration_cast<Milliseconds>(
                    *after.next_token - std::chrono::steady_clock::now());
            // Settles (freed room, a full site draining, a retry due soon) call Wake().
            loop_cv_.wait_for(lock, LoopWait(in),
                              [this] { return stop_requested_ || wake_requested_; });
        }
    }

    void Stop(Milliseconds deadline) {
        {
            std::lock_guard lock(mu_);
            stop_requested_ = true;
            stopped_ = true;
        }
        subscription_.reset();  // no callback runs after this
        loop_cv_.notify_all();
        if (loop_.joinable()) loop_.join();
        pipeline_.Stop(deadline, clock_.Now());
    }

    void Wake() {
        {
            std::lock_guard lock(mu_);
            wake_requested_ = true;
        }
        loop_cv_.notify_all();
    }

    storage::Store& store_;
    const TimeSource& clock_;
    DispatchSettings settings_;
    const std::string host_;
    const std::string claim_token_;
    herald::dispatch::Metrics metrics_;
    StoreHealthMonitor store_health_;
    std::atomic<bool> recovered_{false};

    std::mutex mu_;  // guards the loop's state below
    std::condition_variable loop_cv_;
    std::thread loop_;
    std::shared_ptr<RunTracker> loop_tracker_;
    bool stop_requested_ = false;
    bool stopped_ = false;
    bool wake_requested_ = false;
    std::atomic<int64_t> heartbeat_ms_{0};
    std::unique_ptr<storage::ChangeSubscription> subscription_;

    Pipeline pipeline_;  // last: destroyed first, while everything it calls back still exists
};

Dispatcher::Dispatcher(storage::Store& store, const publishers::PublisherRegistry& publishers,
                       const TimeSource& clock, DispatchSettings settings)
    : impl_(std::make_unique<Impl>(store, publishers, clock, settings)) {}

Dispatcher::~Dispatcher() = default;

RunSummary Dispatcher::RunDueOnce(TimePoint now) { return impl_->RunDueOnce(now); }

void Dispatcher::PublishNowAsync(domain::AccountId account, domain::ContentId id,
                                 std::function<void(PublishNowOutcome)> done) {
    impl_->PublishNowAsync(account, id, std::move(done));
}

PublishNowOutcome Dispatcher::PublishNow(domain::AccountId account, domain::ContentId id) {
    return impl_->PublishNow(account, id);
}

void Dispatcher::Start() { impl_->Start(); }
void Dispatcher::Stop(Milliseconds deadline) { impl_->Stop(deadline); }
void Dispatcher::Wake() { impl_->Wake(); }

TimePoint Dispatcher::LastHeartbeat() const { return FromUnixMillis(impl_->heartbeat_ms_.load()); }

const herald::dispatch::Metrics& Dispatcher::Metrics() const { return impl_->metrics_; }

const std::string& Dispatcher::ClaimToken() const { return impl_->claim_token_; }

StoreHealth Dispatcher::Health() const { return impl_->store_health_.Get(); }

}  // namespace herald::dispatch
