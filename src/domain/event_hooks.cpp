#include "domain/event_hooks.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/text.hpp"
#include "domain/validation.hpp"

namespace herald::domain {
namespace {

std::optional<size_t> EventIndex(std::string_view name) {
    for (size_t i = 0; i < kHookEvents.size(); ++i)
        if (kHookEvents[i] == name) return i;
    return std::nullopt;
}

}  // namespace

bool IsHookEvent(std::string_view name) { return EventIndex(name).has_value(); }

std::string_view ToString(DeliveryState s) {
    switch (s) {
        case DeliveryState::kPending:
            return "pending";
        case DeliveryState::kDelivered:
            return "delivered";
        case DeliveryState::kFailed:
            return "failed";
    }
    return "pending";
}

std::optional<DeliveryState> ParseDeliveryState(std::string_view s) {
    if (s == "pending") return DeliveryState::kPending;
    if (s == "delivered") return DeliveryState::kDelivered;
    if (s == "failed") return DeliveryState::kFailed;
    return std::nullopt;
}

std::string JoinHookEvents(const std::vector<std::string>& events) {
    std::string out;
    for (const auto& e : events) {
        if (!out.empty()) out += ',';
        out += e;
    }
    return out;
}

std::vector<std::string> SplitHookEvents(std::string_view stored) {
    std::vector<std::string> out;
    while (!stored.empty()) {
        const size_t comma = stored.find(',');
        const std::string_view part = stored.substr(0, comma);
        if (!part.empty()) out.emplace_back(part);
        if (comma == std::string_view::npos) break;
        stored.remove_prefix(comma + 1);
    }
    return out;
}

Result<std::vector<std::string>> NormalizeHookEvents(const std::vector<std::string>& events) {
    if (events.empty())
        return Error::Invalid("required",
                              "events must name at least one of content.published, "
                              "content.failed, site.degraded, site.paused, site.recovered",
                              "events");
    std::array<bool, kHookEvents.size()> seen{};
    for (const auto& name : events) {
        const auto index = EventIndex(name);
        if (!index)
            return Error::Invalid("invalid_choice",
                                  fmt::format("\"{}\" is not an event; use content.published, "
                                              "content.failed, site.degraded, site.paused or "
                                              "site.recovered",
                                              Utf8Prefix(name, 60)),
                                  "events");
        if (seen[*index])
            return Error::Invalid("duplicate_event",
                                  fmt::format("\"{}\" is listed more than once", name), "events");
        seen[*index] = true;
    }
    std::vector<std::string> sorted;
    for (size_t i = 0; i < kHookEvents.size(); ++i)
        if (seen[i]) sorted.emplace_back(kHookEvents[i]);
    return sorted;
}

Status ValidateEventHook(const EventHook& hook) {
    if (hook.url.empty()) return Error::Invalid("required", "url is required", "url");
    if (hook.url.size() > kMaxUrlBytes)
        return Error::Invalid("too_long", fmt::format("url must be at most {} bytes", kMaxUrlBytes),
                              "url");
    if (!IsHttpUrl(hook.url))
        return Error::Invalid("invalid_url",
                              "url must be an http:// or https:// URL with a host, e.g. "
                              "https://hooks.example.com/herald",
                              "url");
    if (auto events = NormalizeHookEvents(hook.events); !events) return events.error();
    if (hook.secret.size() > kMaxHookSecretBytes)
        return Error::Invalid("too_long",
                              fmt::format("secret must be at most {} bytes", kMaxHookSecretBytes),
                              "secret");
    return Ok{};
}

std::optional<TimePoint> NextHookAttempt(const HookRetryPolicy& policy, int attempt,
                                         FailureKind kind, std::optional<Milliseconds> retry_after,
                                         TimePoint created_at, TimePoint now, double jitter_unit) {
    const RetryDecision decision =
        DecideRetry(policy.backoff, attempt, kind, retry_after, now, jitter_unit);
    if (!decision.retry) return std::nullopt;
    if (decision.next_attempt_at > created_at + policy.window) return std::nullopt;
    return decision.next_attempt_at;
}

}  // namespace herald::domain
