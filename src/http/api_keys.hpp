#pragma once
// API keys: generated once, shown once, stored only as a hash.

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace herald::http {

/// A new random key ("hk_" + 43 url-safe base64 chars, 256 bits).
std::string GenerateApiKey();

/// The key of an `Authorization: Api-Key <key>` header (scheme case-insensitive, blanks
/// trimmed); empty when the header is missing or of another scheme.
std::string_view KeyFromAuthorization(std::string_view authorization);

/// The event stream's cookie (EventSource sends no headers, and a key in the URL ends up in
/// proxy logs): `Set-Cookie` values that open and close it, and the key it carries in a
/// `Cookie` header (nullopt: no such cookie).
std::string EventsCookie(std::string_view api_key);
std::string ExpiredEventsCookie();
std::optional<std::string_view> EventsCookieKey(std::string_view cookie_header);

/// Hex SHA-256 of the key; what the store keeps and looks up.
std::string HashApiKey(std::string_view api_key);

/// The first characters of a key ("hk_" + 5), stored to tell keys apart in a list.
std::string ApiKeyPrefix(std::string_view api_key);

/// Failed authentications per client address: after kMaxFailures within kWindow, requests
/// that fail authentication are refused (429) until the oldest of them leaves the window.
/// Successful authentications are never counted or held back. Thread-safe.
class AuthFailureLimiter {
public:
    static constexpr int kMaxFailures = 20;
    static constexpr std::chrono::seconds kWindow{60};
    using Clock = std::chrono::steady_clock;

    /// nullopt: not limited (the failure is counted); else the seconds to wait (not counted).
    std::optional<int> Fail(std::string_view address, Clock::time_point now);

private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::deque<Clock::time_point>> failures_;
};

}  // namespace herald::http
