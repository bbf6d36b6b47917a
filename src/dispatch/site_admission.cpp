#include "dispatch/site_admission.hpp"

#include <algorithm>

#include "domain/delivery_options.hpp"

namespace herald::dispatch {
namespace {

// A site with this many times its cap waiting is left out of claims until it drains, so its
// backlog cannot take the room other sites' items need.
constexpr int kSiteQueueFactor = 4;
constexpr int kMinSiteQueue = 16;
// A degraded site's probe was found due when it was claimed; here only "one at a time" and
// "none while paused" remain to check.
constexpr TimePoint kProbeCheckedAtClaim = TimePoint::max();

}  // namespace

void SiteAdmission::Configure(SiteState& state, const domain::Site& site) {
    if (state.options_seen == site.options_json) return;
    state.options_seen = site.options_json;
    const domain::DeliveryOptions options = domain::ReadDeliveryOptions(site.options_json);
    const int cap = options.max_in_flight.value_or(limits_.max_in_flight_per_site);
    const double per_minute = options.rate_limit_per_minute.value_or(limits_.rate_limit_per_minute);
    const std::optional<double> burst = options.rate_limit_burst;
    state.cap = std::max(1, cap);
    const double old_rate = state.rate_per_second;
    state.rate_per_second = per_minute / 60.0;
    state.burst = burst.value_or(std::max(1.0, state.rate_per_second));
    if (old_rate == 0 && state.rate_per_second > 0) {
        state.tokens = state.burst;
        state.refilled = std::chrono::steady_clock::now();
    }
}

int SiteAdmission::QueueLimit(const SiteState& site) {
    return std::max(kMinSiteQueue, site.cap * kSiteQueueFactor);
}

void SiteAdmission::Enqueue(JobPtr job) {
    SiteState& site = sites_[job->item.site.id];
    Configure(site, job->item.site);
    // The claim read the site's health with the item: a fresher reading than ours when the
    // site's health changed in another process.
    site.health = job->item.site.health;
    site.waiting.push_back(std::move(job));
}

std::vector<JobPtr> SiteAdmission::Pump(const std::set<domain::SiteId>& sites, SteadyTime now) {
    std::vector<JobPtr> launch;
    for (domain::SiteId id : sites) {
        SiteState& site = sites_[id];
        if (site.rate_per_second > 0) {
            const double elapsed = std::chrono::duration<double>(now - site.refilled).count();
            site.tokens = std::min(site.burst, site.tokens + elapsed * site.rate_per_second);
            site.refilled = now;
        }
        // "Publish now" is the owner's explicit request: it goes whatever the health (it
        // is a probe of its own), within the cap.
        while (site.active < (site.proven ? site.cap : 1) && site.failures_unsettled == 0 &&
               !site.waiting.empty() &&
               (site.waiting.front()->one_shot ||
                domain::AdmitsCall(site.health, site.active, kProbeCheckedAtClaim))) {
            if (site.rate_per_second > 0) {
                if (site.tokens < 1.0) break;
                site.tokens -= 1.0;
            }
            launch.push_back(std::move(site.waiting.front()));
            site.waiting.pop_front();
            ++site.active;
        }
        if (site.waiting.empty()) {
            waiting_sites_.erase(id);
        } else {
            waiting_sites_.insert(id);
        }
    }
    return launch;
}

std::vector<JobPtr> SiteAdmission::PumpAll(SteadyTime now) {
    if (waiting_sites_.empty()) return {};
    return Pump(std::set<domain::SiteId>(waiting_sites_.begin(), waiting_sites_.end()), now);
}

bool SiteAdmission::CallFinished(domain::SiteId id, CallEnd end) {
    SiteState& site = sites_[id];
    --site.active;
    bool hold = false;
    switch (end) {
        case CallEnd::kSucceeded:
            site.proven = true;
            break;
        case CallEnd::kSiteRefused:
            site.proven = false;
            hold = true;
            break;
        case CallEnd::kTransient:
            hold = !site.proven;
            break;
        case CallEnd::kItemError:
        case CallEnd::kNoCall:
            break;
    }
    if (hold) ++site.failures_unsettled;
    return hold;
}

void SiteAdmission::FailureSettled(domain::SiteId id) {
    SiteState& site = sites_[id];
    site.failures_unsettled = std::max(0, site.failures_unsettled - 1);
}

std::vector<JobPtr> SiteAdmission::SetHealth(domain::SiteId id,
                                             const domain::SiteHealthState& health) {
    SiteState& site = sites_[id];
    const bool was_healthy = site.health.health == domain::SiteHealth::kHealthy;
    site.health = health;
    std::vector<JobPtr> released;
    if (health.health == domain::SiteHealth::kHealthy || !was_healthy) return released;
    // Claimed while the site was healthy: not probes. They wait in the database. A
    // publish-now stays: its caller waits for its one attempt.
    std::deque<JobPtr> kept;
    for (auto& job : site.waiting) {
        if (job->one_shot) {
            kept.push_back(std::move(job));
        } else {
            released.push_back(std::move(job));
        }
    }
    site.waiting = std::move(kept);
    if (site.waiting.empty()) waiting_sites_.erase(id);
    return released;
}

std::vector<JobPtr> SiteAdmission::TrimQueues(const std::set<domain::SiteId>& sites) {
    std::vector<JobPtr> excess;
    for (domain::SiteId id : sites) {
        SiteState& site = sites_[id];
        while (static_cast<int>(site.waiting.size()) > QueueLimit(site)) {
            excess.push_back(std::move(site.waiting.back()));
            site.waiting.pop_back();
        }
    }
    return excess;
}

std::vector<JobPtr> SiteAdmission::TakeAllWaiting() {
    std::vector<JobPtr> all;
    for (auto& [id, site] : sites_) {
        for (auto& job : site.waiting) all.push_back(std::move(job));
        site.waiting.clear();
    }
    waiting_sites_.clear();
    return all;
}

std::optional<SteadyTime> SiteAdmission::NextToken() const {
    std::optional<SteadyTime> next;
    for (domain::SiteId id : waiting_sites_) {
        const SiteState& site = sites_.at(id);
        if (site.rate_per_second <= 0 || site.active >= site.cap) continue;
        const auto wait = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(std::max(0.0, 1.0 - site.tokens) / site.rate_per_second));
        const SteadyTime at = site.refilled + wait;
        if (!next || at < *next) next = at;
    }
    return next;
}

std::vector<domain::SiteId> SiteAdmission::FullSites() const {
    std::vector<domain::SiteId> full;
    for (domain::SiteId id : waiting_sites_) {
        const SiteState& site = sites_.at(id);
        if (static_cast<int>(site.waiting.size()) >= QueueLimit(site)) full.push_back(id);
    }
    return full;
}

}  // namespace herald::dispatch
