#include "publishers/ghost/ghost_payload.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <vector>

#include <sodium.h>
#include <nlohmann/json.hpp>

namespace herald::publishers::ghost {
namespace {

using nlohmann::json;

json Parse(std::string_view body) { return json::parse(body, nullptr, false); }

std::string StringOf(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Base64Url(std::string_view bytes) {
    std::string out(
        sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::strlen(out.c_str()));
    return out;
}

/// At most `max` bytes, cut on a UTF-8 character boundary.
std::string Utf8Prefix(const std::string& text, size_t max) {
    if (text.size() <= max) return text;
    size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return text.substr(0, end);
}

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

}  // namespace

std::optional<AdminKey> ParseAdminKey(std::string_view key, std::string* error) {
    const auto colon = key.find(':');
    auto fail = [&](const char* why) -> std::optional<AdminKey> {
        if (error) *error = why;
        return std::nullopt;
    };
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == key.size())
        return fail(
            "the site's API key is not a Ghost Admin API key (it looks like "
            "\"id:secret\"): copy the Admin API key of the custom integration, not the "
            "Content API key");
    const std::string_view hex = key.substr(colon + 1);
    std::string secret(hex.size() / 2, '\0');
    size_t len = 0;
    const char* end = nullptr;
    if (hex.size() % 2 != 0 ||
        sodium_hex2bin(reinterpret_cast<unsigned char*>(secret.data()), secret.size(), hex.data(),
                       hex.size(), nullptr, &len, &end) != 0 ||
        end != hex.data() + hex.size())
        return fail(
            "the secret part of the site's Ghost Admin API key (after the colon) is not "
            "hexadecimal: copy the Admin API key again");
    secret.resize(len);
    return AdminKey{std::string(key.substr(0, colon)), std::move(secret)};
}

std::string MakeAdminToken(const AdminKey& key, int64_t issued_at) {
    const json header = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", key.id}};
    const json payload = {
        {"iat", issued_at}, {"exp", issued_at + int64_t{5} * 60}, {"aud", "/admin/"}};
    const std::string signing_input = Base64Url(header.dump()) + "." + Base64Url(payload.dump());
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.secret.data()),
                                key.secret.size());
    crypto_auth_hmacsha256_update(
        &state, reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
    crypto_auth_hmacsha256_final(&state, mac);
    return signing_input + "." +
           Base64Url(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

Result<GhostOptions> ParseGhostOptions(std::string_view options_json) {
    const auto j = common::ParseOptionsObject(options_json, kOptionsSpec);
    if (!j) return j.error();
    GhostOptions options;
    if (const json* status = common::OptionValue(*j, "status")) {
        if (!status->is_string() || (*status != "published" && *status != "draft"))
            return common::BadOption(kOptionsSpec, "status", "\"published\" or \"draft\"");
        options.status = status->get<std::string>();
    }
    return options;
}

std::string PostMarker(std::string_view token) {
    return "<!-- herald publication heraldpub" + std::string(token) + " -->";
}

std::string BuildPostBody(const domain::Content& content, const GhostOptions& options,
                          std::string_view marker_token, std::string_view slug,
                          std::string_view updated_at) {
    json tags = json::array();
    std::vector<std::string> seen;
    for (const auto* names : {&content.categories, &content.tags}) {
        for (const std::string& name : *names) {
            if (name.empty()) continue;
            const std::string key = Lower(name);
            if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
            seen.push_back(key);
            tags.push_back(json{{"name", name}});
        }
    }
    json post = {
        {"title", content.title},
        {"html", content.content_html},
        {"slug", std::string(slug)},
        {"status", options.status},
        {"tags", tags},
        // Ghost limits custom excerpts to 300 characters.
        {"custom_excerpt",
         content.excerpt.empty() ? json(nullptr) : json(Utf8Prefix(content.excerpt, 300))},
        {"feature_image",
         content.featured_image_url.empty() ? json(nullptr) : json(content.featured_image_url)},
    };
    if (!marker_token.empty()) post["codeinjection_foot"] = PostMarker(marker_token);
    if (!updated_at.empty()) post["updated_at"] = std::string(updated_at);
    return json{{"posts", json::array({post})}}.dump();
}

std::optional<GhostPost> ParsePost(std::string_view body) {
    const json j = Parse(body);
    if (!j.is_object()) return std::nullopt;
    auto posts = j.find("posts");
    if (posts == j.end() || !posts->is_array() || posts->empty() || !(*posts)[0].is_object())
        return std::nullopt;
    const json& p = (*posts)[0];
    GhostPost post{StringOf(p, "id"),
                   StringOf(p, "url"),
                   StringOf(p, "slug"),
                   StringOf(p, "title"),
                   StringOf(p, "html"),
                   StringOf(p, "updated_at"),
                   StringOf(p, "codeinjection_foot")};
    if (post.id.empty()) return std::nullopt;
    return post;
}

std::optional<GhostError> ParseError(std::string_view body) {
    const json j = Parse(body);
    if (!j.is_object()) return std::nullopt;
    auto errors = j.find("errors");
    if (errors == j.end() || !errors->is_array() || errors->empty() || !(*errors)[0].is_object())
        return std::nullopt;
    const json& e = (*errors)[0];
    return GhostError{StringOf(e, "type"), StringOf(e, "code"), StringOf(e, "message"),
                      StringOf(e, "context")};
}

}  // namespace herald::publishers::ghost
