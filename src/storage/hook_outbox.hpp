#pragma once
// What the event hook outbox's claims and settles carry (Store::ClaimHookDeliveries,
// Store::FinishHookDelivery); kept beside store.hpp to keep that header short.

#include <optional>
#include <string>
#include <string_view>

#include "common/time.hpp"
#include "domain/event_hooks.hpp"

namespace herald::storage {

using namespace herald::domain;  // NOLINT: storage speaks the domain's vocabulary

/// A claim of due hook deliveries (Store::ClaimHookDeliveries); several deliverers of
/// several processes may share the database.
struct HookClaimRequest {
    TimePoint now{};  // pending deliveries with next_attempt_at <= now are due
    int limit = 0;
    std::string_view claim_token;
    /// Its end is set and checked on the database's clock, as for ClaimRequest::lease.
    Milliseconds lease{};
};

/// A delivery a deliverer now holds (attempts already incremented) and where it goes.
struct ClaimedDelivery {
    HookDelivery delivery;
    std::string url;
    std::string secret;  // plaintext; never logged
};

/// How one attempt of a claimed delivery ended (Store::FinishHookDelivery).
struct HookAttemptResult {
    HookDeliveryId id = 0;
    DeliveryState state = DeliveryState::kPending;  // pending: retry at next_attempt_at
    TimePoint next_attempt_at{};
    TimePoint finished_at{};  // when delivered or failed
    std::optional<int> status;
    std::string error;  // empty when delivered
};

}  // namespace herald::storage
