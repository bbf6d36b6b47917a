#pragma once
// Per-site admission inside one dispatcher: how many of a site's calls may be in flight (its
// cap), the queue behind the cap, an optional token bucket, and the site's health (a
// degraded site takes one probe at a time, a paused one none). Not thread-safe: the
// pipeline calls it under its own lock.

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dispatch/job.hpp"
#include "domain/site_health.hpp"

namespace herald::dispatch {

struct AdmissionLimits {
    int max_in_flight_per_site = 8;  // a site's options_json "max_in_flight" overrides
    int rate_limit_per_minute = 0;   // 0: none; options "rate_limit_per_minute" overrides
};

class SiteAdmission {
public:
    explicit SiteAdmission(AdmissionLimits limits) : limits_(limits) {}

    /// Queues a claimed job behind its site's cap (reading the site's limits when its options
    /// changed).
    void Enqueue(JobPtr job);
    /// Starts what the caps, buckets and health of `sites` allow, in queue order; each
    /// returned job holds a slot of its site until CallFinished.
    std::vector<JobPtr> Pump(const std::set<domain::SiteId>& sites, SteadyTime now);
    /// Pump over every site with a queue (tokens arrive with time, not with events).
    std::vector<JobPtr> PumpAll(SteadyTime now);
    /// How a call ended, as far as admission cares.
    enum class CallEnd { kSucceeded, kTransient, kSiteRefused, kItemError, kNoCall };
    /// The site's call is over: its slot is free. Returns true when the call holds the
    /// site's queue until its attempt is settled (FailureSettled): a refusal of the site, or
    /// any failure before the site has proven itself (its first success since start or since
    /// a refusal) — so a target that refuses or is down meets one call, not a queue's worth.
    bool CallFinished(domain::SiteId site, CallEnd end);
    /// A failed call of the site has been settled (and SetHealth told of any change).
    void FailureSettled(domain::SiteId site);
    /// The site's health as its last settle left it. A site that no longer admits calls
    /// gives back its queue (returned): those items wait in the database without spending
    /// attempts.
    std::vector<JobPtr> SetHealth(domain::SiteId site, const domain::SiteHealthState& health);
    /// Trims each of `sites`' queues to its limit, returning the excess (one claim may have
    /// taken a slow site's whole backlog: the room goes to other sites' items).
    std::vector<JobPtr> TrimQueues(const std::set<domain::SiteId>& sites);
    /// Every queued job, for shutdown.
    std::vector<JobPtr> TakeAllWaiting();

    /// When the next token of a rate-limited site with a queue arrives (nullopt: none waits).
    std::optional<SteadyTime> NextToken() const;
    /// Sites whose queue is full: claims leave their items for later.
    std::vector<domain::SiteId> FullSites() const;

private:
    struct SiteState {
        int active = 0;  // started, not yet finished
        std::deque<JobPtr> waiting;
        int cap = 1;
        double rate_per_second = 0;  // 0: no limit
        double burst = 1;
        double tokens = 0;
        SteadyTime refilled{};
        std::string options_seen = "\x01";  // options_json the limits were read from
        domain::SiteHealthState health;
        /// A call succeeded since start (or since the site refused us). Until then the site
        /// gets one call at a time, like TCP's slow start.
        bool proven = false;
        int failures_unsettled = 0;  // failed calls whose settle has not run yet
    };

    void Configure(SiteState& state, const domain::Site& site);
    static int QueueLimit(const SiteState& site);

    AdmissionLimits limits_;
    std::map<domain::SiteId, SiteState> sites_;
    std::set<domain::SiteId> waiting_sites_;  // sites with a non-empty queue
};

}  // namespace herald::dispatch
