#pragma once
// Ghost Admin API shapes, kept pure (no I/O): the Admin API key and its JWT, content →
// post bodies, answers → ids, urls, updated_at and error codes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "domain/model.hpp"
#include "publishers/common/site_options.hpp"

namespace herald::publishers::ghost {

/// An Admin API key "id:secret" with the secret hex-decoded.
struct AdminKey {
    std::string id;
    std::string secret;  // raw bytes
};
/// nullopt (and `error` set, for a site owner) when the key is not "id:hexsecret".
std::optional<AdminKey> ParseAdminKey(std::string_view key, std::string* error);

/// The short-lived token Ghost wants: HS256 JWT, header kid = key id, aud "/admin/",
/// expiring 5 minutes after `issued_at` (Unix seconds).
std::string MakeAdminToken(const AdminKey& key, int64_t issued_at);

/// Per-site options (Site::options_json), e.g. {"status": "draft"}.
struct GhostOptions {
    std::string status = "published";  // published or draft
};
inline constexpr std::string_view kOptionKeys[] = {"status"};
inline constexpr common::OptionsSpec kOptionsSpec{"Ghost", kOptionKeys};
/// The options, or invalid_options for a bad value. Keys it does not know are left to
/// ValidateGhostOptions.
Result<GhostOptions> ParseGhostOptions(std::string_view options_json);

/// The hidden comment that lets herald recognise its post after a lost answer. It goes into
/// the post's footer code injection: Ghost's HTML conversion drops comments from the html.
std::string PostMarker(std::string_view token);

/// {"posts": [{title, html, slug, custom_excerpt, tags, feature_image, status,
/// codeinjection_foot, updated_at?}]} for POST/PUT …/posts/?source=html. Ghost has only
/// tags, so categories become tags too (first, so they lead as the primary tag).
std::string BuildPostBody(const domain::Content& content, const GhostOptions& options,
                          std::string_view marker_token, std::string_view slug,
                          std::string_view updated_at);

struct GhostPost {
    std::string id;
    std::string url;
    std::string slug;
    std::string title;
    std::string html;
    std::string updated_at;
    std::string codeinjection_foot;
};
/// The first post of a {"posts": [...]} answer.
std::optional<GhostPost> ParsePost(std::string_view body);

struct GhostError {
    std::string type;  // UnauthorizedError, ValidationError, …
    std::string code;  // INVALID_JWT, UPDATE_COLLISION, … (may be empty)
    std::string message;
    std::string context;
};
/// The first error of a {"errors": [...]} answer.
std::optional<GhostError> ParseError(std::string_view body);

}  // namespace herald::publishers::ghost
