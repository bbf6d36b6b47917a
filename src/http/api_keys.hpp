#pragma once
// API keys: generated once, shown once, stored only as a hash.

#include <string>
#include <string_view>

namespace herald::http {

/// A new random key ("hk_" + 43 url-safe base64 chars, 256 bits).
std::string GenerateApiKey();

/// Hex SHA-256 of the key; what the store keeps and looks up.
std::string HashApiKey(std::string_view api_key);

}  // namespace herald::http
