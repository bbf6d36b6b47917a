#pragma once
// Event hooks (API.md §8): an owner's URL that receives signed notices of what herald did —
// content published or failed, a site degraded, paused or recovered. Plain data and the
// pure rules about it; the outbox that delivers them is in storage and src/hooks/.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/time.hpp"
#include "domain/model.hpp"
#include "domain/retry_policy.hpp"

namespace herald::domain {

using EventHookId = int64_t;
using HookDeliveryId = int64_t;

/// The events a hook may subscribe to, in API order.
inline constexpr std::array<std::string_view, 5> kHookEvents = {
    "content.published", "content.failed", "site.degraded", "site.paused", "site.recovered"};

bool IsHookEvent(std::string_view name);

inline constexpr size_t kMaxHookSecretBytes = 256;

struct EventHook {
    EventHookId id = 0;
    AccountId account_id = 0;
    std::string url;
    std::string secret;               // write-only through the API; never logged
    std::vector<std::string> events;  // a non-empty subset of kHookEvents, in API order
    bool is_active = true;
    int64_t version = 1;  // grows with every change
    TimePoint created_at{};
    TimePoint updated_at{};
};

enum class DeliveryState { kPending, kDelivered, kFailed };
std::string_view ToString(DeliveryState s);
std::optional<DeliveryState> ParseDeliveryState(std::string_view s);

/// One event for one hook: a row of the durable outbox.
struct HookDelivery {
    HookDeliveryId id = 0;
    EventHookId hook_id = 0;
    AccountId account_id = 0;
    std::string event_type;
    std::string body;        // the exact JSON POSTed: {"type", "timestamp", "data"}
    std::string webhook_id;  // "msg_…", the same for every attempt of this delivery
    int attempts = 0;
    DeliveryState state = DeliveryState::kPending;
    TimePoint created_at{};
    TimePoint next_attempt_at{};
    std::optional<TimePoint> finished_at;
    std::optional<int> last_status;
    std::string last_error;  // empty = none
};

/// Events as stored: "content.published,site.paused" (kHookEvents order, no duplicates).
std::string JoinHookEvents(const std::vector<std::string>& events);
std::vector<std::string> SplitHookEvents(std::string_view stored);

/// Sorts `events` into kHookEvents order; kInvalid (field "events") when empty, when one is
/// not an event name, or when one is listed twice.
Result<std::vector<std::string>> NormalizeHookEvents(const std::vector<std::string>& events);

/// url required, an http(s) URL within kMaxUrlBytes; events valid (NormalizeHookEvents);
/// secret within kMaxHookSecretBytes. kInvalid naming the field. (Whether a "whsec_" secret
/// decodes is the signing code's rule: the API checks it with publishers::webhook.)
Status ValidateEventHook(const EventHook& hook);

/// How failed deliveries are retried: the publisher's backoff (doubling, capped, jittered,
/// honouring Retry-After), for as long as the window after the event lasts.
struct HookRetryPolicy {
    RetryPolicy backoff{.max_attempts = 1000,
                        .base_delay = std::chrono::seconds{5},
                        .max_delay = std::chrono::minutes{30},
                        .jitter_fraction = 0.2,
                        .max_retry_after = std::chrono::hours{1}};
    Milliseconds window = std::chrono::hours{24};
};

/// After attempt `attempt` (1-based) of a delivery created at `created_at` failed with
/// `kind` at `now`: when to try again, or nullopt to give up (a permanent failure, attempts
/// used up, or a next attempt that would fall after created_at + window). `jitter_unit` in
/// [0,1) as for DecideRetry.
std::optional<TimePoint> NextHookAttempt(const HookRetryPolicy& policy, int attempt,
                                         FailureKind kind, std::optional<Milliseconds> retry_after,
                                         TimePoint created_at, TimePoint now, double jitter_unit);

}  // namespace herald::domain
