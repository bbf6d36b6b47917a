#pragma once
// When a failed publishing attempt is tried again, and when it is given up.

#include <optional>

#include "common/time.hpp"

namespace herald::domain {

enum class FailureKind {
    kTransient,           // timeouts, connection errors, 408, 429, 5xx: try again later
    kPermanent,           // other 4xx: retrying this item cannot help
    kCredentialsRefused,  // 401, 403: the target refuses the site's credentials (site pauses)
};

/// 408, 425, 429 and 5xx are transient; 401 and 403 refuse the credentials; every other 4xx
/// is permanent.
/// (2xx/3xx are not failures; callers must not pass them.)
FailureKind ClassifyHttpStatus(int http_status);

struct RetryPolicy {
    /// First try included; 0: no count, only the retry window (the site's
    /// retry_window_minutes) ends the retries.
    int max_attempts = 0;
    Milliseconds base_delay = std::chrono::seconds{2};     // before the 2nd attempt
    Milliseconds max_delay = std::chrono::minutes{10};     // cap on exponential growth
    double jitter_fraction = 0.2;                          // ± share of the delay
    Milliseconds max_retry_after = std::chrono::hours{1};  // cap on a server's Retry-After
};

struct RetryDecision {
    bool retry = false;           // false: mark failed now
    TimePoint next_attempt_at{};  // when retry is true
};

/// Decides after attempt number `attempt` (1-based) failed with `kind`.
/// Backoff is base·2^(attempt-1), capped, with jitter from `jitter_unit` in [0,1)
/// (the caller supplies randomness so this stays pure). A server's Retry-After is honoured
/// when longer than the backoff (capped at max_retry_after). No retry once `now` has reached
/// `deadline` (the end of the retry window); a retry that would fall after it is moved to
/// it, so the last attempt happens as the window closes.
RetryDecision DecideRetry(const RetryPolicy& policy, int attempt, FailureKind kind,
                          std::optional<Milliseconds> retry_after, TimePoint now,
                          double jitter_unit, TimePoint deadline = TimePoint::max());

}  // namespace herald::domain
