#pragma once
// What one finished publishing attempt does to its item: published, retried later, failed,
// or held (its site paused) — and what it says about the site's health. Pure: the
// dispatcher's pipeline reports the attempt, this decides, the store writes the decision
// under the claim. Every state change goes through NextSiteStatus.

#include <optional>
#include <string>

#include "common/time.hpp"
#include "domain/model.hpp"
#include "domain/retry_policy.hpp"
#include "domain/site_health.hpp"

namespace herald::domain {

/// How an attempt ended, as the adapter classified it.
enum class AttemptResult {
    kPublished,           // the remote post exists
    kTransient,           // timeout, connection error, 408/425/429/5xx: try again later
    kCredentialsRefused,  // 401/403 or no credentials: the whole site pauses
    kRejected,            // another 4xx, or this item cannot be sent: this item fails
};

struct AttemptReport {
    AttemptResult result = AttemptResult::kRejected;
    std::optional<int> http_status;
    std::string error;  // for the owner, when not published
    std::string external_id;
    std::string external_url;
    std::optional<Milliseconds> retry_after;  // the server's Retry-After
    TimePoint started{};
    TimePoint finished{};
};

struct SettlementRules {
    RetryPolicy retry;
    /// Transient failures are retried until this long after the item's scheduled time.
    Milliseconds retry_window = std::chrono::hours{24};
    /// "Publish now" is one attempt: a failure of any kind fails the item (502), nothing
    /// goes on in the background.
    bool one_shot = false;
};

enum class Settled { kPublished, kFailed, kRetry, kHeld };

std::string_view ToString(Settled s);

struct Settlement {
    Settled kind = Settled::kFailed;
    Content content;       // the item as it is to be written
    PublishRecord record;  // the attempt's one record
    HealthSignal signal = HealthSignal::kNone;
};

/// `claimed` is the item as claimed (attempts counts this attempt); `due_at` when it was
/// due. `jitter_unit` in [0,1) spreads retries (the caller supplies randomness).
Settlement Settle(const Content& claimed, TimePoint due_at, const AttemptReport& report,
                  const SettlementRules& rules, double jitter_unit);

/// Until when an item's transient failures are retried: its scheduled time (or, with none,
/// the time it was due) plus the window.
TimePoint RetryDeadline(const Content& item, TimePoint due_at, Milliseconds retry_window);

}  // namespace herald::domain
