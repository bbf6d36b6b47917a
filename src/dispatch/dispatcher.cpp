// The dispatcher: a claim loop feeding per-site queues (concurrency cap, optional token
// bucket), publications started through Publisher::PublishAsync so no thread waits on a remote
// call, and one settler thread that records finished attempts in batches. Every state change
// goes through domain::NextSiteStatus; every attempt ends in one Store::FinishAttempt(s) that
// only writes while this dispatcher still holds the claim (so a taken-over item is never
// settled twice).

#include "dispatch/dispatcher.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
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
using SteadyTime = std::chrono::steady_clock::time_point;

// Claimed-but-not-started items may queue up to this many times max_in_flight: enough that
// a site at its cap does not idle the others, few enough that queued leases do not run out.
constexpr int kQueueFactor = 2;
// A site with this many times its cap waiting is left out of claims until it drains, so its
// backlog cannot take the room other sites' items need.
constexpr int kSiteQueueFactor = 4;
constexpr int kMinSiteQueue = 16;
constexpr Milliseconds kMinBusyWait{50};
// A store that fails (the database is away) is retried at 250 ms, doubling up to this.
constexpr Milliseconds kMaxErrorBackoff = std::chrono::seconds{5};
constexpr Milliseconds kDestructorGrace = std::chrono::seconds{10};
constexpr size_t kSettleBatch = 1024;

TimePoint WallNow() { return SystemTimeSource().Now(); }

std::string RandomHex() {
    std::random_device rd;
    std::mt19937_64 rng{(static_cast<uint64_t>(rd()) << 32) ^ rd()};
    return fmt::format("{:016x}{:016x}", rng(), rng());
}

std::string HostName() {
    char buf[256] = {0};
    if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown-host";
    std::string host(buf);
    std::replace(host.begin(), host.end(), '/', '_');
    return host;
}

/// Field 22 of /proc/PID/stat (start time in clock ticks since boot): with the pid it names
/// one process, even after the pid is reused. Empty when unreadable.
std::string ProcessStartTime(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');  // the command name may hold spaces and parens
    if (paren == std::string::npos) return {};
    std::istringstream fields(text.substr(paren + 2));
    std::string field;
    for (int i = 3; i <= 22 && fields >> field; ++i)
        if (i == 22) return field;
    return {};
}

/// "d1/HOST/PID.START/RANDOM". Claims are compared as opaque strings everywhere else.
std::string MakeClaimToken() {
    const pid_t pid = getpid();
    return fmt::format("d1/{}/{}.{}/{}", HostName(), pid, ProcessStartTime(pid), RandomHex());
}

/// True when `token` names a process of this host that no longer runs. Anything unclear
/// (another host, an old token format, an unreadable /proc) counts as alive: its lease decides.
bool ClaimerIsDeadLocalProcess(const std::string& token, const std::string& host) {
    std::vector<std::string> parts;
    std::stringstream ss(token);
    for (std::string part; std::getline(ss, part, '/');) parts.push_back(part);
    if (parts.size() != 4 || parts[0] != "d1" || parts[1] != host) return false;
    const auto dot = parts[2].find('.');
    pid_t pid = 0;
    try {
        pid = static_cast<pid_t>(std::stol(parts[2].substr(0, dot)));
    } catch (const std::exception&) {
        return false;
    }
    if (pid <= 0) return false;
    if (pid == getpid()) return false;  // another dispatcher of this very process
    if (kill(pid, 0) != 0 && errno == ESRCH) return true;
    // The pid runs; is it still the same process?
    const std::string start = dot == std::string::npos ? "" : parts[2].substr(dot + 1);
    const std::string now_start = ProcessStartTime(pid);
    return !start.empty() && !now_start.empty() && start != now_start;
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

/// One claimed item on its way through the dispatcher. Heap-allocated and never moved, so
/// the PublishRequest's references into it stay valid while the call is in flight.
struct Job {
    ClaimedItem item;
    std::shared_ptr<RunTracker> tracker;
    RunClock now;
    SteadyTime claimed_at;
    SteadyTime started_steady;
    TimePoint started{};
    TimePoint finished{};
    std::optional<publishers::PublishRequest> request;
    PublishResult result;
    bool lost = false;  // the claim was gone before the call: nothing to settle
    bool launch_pending = false;  // for the settler: renew the lease, then launch
};
using JobPtr = std::shared_ptr<Job>;

/// Finished calls waiting to be settled. Shared with the publishers' callbacks, which may
/// outlive the dispatcher (a call still in flight at destruction is simply dropped: its item
/// is taken over after its lease, or at once by the next process on this host).
struct Inbox {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<JobPtr> done;
    bool closed = false;
    int callbacks_running = 0;  // the dispatcher waits for these before it goes away
};

enum class Settled { kPublished, kFailed, kRetry, kLost };

std::string_view ToString(Settled s) {
    switch (s) {
        case Settled::kPublished: return "published";
        case Settled::kFailed: return "failed";
        case Settled::kRetry: return "retry";
        case Settled::kLost: return "lost";
    }
    return "lost";
}

/// What an attempt writes: the content's new state and its record.
struct Settlement {
    Settled kind = Settled::kLost;
    Content content;
    domain::PublishRecord record;
    std::optional<domain::RecordId> record_id;
};

/// Per-site state: concurrency in use, the queue behind the cap, and the token bucket.
struct SiteState {
    int active = 0;  // started, not yet settled
    std::deque<JobPtr> waiting;
    int cap = 1;
    double rate_per_second = 0;  // 0: no limit
    double burst = 1;
    double tokens = 0;
    SteadyTime refilled{};
    std::string options_seen = "\x01";  // options_json the limits were read from
};

}  // namespace

