#include "publishers/webhook/signature.hpp"

#include <mutex>
#include <stdexcept>

#include <sodium.h>

namespace herald::publishers::webhook {
namespace {

constexpr std::string_view kSecretPrefix = "whsec_";

void SodiumInitOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    });
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
    SodiumInitOnce();
    constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
    std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), kVariant);
    out.resize(out.size() - 1);  // the length above counts the terminating NUL
    return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
    SodiumInitOnce();
    // Unpadded secrets occur in the wild; decode them by choosing the variant.
    const int variant = text.ends_with('=') || text.size() % 4 == 0
                            ? sodium_base64_VARIANT_ORIGINAL
                            : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
    std::string out(text.size() * 3 / 4 + 3, '\0');
    size_t out_len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                          text.size(), nullptr, &out_len, &end, variant) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    out.resize(out_len);
    return out;
}

std::optional<std::string> SigningKey(std::string_view api_key) {
    if (!api_key.starts_with(kSecretPrefix)) return std::string(api_key);
    return Base64Decode(api_key.substr(kSecretPrefix.size()));
}

std::string Sign(std::string_view key, std::string_view msg_id, int64_t timestamp,
                 std::string_view body) {
    SodiumInitOnce();
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                                key.size());
    const auto update = [&state](std::string_view part) {
        crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                                      part.size());
    };
    const std::string ts = std::to_string(timestamp);
    update(msg_id);
    update(".");
    update(ts);
    update(".");
    update(body);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_final(&state, mac);
    return "v1," + Base64Encode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

}  // namespace herald::publishers::webhook
