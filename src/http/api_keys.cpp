#include "http/api_keys.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <stdexcept>

namespace herald::http {
namespace {

void InitSodiumOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    });
}

}  // namespace

std::string GenerateApiKey() {
    InitSodiumOnce();
    std::array<unsigned char, 32> raw{};
    randombytes_buf(raw.data(), raw.size());
    constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string encoded(sodium_base64_ENCODED_LEN(raw.size(), kVariant), '\0');
    sodium_bin2base64(encoded.data(), encoded.size(), raw.data(), raw.size(), kVariant);
    encoded.resize(std::char_traits<char>::length(encoded.c_str()));  // drop the NUL
    sodium_memzero(raw.data(), raw.size());
    return "hk_" + encoded;
}

std::string HashApiKey(std::string_view api_key) {
    InitSodiumOnce();
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(api_key.data()),
                       api_key.size());
    std::string hex(digest.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    hex.pop_back();
    return hex;
}

std::string ApiKeyPrefix(std::string_view api_key) {
    return std::string(api_key.substr(0, std::min<size_t>(api_key.size(), 8)));
}

std::optional<int> AuthFailureLimiter::Fail(std::string_view address, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (failures_.size() > 100'000) {  // many addresses: drop the ones whose window passed
        std::erase_if(failures_, [&](const auto& entry) {
            return entry.second.empty() || entry.second.back() + kWindow <= now;
        });
    }
    auto& times = failures_[std::string(address)];
    while (!times.empty() && times.front() + kWindow <= now) times.pop_front();
    if (static_cast<int>(times.size()) >= kMaxFailures) {
        const auto wait = std::chrono::ceil<std::chrono::seconds>(times.front() + kWindow - now);
        return std::max<int>(1, static_cast<int>(wait.count()));
    }
    times.push_back(now);
    return std::nullopt;
}

std::string_view KeyFromAuthorization(std::string_view authorization) {
    constexpr std::string_view kScheme = "api-key ";
    if (authorization.size() < kScheme.size()) return {};
    for (size_t i = 0; i < kScheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return {};
    }
    std::string_view key = authorization.substr(kScheme.size());
    while (!key.empty() && (key.front() == ' ' || key.front() == '\t')) key.remove_prefix(1);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.remove_suffix(1);
    return key;
}

namespace {
constexpr std::string_view kEventsCookie = "herald_events";
// Only the event stream sees it; scripts cannot read it; other sites cannot send it.
constexpr std::string_view kEventsCookieAttributes =
    "; Path=/api/v1/events/; HttpOnly; SameSite=Strict";
}  // namespace

std::string EventsCookie(std::string_view api_key) {
    return std::string(kEventsCookie) + "=" + std::string(api_key) + "; Max-Age=43200" +
           std::string(kEventsCookieAttributes);
}

std::string ExpiredEventsCookie() {
    return std::string(kEventsCookie) + "=; Max-Age=0" + std::string(kEventsCookieAttributes);
}

std::optional<std::string_view> EventsCookieKey(std::string_view header) {
    while (!header.empty()) {
        const size_t end = std::min(header.find(';'), header.size());
        std::string_view pair = header.substr(0, end);
        header.remove_prefix(std::min(end + 1, header.size()));
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        const size_t eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == kEventsCookie)
            return pair.substr(eq + 1);
    }
    return std::nullopt;
}

}  // namespace herald::http
