#include "domain/site_health.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "domain/model.hpp"

namespace herald::domain {

std::string_view ToString(SiteHealth h) {
    switch (h) {
        case SiteHealth::kHealthy:
            return "healthy";
        case SiteHealth::kDegraded:
            return "degraded";
        case SiteHealth::kPaused:
            return "paused";
    }
    return "healthy";
}

std::optional<SiteHealth> ParseSiteHealth(std::string_view s) {
    if (s == "healthy") return SiteHealth::kHealthy;
    if (s == "degraded") return SiteHealth::kDegraded;
    if (s == "paused") return SiteHealth::kPaused;
    return std::nullopt;
}

std::string_view ToString(HealthEvent e) {
    switch (e) {
        case HealthEvent::kNone:
            return "";
        case HealthEvent::kDegraded:
            return "site.degraded";
        case HealthEvent::kPaused:
            return "site.paused";
        case HealthEvent::kRecovered:
            return "site.recovered";
    }
    return "";
}

namespace {

/// Probes space out as the outage lasts: the wait is as long as the site has been degraded
/// (so 5, 5, 10, 20, 40 s … at the first_probe of 5 s), at least first_probe, at most the
/// maximum. Measured by time, not by failures counted: calls that were in flight when the
/// site degraded fail too, and must not push the next probe out.
Milliseconds ProbeInterval(const HealthPolicy& policy, Milliseconds degraded_for,
                           std::optional<Milliseconds> retry_after) {
    Milliseconds interval = std::clamp(degraded_for, policy.first_probe, policy.max_probe_interval);
    if (retry_after && *retry_after > interval)
        interval = std::min(*retry_after, policy.max_probe_interval);
    return interval;
}

}  // namespace

HealthChange NextHealth(const HealthPolicy& policy, const SiteHealthState& current,
                        HealthSignal signal, std::string_view reason, TimePoint now,
                        std::optional<Milliseconds> retry_after) {
    HealthChange change{current, HealthEvent::kNone};
    SiteHealthState& next = change.state;
    switch (signal) {
        case HealthSignal::kNone:
            return change;
        case HealthSignal::kSuccess:
            if (current.health == SiteHealth::kPaused) return change;
            next = SiteHealthState{};
            if (current.health == SiteHealth::kDegraded) {
                next.since = now;
                change.event = HealthEvent::kRecovered;
            } else {
                next.since = current.since;
            }
            return change;
        case HealthSignal::kTransient: {
            next.transient_failures = current.transient_failures + 1;
            if (current.health == SiteHealth::kPaused) return change;
            if (next.transient_failures < std::max(1, policy.degrade_after)) return change;
            next.reason =
                fmt::format("{} failures in a row; the last: {}", next.transient_failures, reason);
            if (current.health == SiteHealth::kHealthy) {
                next.health = SiteHealth::kDegraded;
                next.since = now;
                change.event = HealthEvent::kDegraded;
                next.probe_at = now + ProbeInterval(policy, Milliseconds{0}, retry_after);
                return change;
            }
            // Degraded: only a probe (a call started once probe_at had come) moves the next
            // probe; a call that was already in flight leaves it where it is.
            if (current.probe_at && now < *current.probe_at) return change;
            const Milliseconds degraded_for =
                current.since ? std::chrono::duration_cast<Milliseconds>(now - *current.since)
                              : Milliseconds{0};
            next.probe_at = now + ProbeInterval(policy, degraded_for, retry_after);
            return change;
        }
        case HealthSignal::kCredentialsRefused:
            next.reason = std::string(reason);
            next.probe_at.reset();
            if (current.health != SiteHealth::kPaused) {
                next.health = SiteHealth::kPaused;
                next.since = now;
                change.event = HealthEvent::kPaused;
            }
            return change;
    }
    return change;
}

HealthChange ResumeHealth(const SiteHealthState& current, TimePoint now) {
    if (current.health == SiteHealth::kHealthy) {
        HealthChange unchanged{current, HealthEvent::kNone};
        unchanged.state.transient_failures = 0;
        return unchanged;
    }
    HealthChange change{SiteHealthState{}, HealthEvent::kRecovered};
    change.state.since = now;
    return change;
}

bool ChangeResumesSite(const Site& before, const Site& after) {
    return before.api_key != after.api_key || before.username != after.username ||
           before.domain != after.domain || before.options_json != after.options_json;
}

bool AdmitsCall(const SiteHealthState& state, int in_flight, TimePoint now) {
    switch (state.health) {
        case SiteHealth::kHealthy:
            return true;
        case SiteHealth::kPaused:
            return false;
        case SiteHealth::kDegraded:
            return in_flight == 0 && (!state.probe_at || *state.probe_at <= now);
    }
    return false;
}

}  // namespace herald::domain