struct Dispatcher::Impl {
    Impl(storage::Store& store, const publishers::PublisherRegistry& publishers,
         const TimeSource& clock, DispatchSettings settings)
        : store_(store),
          publishers_(publishers),
          clock_(clock),
          settings_(settings),
          host_(HostName()),
          claim_token_(MakeClaimToken()),
          inbox_(std::make_shared<Inbox>()),
          rng_(std::random_device{}()) {
        settings_.max_in_flight = std::max(1, settings_.max_in_flight);
        settings_.max_in_flight_per_site = std::max(1, settings_.max_in_flight_per_site);
        settler_ = std::thread([this] { SettlerMain(); });
    }

    ~Impl() {
        bool stopped;
        {
            std::lock_guard lock(mu_);
            stopped = stopped_;
        }
        if (!stopped) Stop(kDestructorGrace);
        {
            std::unique_lock lock(inbox_->mu);
            inbox_->closed = true;  // late callbacks drop their result from here on
            inbox_->cv.notify_all();
            inbox_->cv.wait(lock, [this] { return inbox_->callbacks_running == 0; });
        }
        settler_.join();
    }

    int Capacity() const { return settings_.max_in_flight * kQueueFactor; }

    /// ClaimOne's lease end is given on the caller's clock, measured from the later of `now`
    /// and the wall clock: Claim judges leases on the database's clock, so a `--now` in the
    /// past must not hand out a lease that has already ended there.
    TimePoint LeaseUntil(TimePoint now) const { return std::max(now, WallNow()) + settings_.lease; }

