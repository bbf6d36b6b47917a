#pragma once
// Whether herald keeps sending to a site: `healthy`; `degraded` after repeated transient
// failures (one probe call at a time, at least once a minute, the site's other due items
// wait without spending attempts); `paused` when the target refuses or lacks the site's
// credentials (nothing is sent until the owner resumes it). Pure: the store applies these
// rules inside the transaction that settles an attempt, so every process agrees.

#include <optional>
#include <string>
#include <string_view>

#include "common/time.hpp"

namespace herald::domain {

struct Site;

enum class SiteHealth { kHealthy, kDegraded, kPaused };

std::string_view ToString(SiteHealth h);
std::optional<SiteHealth> ParseSiteHealth(std::string_view s);

struct SiteHealthState {
    SiteHealth health = SiteHealth::kHealthy;
    std::string reason;                 // a sentence for the owner; empty when healthy
    std::optional<TimePoint> since;     // when the site entered its current health
    int transient_failures = 0;         // in a row, across the site's items
    std::optional<TimePoint> probe_at;  // degraded: the next probe may start then

    bool operator==(const SiteHealthState&) const = default;
};

/// What one settled attempt says about its site.
enum class HealthSignal {
    kNone,                // nothing about the site (an error about that item only)
    kSuccess,             // the target took a post
    kTransient,           // timeout, connection error, 429, 5xx
    kCredentialsRefused,  // 401/403, or the site has no credentials
};

struct HealthPolicy {
    /// Transient failures in a row. Five, not three: with many calls in flight, a target
    /// that fails a third of calls at random meets three in a row every few dozen calls
    /// (2.7 % per call) and would flap; five in a row is 0.24 %.
    int degrade_after = 5;
    Milliseconds first_probe = std::chrono::seconds{5};         // after becoming degraded
    Milliseconds max_probe_interval = std::chrono::minutes{1};  // "at least once a minute"
};

/// What the owner hears of (event hooks, logs); kNone when the health did not change.
enum class HealthEvent { kNone, kDegraded, kPaused, kRecovered };

std::string_view ToString(HealthEvent e);  // "site.degraded", … ("" for kNone)

struct HealthChange {
    SiteHealthState state;
    HealthEvent event = HealthEvent::kNone;
};

/// The site's health after an attempt that says `signal`, with `reason` the attempt's error.
/// A success while `paused` (a call that started before the pause) leaves it paused: only
/// the owner resumes. `retry_after` (the server asked) stretches the next probe, never past
/// the policy's maximum interval.
HealthChange NextHealth(const HealthPolicy& policy, const SiteHealthState& current,
                        HealthSignal signal, std::string_view reason, TimePoint now,
                        std::optional<Milliseconds> retry_after = std::nullopt);

/// The owner resumed the site (resume endpoint, or new credentials, domain or options).
HealthChange ResumeHealth(const SiteHealthState& current, TimePoint now);

/// An edit of the site that resumes it: new credentials (api_key, username), domain or
/// options are the owner's answer to whatever paused or degraded it.
bool ChangeResumesSite(const Site& before, const Site& after);

/// May an item of a site in `state` start now? Paused: never; degraded: one at a time
/// (`in_flight` == 0) once probe_at has come; healthy: yes (the per-site cap still applies).
bool AdmitsCall(const SiteHealthState& state, int in_flight, TimePoint now);

}  // namespace herald::domain
