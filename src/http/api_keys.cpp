#include "http/api_keys.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
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

}  // namespace herald::http
