#include "publishers/wordpress/wordpress_payload.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace herald::publishers::wordpress {
namespace {

using nlohmann::json;

json Parse(std::string_view body) { return json::parse(body, nullptr, false); }

int64_t IdOf(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::string StringOf(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// "raw" under context=edit ({"raw": …, "rendered": …}), else "rendered".
std::string RawOf(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_object()) {
        if (auto raw = it->find("raw"); raw != it->end() && raw->is_string())
            return raw->get<std::string>();
    }
    return {};
}

std::vector<int64_t> IdsOf(const json& j, const char* key) {
    std::vector<int64_t> ids;
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return ids;
    for (const auto& v : *it)
        if (v.is_number_integer()) ids.push_back(v.get<int64_t>());
    return ids;
}

std::optional<WpPost> PostFrom(const json& j) {
    if (!j.is_object() || IdOf(j, "id") <= 0) return std::nullopt;
    WpPost post;
    post.id = IdOf(j, "id");
    post.link = StringOf(j, "link");
    post.status = StringOf(j, "status");
    post.raw_content = RawOf(j, "content");
    post.categories = IdsOf(j, "categories");
    post.tags = IdsOf(j, "tags");
    post.featured_media = IdOf(j, "featured_media");
    return post;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

}  // namespace

Result<WpOptions> ParseWpOptions(std::string_view options_json) {
    const auto j = common::ParseOptionsObject(options_json, kOptionsSpec);
    if (!j) return j.error();
    WpOptions options;
    if (const json* status = common::OptionValue(*j, "status")) {
        static const std::vector<std::string> kAllowed = {"publish", "draft", "pending", "private"};
        if (!status->is_string() || std::find(kAllowed.begin(), kAllowed.end(),
                                              status->get<std::string>()) == kAllowed.end())
            return common::BadOption(kOptionsSpec, "status",
                                     "one of publish, draft, pending or private");
        options.status = status->get<std::string>();
    }
    if (const json* author = common::OptionValue(*j, "author")) {
        if (!author->is_number_integer() || author->get<int64_t>() <= 0)
            return common::BadOption(kOptionsSpec, "author", "a WordPress user id");
        options.author = author->get<int64_t>();
    }
    return options;
}

std::string MarkerWord(std::string_view token) { return "heraldpub" + std::string(token); }

std::string PostMarker(std::string_view token) {
    return "<!-- herald publication " + MarkerWord(token) + " -->";
}

std::string_view CollectionFor(const domain::Content& content) {
    return content.content_type == "page" ? "pages" : "posts";
}

std::string BuildPostBody(const domain::Content& content, const WpOptions& options,
                          const WpPostFields& fields) {
    std::string html = content.content_html;
    if (!fields.marker_token.empty()) html += "\n" + PostMarker(fields.marker_token);
    json body = {
        {"title", content.title},
        {"content", html},
        {"status", options.status},
    };
    if (!content.excerpt.empty()) body["excerpt"] = content.excerpt;
    if (!content.slug.empty()) body["slug"] = content.slug;
    if (options.author) body["author"] = *options.author;
    if (CollectionFor(content) == "posts") {
        body["categories"] = fields.categories;
        body["tags"] = fields.tags;
    }
    // 0 removes a featured image an earlier publish set.
    body["featured_media"] = fields.featured_media.value_or(0);
    return body.dump();
}

std::optional<WpPost> ParsePost(std::string_view body) { return PostFrom(Parse(body)); }

std::vector<WpPost> ParsePostList(std::string_view body) {
    std::vector<WpPost> posts;
    const json j = Parse(body);
    if (!j.is_array()) return posts;
    for (const auto& item : j)
        if (auto post = PostFrom(item)) posts.push_back(std::move(*post));
    return posts;
}

std::vector<WpTerm> ParseTermList(std::string_view body) {
    std::vector<WpTerm> terms;
    const json j = Parse(body);
    if (!j.is_array()) return terms;
    for (const auto& item : j) {
        if (!item.is_object() || IdOf(item, "id") <= 0) continue;
        terms.push_back(WpTerm{IdOf(item, "id"), DecodeEntities(StringOf(item, "name"))});
    }
    return terms;
}

std::optional<int64_t> ParseCreatedTermId(std::string_view body) {
    const json j = Parse(body);
    if (!j.is_object()) return std::nullopt;
    if (IdOf(j, "id") > 0) return IdOf(j, "id");
    if (StringOf(j, "code") == "term_exists") {
        if (auto data = j.find("data"); data != j.end() && data->is_object()) {
            if (IdOf(*data, "term_id") > 0) return IdOf(*data, "term_id");
        }
    }
    return std::nullopt;
}

std::string BuildTermBody(std::string_view name) {
    return json{{"name", std::string(name)}}.dump();
}

std::string DecodeEntities(std::string_view text) {
    static const std::pair<std::string_view, std::string_view> kEntities[] = {
        {"&amp;", "&"},
        {"&lt;", "<"},
        {"&gt;", ">"},
        {"&quot;", "\""},
        {"&#039;", "'"},
        {"&#39;", "'"},
        {"&#8217;", "\xE2\x80\x99"},
        {"&#8211;", "\xE2\x80\x93"},
        {"&#8212;", "\xE2\x80\x94"},
        {"&nbsp;", "\xC2\xA0"},
    };
    std::string out;
    for (size_t i = 0; i < text.size();) {
        bool replaced = false;
        if (text[i] == '&') {
            for (const auto& [entity, value] : kEntities) {
                if (text.substr(i).starts_with(entity)) {
                    out += value;
                    i += entity.size();
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out += text[i++];
    }
    return out;
}

bool SameTermName(std::string_view a, std::string_view b) {
    a = Trim(a);
    b = Trim(b);
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

std::optional<WpMedia> ParseMedia(std::string_view body) {
    const json j = Parse(body);
    if (!j.is_object() || IdOf(j, "id") <= 0) return std::nullopt;
    return WpMedia{IdOf(j, "id"), RawOf(j, "description")};
}

std::vector<WpMedia> ParseMediaList(std::string_view body) {
    std::vector<WpMedia> media;
    const json j = Parse(body);
    if (!j.is_array()) return media;
    for (const auto& item : j)
        if (item.is_object() && IdOf(item, "id") > 0)
            media.push_back(WpMedia{IdOf(item, "id"), RawOf(item, "description")});
    return media;
}

std::optional<WpUser> ParseUser(std::string_view body) {
    const json j = Parse(body);
    if (!j.is_object() || IdOf(j, "id") <= 0) return std::nullopt;
    WpUser user;
    user.id = IdOf(j, "id");
    user.name = StringOf(j, "name");
    if (auto roles = j.find("roles"); roles != j.end() && roles->is_array())
        for (const auto& r : *roles)
            if (r.is_string()) user.roles.push_back(r.get<std::string>());
    if (auto caps = j.find("capabilities"); caps != j.end() && caps->is_object()) {
        auto has = [&](const char* cap) {
            auto it = caps->find(cap);
            return it != caps->end() && it->is_boolean() && it->get<bool>();
        };
        user.can_publish_posts = has("publish_posts");
        user.can_upload_files = has("upload_files");
        user.can_manage_categories = has("manage_categories");
    }
    return user;
}

std::optional<WpError> ParseError(std::string_view body) {
    const json j = Parse(body);
    if (!j.is_object() || !j.contains("code") || !j["code"].is_string()) return std::nullopt;
    return WpError{j["code"].get<std::string>(), DecodeEntities(StringOf(j, "message"))};
}

}  // namespace herald::publishers::wordpress
