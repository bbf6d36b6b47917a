#pragma once
// WordPress REST API shapes, kept pure (no I/O) so they can be unit-tested: content →
// request bodies, answers → ids, links, users and error codes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/model.hpp"
#include "publishers/common/site_options.hpp"

namespace herald::publishers::wordpress {

/// Per-site options (Site::options_json), e.g. {"status": "draft", "author": 3}.
struct WpOptions {
    std::string status = "publish";  // publish, draft, pending, private
    std::optional<int64_t> author;
};

inline constexpr std::string_view kOptionKeys[] = {"status", "author"};
inline constexpr common::OptionsSpec kOptionsSpec{"WordPress", kOptionKeys};

/// The options, or invalid_options for a bad value. Keys it does not know are left to
/// ValidateWordPressOptions.
Result<WpOptions> ParseWpOptions(std::string_view options_json);

/// The hidden HTML comment herald puts at the end of a post so an interrupted publish can
/// be found again with the REST API's plain `search` (no plugin, no meta registration).
std::string PostMarker(std::string_view token);
/// The searchable word inside the marker.
std::string MarkerWord(std::string_view token);

/// The REST collection for a content type: "pages" for pages, else "posts".
std::string_view CollectionFor(const domain::Content& content);

struct WpPostFields {
    std::vector<int64_t> categories;
    std::vector<int64_t> tags;
    std::optional<int64_t> featured_media;
    std::string marker_token;  // empty: no marker
};
std::string BuildPostBody(const domain::Content& content, const WpOptions& options,
                          const WpPostFields& fields);

struct WpPost {
    int64_t id = 0;
    std::string link;
    std::string status;
    std::string raw_content;  // context=edit only
    std::vector<int64_t> categories;
    std::vector<int64_t> tags;
    int64_t featured_media = 0;
};
std::optional<WpPost> ParsePost(std::string_view body);
std::vector<WpPost> ParsePostList(std::string_view body);

struct WpTerm {
    int64_t id = 0;
    std::string name;  // HTML entities decoded
};
std::vector<WpTerm> ParseTermList(std::string_view body);
/// The id of a created term, or of the existing one a 400 `term_exists` names.
std::optional<int64_t> ParseCreatedTermId(std::string_view body);
std::string BuildTermBody(std::string_view name);

/// WordPress stores term names HTML-escaped ("News &amp; Views"); compare decoded.
std::string DecodeEntities(std::string_view text);
/// Case-insensitive ASCII comparison after trimming (how MySQL's collation matches names).
bool SameTermName(std::string_view a, std::string_view b);

struct WpMedia {
    int64_t id = 0;
    std::string raw_description;
};
std::optional<WpMedia> ParseMedia(std::string_view body);
std::vector<WpMedia> ParseMediaList(std::string_view body);

struct WpUser {
    int64_t id = 0;
    std::string name;
    std::vector<std::string> roles;
    bool can_publish_posts = false;
    bool can_upload_files = false;
    bool can_manage_categories = false;
};
std::optional<WpUser> ParseUser(std::string_view body);

struct WpError {
    std::string code;
    std::string message;
};
/// {"code": "...", "message": "..."} error answers; nullopt for anything else.
std::optional<WpError> ParseError(std::string_view body);

}  // namespace herald::publishers::wordpress
