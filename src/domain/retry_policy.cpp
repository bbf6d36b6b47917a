#include "domain/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace herald::domain {

FailureKind ClassifyHttpStatus(int http_status) {
    // 408 timeout, 425 too early, 429 rate limited: the same request can succeed later.
    if (http_status == 408 || http_status == 425 || http_status == 429) {
        return FailureKind::kTransient;
    }
    if (http_status >= 500 && http_status <= 599) return FailureKind::kTransient;
    if (http_status == 401 || http_status == 403) return FailureKind::kCredentialsRefused;
    // Other 4xx, and anything outside the failure ranges (which callers should not pass),
    // will not change by asking again.
    return FailureKind::kPermanent;
}

RetryDecision DecideRetry(const RetryPolicy& policy, int attempt, FailureKind kind,
                          std::optional<Milliseconds> retry_after, TimePoint now,
                          double jitter_unit, TimePoint deadline) {
    if (kind != FailureKind::kTransient) return {};
    if (policy.max_attempts > 0 && attempt >= policy.max_attempts) return {};
    if (now >= deadline) return {};

    // Doubling in floating point, then capping, cannot overflow however large `attempt` is.
    const int exponent = std::clamp(attempt, 1, 64) - 1;
    const double base_ms = static_cast<double>(std::max<int64_t>(0, policy.base_delay.count()));
    const double cap_ms = static_cast<double>(std::max<int64_t>(0, policy.max_delay.count()));
    const double backoff_ms = std::min(std::ldexp(base_ms, exponent), cap_ms);

    // jitter_unit in [0,1) maps to a factor in [1-f, 1+f): retries of many items spread out.
    const double fraction = std::clamp(policy.jitter_fraction, 0.0, 1.0);
    const double unit = std::isfinite(jitter_unit) ? std::clamp(jitter_unit, 0.0, 1.0) : 0.5;
    const double jittered_ms = backoff_ms * (1.0 + fraction * (2.0 * unit - 1.0));
    Milliseconds delay{static_cast<int64_t>(std::llround(std::max(0.0, jittered_ms)))};

    // The server knows its own load better than our backoff does, within reason.
    if (retry_after && retry_after->count() > 0) {
        const Milliseconds capped = std::min(*retry_after, policy.max_retry_after);
        delay = std::max(delay, capped);
    }
    if (delay >= deadline - now) return {true, deadline};
    return {true, now + delay};
}

}  // namespace herald::domain
