#pragma once
// The delivery keys of a site's `options` (beside the platform's own keys): how many calls
// may be in flight, a rate limit, and how long transient failures are retried. Read here
// once for the API's validation, the dispatcher's admission and its settlement.

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace herald::domain {

struct DeliveryOptions {
    std::optional<int> max_in_flight;             // >= 1
    std::optional<double> rate_limit_per_minute;  // >= 0 (0: none)
    std::optional<double> rate_limit_burst;       // >= 1
    std::optional<int> retry_window_minutes;      // 0 … kMaxRetryWindowMinutes
};

/// The keys above as a site's options name them; every platform accepts them.
inline constexpr std::array<std::string_view, 4> kDeliveryOptionKeys = {
    "max_in_flight", "rate_limit_per_minute", "rate_limit_burst", "retry_window_minutes"};

inline constexpr int kMaxRetryWindowMinutes = 30 * 24 * 60;  // 30 days

/// Reads the delivery keys of `options_json` (other keys are the platform's). Lenient, for
/// the dispatcher: a key of the wrong type or range is left unset (the default applies).
DeliveryOptions ReadDeliveryOptions(std::string_view options_json);

/// Strict, for the API: a sentence naming the first bad key, or empty when all are valid.
std::string ValidateDeliveryOptions(std::string_view options_json);

}  // namespace herald::domain