    double Jitter() {
        std::lock_guard lock(rng_mu_);
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    }

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
                spdlog::warn("dispatcher: taking over {} item(s) left publishing by {} dead "
                             "herald process(es) on this host; each is sent again under its "
                             "earlier webhook-id / checked for an earlier delivery",
                             n, dead.size());
        } catch (const std::exception& e) {
            spdlog::error("dispatcher: looking for claims of dead processes failed ({}); "
                          "their leases will expire instead", e.what());
        }
    }

    // --- settling ----------------------------------------------------------------------------

    Settlement Prepare(const ClaimedItem& item, const PublishResult& result, TimePoint started,
                       TimePoint finished) {
        Settlement s;
        Content& c = s.content;
        c = item.content;
        domain::PublishRecord& record = s.record;
        record.content_id = c.id;
        record.site_id = c.site_id;
        record.account_id = c.account_id;
        record.attempt = c.attempts;
        record.started_at = started;
        record.finished_at = finished;
        record.http_status = result.http_status;
        record.due_at = item.due_at;

        SiteAction action = SiteAction::kFail;
        s.kind = Settled::kFailed;
        switch (result.outcome) {
            case PublishOutcome::kPublished:
                s.kind = Settled::kPublished;
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
                    s.kind = Settled::kRetry;
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
        return s;
    }

    void LogSettled(const Settlement& s, const std::string& error) {
        if (!s.record_id)
            spdlog::warn("content {}: claim lost before the attempt was recorded (another "
                         "dispatcher took it over after the lease ran out)",
                         s.content.id);
        else if (s.kind != Settled::kPublished)
            spdlog::warn("content {} attempt {}: {} ({})", s.content.id, s.record.attempt,
                         domain::ToString(s.record.outcome), error);
    }

    std::vector<std::optional<domain::RecordId>> FinishAttempts(
        const std::vector<storage::FinishedAttempt>& batch) {
        return store_.FinishAttempts(batch, claim_token_);
    }

    // --- the store's health ----------------------------------------------------------------

    void StoreFailed(const std::exception& e) {
        std::lock_guard lock(health_mu_);
        if (!store_failing_since_) store_failing_since_ = WallNow();
        last_store_error_ = e.what();
    }
    void StoreOk() {
        std::lock_guard lock(health_mu_);
        if (store_failing_since_)
            spdlog::info("dispatcher: the database answers again (after {} ms)",
                         (WallNow() - *store_failing_since_).count());
        store_failing_since_.reset();
    }
    StoreHealth Health() const {
        std::lock_guard lock(health_mu_);
        StoreHealth h;
        h.ok = !store_failing_since_;
        h.failing_since = store_failing_since_;
        if (store_failing_since_) h.last_error = last_store_error_;
        h.unsettled = unsettled_.load();
        return h;
    }

    /// Records finished attempts. A batch the store refuses (the database is away) is kept
    /// here and written again, backing off up to kMaxErrorBackoff, until it is written: a
    /// publication that happened is never forgotten, and its item stays `publishing` under
    /// this claim meanwhile, so it is not published again by this process (the loop claims
    /// nothing while settlements wait) nor by another before the lease ends.
    void SettlerMain() {
        std::vector<JobPtr> unsettled;
        int failures = 0;
        for (;;) {
            std::vector<JobPtr> jobs;
            {
                std::unique_lock lock(inbox_->mu);
                const Milliseconds backoff = std::min(
                    kMaxErrorBackoff, Milliseconds{250} * (1 << std::min(failures, 5)));
                if (unsettled.empty()) {
                    inbox_->cv.wait(lock,
                                    [this] { return inbox_->closed || !inbox_->done.empty(); });
                } else {
                    inbox_->cv.wait_for(lock, backoff, [this] { return inbox_->closed; });
                }
                if (inbox_->done.empty() && unsettled.empty()) return;  // closed and drained
                if (inbox_->closed && !unsettled.empty() && inbox_->done.empty() &&
                    failures > 0) {
                    spdlog::error("dispatcher: going away with {} attempt(s) not recorded (the "
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
                unsettled_.store(0);
            } else {
                ++failures;
                unsettled = std::move(settle);
                unsettled_.store(unsettled.size());
            }
        }
    }

    /// false: nothing was written (the store failed); the caller keeps the jobs and retries.
    bool SettleBatch(const std::vector<JobPtr>& jobs) {
        std::vector<Settlement> settlements(jobs.size());
        std::vector<storage::FinishedAttempt> batch;
        std::vector<size_t> written;  // index into jobs of each batch entry
        for (size_t i = 0; i < jobs.size(); ++i) {
            const Job& job = *jobs[i];
            if (job.lost) continue;
            settlements[i] = Prepare(job.item, job.result, job.started, job.finished);
            batch.push_back({settlements[i].content, settlements[i].record});
            written.push_back(i);
        }
        try {
            const auto ids = FinishAttempts(batch);
            for (size_t k = 0; k < written.size(); ++k) {
                Settlement& s = settlements[written[k]];
                s.record_id = ids.at(k);
                if (!s.record_id) s.kind = Settled::kLost;
            }
            if (!batch.empty()) StoreOk();
        } catch (const std::exception& e) {
            // Kept in memory and written again: the items stay `publishing` under our claim.
            StoreFailed(e);
            spdlog::error("could not record {} attempt(s) ({}); keeping them to record when "
                          "the database answers",
                          batch.size(), e.what());
            return false;
        }
        // Free the capacity and update the gauges before any waiter on the run hears that
        // its items are settled, so what it reads next (metrics, capacity) is current.
        // A retry is due again soon: the loop must re-read its next wake time.
        const bool retries = std::any_of(settlements.begin(), settlements.end(),
                                         [](const Settlement& s) { return s.kind == Settled::kRetry; });
        {
            std::lock_guard lock(mu_);
            // Settled items free their site's room in the database (and a retry is due again
            // soon): the loop must claim and re-read its next wake time.
            (void)retries;
            wake_requested_ = true;
            for (const JobPtr& job : jobs) {
                --running_;
                --outstanding_;
                running_jobs_.erase(job.get());
            }
            UpdateGaugesLocked();
        }
        for (size_t i = 0; i < jobs.size(); ++i) {
            const Job& job = *jobs[i];
            const Settlement& s = settlements[i];
            if (!job.lost) LogSettled(s, job.result.error);
            metrics_.CountOutcome(domain::ToString(job.item.site.platform_type), ToString(s.kind));
            std::lock_guard lock(job.tracker->mu);
            switch (s.kind) {
                case Settled::kPublished: ++job.tracker->summary.published; break;
                case Settled::kFailed: ++job.tracker->summary.failed; break;
                case Settled::kRetry: ++job.tracker->summary.retry; break;
                case Settled::kLost: break;
            }
            --job.tracker->outstanding;
            job.tracker->settled.notify_all();
        }
        pool_changed_.notify_all();
        loop_cv_.notify_all();  // capacity freed: the loop may claim more
        return true;
    }

    // --- queues, caps and rate limits ----------------------------------------------------

    /// Reads a site's limits from its options_json when they changed.
    void ConfigureSite(SiteState& state, const domain::Site& site) {
        if (state.options_seen == site.options_json) return;
        state.options_seen = site.options_json;
        int cap = settings_.max_in_flight_per_site;
        double per_minute = settings_.rate_limit_per_minute;
        std::optional<double> burst;
        const auto options = nlohmann::json::parse(site.options_json, nullptr, false);
        if (options.is_object()) {
            if (auto it = options.find("max_in_flight"); it != options.end() && it->is_number())
                cap = std::max(1, it->get<int>());
            if (auto it = options.find("rate_limit_per_minute");
                it != options.end() && it->is_number())
                per_minute = std::max(0.0, it->get<double>());
            if (auto it = options.find("rate_limit_burst"); it != options.end() && it->is_number())
                burst = std::max(1.0, it->get<double>());
        }
        state.cap = cap;
        const double old_rate = state.rate_per_second;
        state.rate_per_second = per_minute / 60.0;
        state.burst = burst.value_or(std::max(1.0, state.rate_per_second));
        if (old_rate == 0 && state.rate_per_second > 0) {
            state.tokens = state.burst;
            state.refilled = std::chrono::steady_clock::now();
        }
    }

    /// Starts what the caps and buckets of `sites` allow; the caller launches the result
    /// after unlocking.
    std::vector<JobPtr> PumpLocked(const std::set<domain::SiteId>& sites) {
        std::vector<JobPtr> launch;
        const SteadyTime now = std::chrono::steady_clock::now();
        for (domain::SiteId id : sites) {
            SiteState& site = sites_[id];
            if (site.rate_per_second > 0) {
                const double elapsed = std::chrono::duration<double>(now - site.refilled).count();
                site.tokens = std::min(site.burst, site.tokens + elapsed * site.rate_per_second);
                site.refilled = now;
            }
            while (!stop_requested_ && site.active < site.cap && !site.waiting.empty()) {
                if (site.rate_per_second > 0) {
                    if (site.tokens < 1.0) break;
                    site.tokens -= 1.0;
                }
                JobPtr job = std::move(site.waiting.front());
                site.waiting.pop_front();
                ++site.active;
                ++running_;
                running_jobs_.insert(job.get());
                launch.push_back(std::move(job));
            }
            if (site.waiting.empty()) {
                waiting_sites_.erase(id);
            } else {
                waiting_sites_.insert(id);
            }
        }
        return launch;
    }

    /// When the next token of a rate-limited site with a queue arrives (nullopt: none waits).
    std::optional<SteadyTime> NextTokenLocked() const {
        std::optional<SteadyTime> next;
        for (domain::SiteId id : waiting_sites_) {
            const SiteState& site = sites_.at(id);
            if (site.rate_per_second <= 0 || site.active >= site.cap) continue;
            const auto wait = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                std::chrono::duration<double>(std::max(0.0, 1.0 - site.tokens) /
                                              site.rate_per_second));
            const SteadyTime at = site.refilled + wait;
            if (!next || at < *next) next = at;
        }
        return next;
    }

    /// Sites whose queue is full: Claim leaves their items for later.
    std::vector<domain::SiteId> FullSitesLocked() const {
        std::vector<domain::SiteId> full;
        for (domain::SiteId id : waiting_sites_) {
            const SiteState& site = sites_.at(id);
            if (static_cast<int>(site.waiting.size()) >= SiteQueueLimit(site)) full.push_back(id);
        }
        return full;
    }

    void UpdateGaugesLocked() {
        metrics_.SetInFlight(running_);
        metrics_.SetQueueDepth(outstanding_ - running_);
    }

    void Submit(std::vector<ClaimedItem> items, const std::shared_ptr<RunTracker>& tracker,
                const RunClock& now) {
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
                job->claimed_at = claimed_at;
                SiteState& site = sites_[job->item.site.id];
                ConfigureSite(site, job->item.site);
                touched.insert(job->item.site.id);
                site.waiting.push_back(std::move(job));
                ++outstanding_;
            }
            launch = PumpLocked(touched);
            // One claim may have taken a slow site's whole backlog: keep a full queue of it
            // and give the rest back, so the room goes to other sites' items.
            for (domain::SiteId id : touched) {
                SiteState& site = sites_[id];
                while (static_cast<int>(site.waiting.size()) > SiteQueueLimit(site)) {
                    excess.push_back(std::move(site.waiting.back()));
                    site.waiting.pop_back();
                    --outstanding_;
                }
            }
            UpdateGaugesLocked();
        }
        Launch(launch);
        if (!excess.empty()) Release(excess);
    }

    static int SiteQueueLimit(const SiteState& site) {
        return std::max(kMinSiteQueue, site.cap * kSiteQueueFactor);
    }

    /// Gives claimed, never-started items back (`scheduled`, attempt not counted).
    void Release(const std::vector<JobPtr>& jobs) {
        std::vector<domain::ContentId> ids;
        for (const auto& job : jobs) ids.push_back(job->item.content.id);
        try {
            store_.ReleaseClaims(ids, claim_token_, clock_.Now());
        } catch (const std::exception& e) {
            spdlog::error("dispatcher: releasing {} claims failed ({}); their leases will "
                          "expire instead", ids.size(), e.what());
        }
        for (const auto& job : jobs) {
            std::lock_guard lock(job->tracker->mu);
            --job->tracker->outstanding;
            job->tracker->settled.notify_all();
        }
        pool_changed_.notify_all();
    }

    /// Re-checks the rate-limited queues (their tokens arrive with time, not with events).
    void PumpWaiting() {
        std::vector<JobPtr> launch;
        {
            std::lock_guard lock(mu_);
            if (waiting_sites_.empty()) return;
            launch = PumpLocked(std::set<domain::SiteId>(waiting_sites_.begin(),
                                                          waiting_sites_.end()));
            UpdateGaugesLocked();
        }
        Launch(launch);
    }

    // --- publishing ------------------------------------------------------------------------

    /// For a job that never made a call (lost claim, no adapter, adapter threw).
    void Deliver(const JobPtr& job) {
        {
            std::lock_guard lock(inbox_->mu);
            if (inbox_->closed) return;
            inbox_->done.push_back(job);
        }
        inbox_->cv.notify_all();
        CallFinished(*job);
    }

    /// The site's slot is free as soon as the remote call is over (recording it is the
    /// settler's business), so the next item of the site starts without waiting for the
    /// database. Runs on whatever thread finished the call; never blocks.
    void CallFinished(const Job& job) {
        const domain::SiteId site = job.item.site.id;
        std::vector<JobPtr> launch;
        {
            std::lock_guard lock(mu_);
            --sites_[site].active;
            launch = PumpLocked({site});
            UpdateGaugesLocked();
        }
        for (const JobPtr& next : launch) LaunchOne(next, /*may_block=*/false);
    }

    void Launch(const std::vector<JobPtr>& jobs) {
        for (const JobPtr& job : jobs) LaunchOne(job, /*may_block=*/true);
    }

    /// Starts the call of `job`, which holds a slot of its site. `may_block` false (on a
    /// publisher's callback thread): a job that needs its lease renewed first is handed to
    /// the settler thread instead of touching the database here.
    void LaunchOne(const JobPtr& job, bool may_block) {
        const ClaimedItem& item = job->item;
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
                spdlog::warn("content {}: claim lost while queued; not publishing it",
                             item.content.id);
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
        metrics_.ObserveLateness(job->started - item.due_at);

        publishers::Publisher* publisher = publishers_.For(item.site.platform_type);
        if (!publisher) {
            job->result.outcome = PublishOutcome::kPermanent;
            job->result.error =
                fmt::format("publishing to {} is not supported by this version of herald yet",
                            platform);
            job->finished = job->started;
            Deliver(job);
            return;
        }
        // attempts counts this one: a second attempt (or a taken-over claim) may follow one
        // that reached the target without herald hearing the answer.
        job->request.emplace(publishers::PublishRequest{item.site, item.content,
                                                        item.content.publication_id,
                                                        item.content.attempts > 1});
        std::weak_ptr<Inbox> inbox = inbox_;
        auto done = [this, job, inbox, platform](PublishResult result) {
            auto box = inbox.lock();
            if (!box) return;
            {
                std::lock_guard lock(box->mu);
                if (box->closed) return;  // the dispatcher is gone; the lease takes care of it
                ++box->callbacks_running;  // keeps the dispatcher alive until we are done
                job->result = std::move(result);
                job->finished = job->now();
                metrics_.ObserveRequestDuration(
                    platform, std::chrono::duration_cast<Milliseconds>(
                                  std::chrono::steady_clock::now() - job->started_steady));
                box->done.push_back(job);
            }
            box->cv.notify_all();
            CallFinished(*job);
            {
                std::lock_guard lock(box->mu);
                --box->callbacks_running;
            }
            box->cv.notify_all();
        };
        try {
            publisher->PublishAsync(*job->request, std::move(done));
        } catch (const std::exception& e) {
            // Adapters must not throw; if one does, treat it like a flaky remote (bounded by
            // max_attempts) rather than losing the item.
            spdlog::error("publisher for content {} threw: {}", item.content.id, e.what());
            job->result = PublishResult{};
            job->result.outcome = PublishOutcome::kTransient;
            job->result.error = fmt::format("internal error while publishing: {}", e.what());
            job->finished = job->now();
            Deliver(job);
        }
    }

    // --- waiting -------------------------------------------------------------------------------

    /// Blocks until fewer than Capacity() items are outstanding; returns the free room.
    int WaitForCapacity() {
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

    void WaitSettled(RunTracker& tracker) {
        std::unique_lock lock(tracker.mu);
        while (tracker.outstanding > 0) {
            tracker.settled.wait_for(lock, kMinBusyWait);
            if (tracker.outstanding == 0) break;
            lock.unlock();
            PumpWaiting();
            lock.lock();
        }
    }

    std::vector<domain::SiteId> FullSites() {
        std::lock_guard lock(mu_);
        return FullSitesLocked();
    }

    // --- entry points ----------------------------------------------------------------------

    /// Due at `now` (the caller's clock), leases on the database's, the per-site cap counted
    /// over every process sharing the database.
    std::vector<ClaimedItem> ClaimBatch(TimePoint now, int room,
                                        const std::vector<domain::SiteId>& full) {
        storage::ClaimRequest request;
        request.now = now;
        request.limit = room;
        request.claim_token = claim_token_;
        request.lease = settings_.lease;
        request.skip_sites = full;
        request.max_in_flight_per_site = settings_.max_in_flight_per_site;
        return store_.Claim(request);
    }

    RunSummary RunDueOnce(TimePoint now) {
        RecoverLocalClaimsOnce();
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
                // An empty claim ends the run only if none of ours was out while it ran: one
                // that settled meanwhile may have freed its site's room after the claim
                // counted it (the claim saw the site at its cap).
                bool idle_before = false;
                {
                    std::lock_guard lock(tracker->mu);
                    idle_before = tracker->outstanding == 0;
                }
                auto items = ClaimBatch(now, room, FullSites());
                if (items.empty()) {
                    // Items of sites at their cap (here or in the database) may still be due
                    // in this run: while ours are out, wait for one to settle and try again.
                    {
                        std::lock_guard lock(tracker->mu);
                        if (idle_before && tracker->outstanding == 0 && FullSites().empty())
                            break;
                        // Ours all settled during the claim: claim again before deciding.
                        if (!idle_before && tracker->outstanding == 0) continue;
                    }
                    PumpWaiting();  // rate-limited queues move with time
                    std::unique_lock lock(mu_);
                    pool_changed_.wait_for(lock, kMinBusyWait);
                    continue;
                }
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

    std::optional<Result<PublishNowResult>> PublishNow(domain::AccountId account,
                                                       domain::ContentId id) {
        const TimePoint now = clock_.Now();
        auto claimed = store_.ClaimOne(account, id, claim_token_, now, LeaseUntil(now));
        if (!claimed) return std::nullopt;
        if (!claimed->ok()) return Result<PublishNowResult>(claimed->error());
        const ClaimedItem& item = claimed->value();
        try {
            // ClaimOne measured the lease on our clock; put it on the database's, which other
            // processes compare it with.
            store_.RenewLease(item.content.id, claim_token_, settings_.lease);
        } catch (const std::exception& e) {
            spdlog::warn("content {}: renewing the lease failed ({})", item.content.id, e.what());
        }
        const std::string_view platform = domain::ToString(item.site.platform_type);
        const TimePoint started = clock_.Now();
        metrics_.CountAttempt(platform);
        PublishResult result;
        if (publishers::Publisher* publisher = publishers_.For(item.site.platform_type)) {
            try {
                result = publisher->Publish(publishers::PublishRequest{
                    item.site, item.content, item.content.publication_id,
                    item.content.attempts > 1});
            } catch (const std::exception& e) {
                result.outcome = PublishOutcome::kTransient;
                result.error = fmt::format("internal error while publishing: {}", e.what());
            }
        } else {
            result.outcome = PublishOutcome::kPermanent;
            result.error = fmt::format(
                "publishing to {} is not supported by this version of herald yet", platform);
        }
        const TimePoint finished = clock_.Now();
        metrics_.ObserveRequestDuration(platform, finished - started);
        Settlement s = Prepare(item, result, started, finished);
        try {
            s.record_id = FinishAttempts({{s.content, s.record}}).at(0);
        } catch (const std::exception& e) {
            metrics_.CountOutcome(platform, ToString(Settled::kLost));
            throw;
        }
        if (!s.record_id) s.kind = Settled::kLost;
        LogSettled(s, result.error);
        metrics_.CountOutcome(platform, ToString(s.kind));
        if (s.kind == Settled::kLost)
            return Result<PublishNowResult>(Error::Conflict(
                "claim_lost", "The publication took too long and was taken over by another "
                              "dispatcher; see the content's publishing records."));
        PublishNowResult answer;
        answer.content = std::move(s.content);
        answer.record_id = *s.record_id;
        answer.success = s.kind == Settled::kPublished;
        answer.error = result.outcome == PublishOutcome::kPublished ? "" : result.error;
        answer.http_status = result.http_status;
        return Result<PublishNowResult>(std::move(answer));
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
                if (n.kinds & storage::ChangeNotice::kDue) WakeFromFeed();
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
            const int room = Capacity() - outstanding_;
            const std::vector<domain::SiteId> full = FullSitesLocked();
            lock.unlock();

            PumpWaiting();
            size_t claimed = 0;
            std::optional<Milliseconds> next;
            bool error = false;
            // Attempts that could not be recorded yet come first: claiming meanwhile could
            // take our own unrecorded items again once their lease ran out.
            const bool unsettled = unsettled_.load() > 0;
            try {
                const TimePoint now = clock_.Now();
                if (room > 0 && !unsettled) {
                    auto items = ClaimBatch(now, room, full);
                    claimed = items.size();
                    Submit(std::move(items), loop_tracker_, real_clock);
                }
                next = store_.NextWorkIn(now);
                if (next) next = *next - (clock_.Now() - now);  // as of the wait below
                failures = 0;
                StoreOk();
            } catch (const std::exception& e) {
                error = true;
                ++failures;
                StoreFailed(e);
                spdlog::error("dispatcher: {} (trying again shortly)", e.what());
            }

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

            Milliseconds wait = settings_.idle_wake;
            if (next) {
                const Milliseconds until = *next;
                // +1 ms: the clock is read in whole milliseconds, wake just after, not before.
                wait = std::min(wait, std::max(Milliseconds{0}, until + Milliseconds{1}));
                // Due already but nothing claimable (our own lease, a full site, a race, or
                // no room): do not spin; capacity and Wake() cut the wait short.
                if (until.count() <= 0) wait = std::max(wait, kMinBusyWait);
            }
            const bool full_pool = outstanding_ >= Capacity();
            if (full_pool) wait = settings_.idle_wake;
            if (const auto token = NextTokenLocked()) {
                const auto until = std::chrono::duration_cast<Milliseconds>(
                    *token - std::chrono::steady_clock::now());
                wait = std::min(wait, std::max(Milliseconds{1}, until + Milliseconds{1}));
            }
            const int full_sites = static_cast<int>(full.size());
            loop_cv_.wait_for(lock, wait, [&] {
                return stop_requested_ || wake_requested_ ||
                       (full_pool && outstanding_ < Capacity()) ||
                       (full_sites > 0 && static_cast<int>(FullSitesLocked().size()) < full_sites);
            });
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

        // Items claimed but not started go back to `scheduled` right away, for whoever
        // runs next; the running ones get until the deadline.
        std::vector<JobPtr> unstarted;
        {
            std::lock_guard lock(mu_);
            for (auto& [id, site] : sites_) {
                for (auto& job : site.waiting) unstarted.push_back(std::move(job));
                site.waiting.clear();
            }
            waiting_sites_.clear();
            outstanding_ -= static_cast<int>(unstarted.size());
            UpdateGaugesLocked();
        }
        if (!unstarted.empty()) Release(unstarted);
        pool_changed_.notify_all();

        std::vector<domain::ContentId> still_running;
        {
            std::unique_lock lock(mu_);
            if (!pool_changed_.wait_for(lock, deadline, [this] { return running_ == 0; })) {
                for (const Job* job : running_jobs_) still_running.push_back(job->item.content.id);
            }
        }
        if (!still_running.empty()) {
            // Their calls may still reach the target: back to `scheduled` with the attempt
            // counted, so the next try goes out under the same webhook-id and knows it may
            // be a repeat. Nothing is left `publishing` behind a lease.
            spdlog::warn("dispatcher: {} publication(s) still in flight at the shutdown "
                         "deadline; putting them back to be sent again (same webhook-id)",
                         still_running.size());
            try {
                store_.AbandonClaims(still_running, claim_token_, clock_.Now());
            } catch (const std::exception& e) {
                spdlog::error("dispatcher: giving back {} claims failed ({}); their leases "
                              "will expire instead", still_running.size(), e.what());
            }
        }
    }

    void Wake() {
        {
            std::lock_guard lock(mu_);
            wake_requested_ = true;
        }
        loop_cv_.notify_all();
    }

    /// From the change feed's thread: never waits on mu_ for long (the loop holds it only
    /// between store calls), and a notification storm costs one loop pass per wake-up.
    void WakeFromFeed() { Wake(); }

    storage::Store& store_;
    const publishers::PublisherRegistry& publishers_;
    const TimeSource& clock_;
    DispatchSettings settings_;
    const std::string host_;
    const std::string claim_token_;
    herald::dispatch::Metrics metrics_;
    std::atomic<bool> recovered_{false};
    std::shared_ptr<Inbox> inbox_;
    std::thread settler_;

    std::mutex rng_mu_;
    std::mt19937_64 rng_;

    std::mutex mu_;  // guards everything below
    std::condition_variable pool_changed_;  // a job settled or was released
    std::condition_variable loop_cv_;       // the loop: wake, stop, or room to claim
    std::map<domain::SiteId, SiteState> sites_;
    std::set<domain::SiteId> waiting_sites_;  // sites with a non-empty queue
    std::set<const Job*> running_jobs_;
    int outstanding_ = 0;  // claimed and not settled (queued + running)
    int running_ = 0;      // started and not settled

    std::thread loop_;
    std::shared_ptr<RunTracker> loop_tracker_;
    bool stop_requested_ = false;
    bool stopped_ = false;
    bool wake_requested_ = false;
    std::atomic<int64_t> heartbeat_ms_{0};

    std::unique_ptr<storage::ChangeSubscription> subscription_;
    std::atomic<size_t> unsettled_{0};  // attempts waiting to be recorded
    mutable std::mutex health_mu_;
    std::optional<TimePoint> store_failing_since_;
    std::string last_store_error_;
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

const herald::dispatch::Metrics& Dispatcher::Metrics() const { return impl_->metrics_; }

const std::string& Dispatcher::ClaimToken() const { return impl_->claim_token_; }

StoreHealth Dispatcher::Health() const { return impl_->Health(); }

}  // namespace herald::dispatch
