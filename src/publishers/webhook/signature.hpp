#pragma once
// Standard Webhooks signing (https://www.standardwebhooks.com): the key rules and the
// "v1,<base64 HMAC-SHA256>" signature over "id.timestamp.body". Pure; no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herald::publishers::webhook {

/// The HMAC key for a site's api_key: the base64-decoded rest when it starts with "whsec_"
/// (as the Standard Webhooks libraries do), else the api_key's own bytes.
/// nullopt when a "whsec_" key is not valid base64.
std::optional<std::string> SigningKey(std::string_view api_key);

/// "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)).
std::string Sign(std::string_view key, std::string_view msg_id, int64_t timestamp,
                 std::string_view body);

/// Standard (padded) base64, as the webhook-signature header uses it.
std::string Base64Encode(std::string_view bytes);
/// nullopt on invalid input. Accepts standard base64, padded or not.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace herald::publishers::webhook
