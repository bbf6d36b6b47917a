#include "publishers/shopify/shopify_payload.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace herald::publishers::shopify {
namespace {

using nlohmann::json;

json Parse(std::string_view body) { return json::parse(body, nullptr, false); }

std::string StringOf(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t IdOf(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::optional<Article> ArticleFrom(const json& j) {
    if (!j.is_object() || IdOf(j, "id") <= 0) return std::nullopt;
    return Article{IdOf(j, "id"), StringOf(j, "handle"), StringOf(j, "body_html")};
}

std::optional<Blog> BlogFrom(const json& j) {
    if (!j.is_object() || IdOf(j, "id") <= 0) return std::nullopt;
    return Blog{IdOf(j, "id"), StringOf(j, "handle"), StringOf(j, "title")};
}

}  // namespace

Result<ShopifyOptions> ParseShopifyOptions(std::string_view options_json) {
    const auto j = common::ParseOptionsObject(options_json, kOptionsSpec);
    if (!j) return j.error();
    ShopifyOptions options;
    if (const json* blog_id = common::OptionValue(*j, "blog_id")) {
        int64_t id = 0;
        if (blog_id->is_number_integer())
            id = blog_id->get<int64_t>();
        else if (blog_id->is_string()) {
            const std::string s = blog_id->get<std::string>();
            char* end = nullptr;
            id = std::strtoll(s.c_str(), &end, 10);
            if (s.empty() || *end != '\0') id = 0;
        }
        if (id <= 0)
            return common::BadOption(kOptionsSpec, "blog_id",
                                     "the numeric id of a blog (Online Store → Blog posts → "
                                     "Manage blogs; the number at the end of the blog's admin "
                                     "URL)");
        options.blog_id = id;
    }
    if (const json* published = common::OptionValue(*j, "published")) {
        if (!published->is_boolean())
            return common::BadOption(kOptionsSpec, "published", "true or false");
        options.published = published->get<bool>();
    }
    return options;
}

std::string ArticleMarker(std::string_view token) {
    return "<!-- herald publication heraldpub" + std::string(token) + " -->";
}

std::string JoinTags(const domain::Content& content) {
    std::string out;
    std::vector<std::string> seen;
    for (const auto* names : {&content.categories, &content.tags}) {
        for (std::string name : *names) {
            // A comma would split the tag in two.
            std::replace(name.begin(), name.end(), ',', ' ');
            std::string key = name;
            std::transform(key.begin(), key.end(), key.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            if (name.empty() || std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
            seen.push_back(key);
            out += (out.empty() ? "" : ", ") + name;
        }
    }
    return out;
}

std::string BuildArticleBody(const domain::Content& content, const ShopifyOptions& options,
                             std::string_view handle, std::string_view marker_token,
                             std::string_view published_at) {
    std::string html = content.content_html;
    if (!marker_token.empty()) html += "\n" + ArticleMarker(marker_token);
    json article = {
        {"title", content.title},
        {"body_html", html},
        {"handle", std::string(handle)},
        {"tags", JoinTags(content)},
        {"published", options.published},
        {"summary_html", content.excerpt.empty() ? json(nullptr) : json(content.excerpt)},
    };
    if (!published_at.empty() && options.published)
        article["published_at"] = std::string(published_at);
    if (!content.featured_image_url.empty())
        article["image"] = json{{"src", content.featured_image_url}, {"alt", content.title}};
    return json{{"article", article}}.dump();
}

std::optional<Article> ParseArticle(std::string_view body) {
    const json j = Parse(body);
    if (!j.is_object() || !j.contains("article")) return std::nullopt;
    return ArticleFrom(j["article"]);
}

std::vector<Article> ParseArticles(std::string_view body) {
    std::vector<Article> out;
    const json j = Parse(body);
    if (!j.is_object() || !j.contains("articles") || !j["articles"].is_array()) return out;
    for (const auto& a : j["articles"])
        if (auto article = ArticleFrom(a)) out.push_back(std::move(*article));
    return out;
}

std::optional<Blog> ParseBlog(std::string_view body) {
    const json j = Parse(body);
    if (!j.is_object()) return std::nullopt;
    if (j.contains("blog")) return BlogFrom(j["blog"]);
    if (j.contains("blogs") && j["blogs"].is_array() && !j["blogs"].empty())
        return BlogFrom(j["blogs"][0]);
    return std::nullopt;
}

std::optional<Shop> ParseShop(std::string_view body) {
    const json j = Parse(body);
    if (!j.is_object() || !j.contains("shop") || !j["shop"].is_object()) return std::nullopt;
    return Shop{StringOf(j["shop"], "name"), StringOf(j["shop"], "domain")};
}

std::vector<std::string> ParseAccessScopes(std::string_view body) {
    std::vector<std::string> scopes;
    const json j = Parse(body);
    if (!j.is_object() || !j.contains("access_scopes") || !j["access_scopes"].is_array())
        return scopes;
    for (const auto& s : j["access_scopes"])
        if (s.is_object()) scopes.push_back(StringOf(s, "handle"));
    return scopes;
}

std::string ErrorText(std::string_view body) {
    const json j = Parse(body);
    if (!j.is_object()) return {};
    auto it = j.find("errors");
    if (it == j.end()) it = j.find("error");
    if (it == j.end()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_object()) {
        std::string out;
        for (const auto& [field, messages] : it->items()) {
            std::string text;
            if (messages.is_array()) {
                for (const auto& m : messages)
                    if (m.is_string()) text += (text.empty() ? "" : ", ") + m.get<std::string>();
            } else if (messages.is_string()) {
                text = messages.get<std::string>();
            }
            out += (out.empty() ? "" : "; ") + (field == "base" ? text : field + " " + text);
        }
        return out;
    }
    if (it->is_array()) {
        std::string out;
        for (const auto& m : *it)
            if (m.is_string()) out += (out.empty() ? "" : "; ") + m.get<std::string>();
        return out;
    }
    return it->dump();
}

bool IsHandleTaken(std::string_view body) {
    const json j = Parse(body);
    if (!j.is_object() || !j.contains("errors") || !j["errors"].is_object()) return false;
    const json& errors = j["errors"];
    return errors.contains("handle");
}

std::optional<CallLimit> ParseCallLimit(std::string_view header) {
    const auto slash = header.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    const std::string used(header.substr(0, slash));
    const std::string limit(header.substr(slash + 1));
    char* end1 = nullptr;
    char* end2 = nullptr;
    const long u = std::strtol(used.c_str(), &end1, 10);
    const long l = std::strtol(limit.c_str(), &end2, 10);
    if (used.empty() || limit.empty() || *end1 != '\0' || *end2 != '\0' || l <= 0 || u < 0)
        return std::nullopt;
    return CallLimit{static_cast<int>(u), static_cast<int>(l)};
}

std::optional<Milliseconds> ParseShopifyRetryAfter(std::string_view value) {
    const std::string text(value);
    char* end = nullptr;
    const double seconds = std::strtod(text.c_str(), &end);
    if (text.empty() || end == text.c_str() || seconds < 0) return std::nullopt;
    while (*end == ' ') ++end;
    if (*end != '\0') return std::nullopt;
    return Milliseconds{static_cast<int64_t>(seconds * 1000)};
}

}  // namespace herald::publishers::shopify
