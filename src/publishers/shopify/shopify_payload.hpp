#pragma once
// Shopify Admin REST API (2024-10) blog-article shapes, kept pure (no I/O): content →
// article bodies, answers → ids, handles and errors, and the call-limit header.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/time.hpp"
#include "domain/model.hpp"
#include "publishers/common/site_options.hpp"

namespace herald::publishers::shopify {

inline constexpr std::string_view kApiVersion = "2024-10";

/// Per-site options (Site::options_json): {"blog_id": 123} (number or string), and
/// optionally {"published": false} to create hidden articles.
struct ShopifyOptions {
    std::optional<int64_t> blog_id;  // nullopt: the shop's first blog
    bool published = true;
};
inline constexpr std::string_view kOptionKeys[] = {"blog_id", "published"};
inline constexpr common::OptionsSpec kOptionsSpec{"Shopify", kOptionKeys};
/// The options, or invalid_options for a bad value. Keys it does not know are left to
/// ValidateShopifyOptions.
Result<ShopifyOptions> ParseShopifyOptions(std::string_view options_json);

/// Hidden comment at the end of body_html, so a lost-answer publish is recognised.
std::string ArticleMarker(std::string_view token);

/// {"article": {title, body_html, summary_html, handle, tags, image, published,
/// published_at}}. Categories become tags too (Shopify articles have only tags).
/// `published_at` empty: not sent (an update keeps the original date).
std::string BuildArticleBody(const domain::Content& content, const ShopifyOptions& options,
                             std::string_view handle, std::string_view marker_token,
                             std::string_view published_at);

/// Tags as Shopify wants them: one comma-separated string, no duplicates.
std::string JoinTags(const domain::Content& content);

struct Article {
    int64_t id = 0;
    std::string handle;
    std::string body_html;
};
/// {"article": {...}}
std::optional<Article> ParseArticle(std::string_view body);
/// {"articles": [...]}
std::vector<Article> ParseArticles(std::string_view body);

struct Blog {
    int64_t id = 0;
    std::string handle;
    std::string title;
};
/// {"blog": {...}} or the first of {"blogs": [...]}
std::optional<Blog> ParseBlog(std::string_view body);

struct Shop {
    std::string name;
    std::string domain;
};
std::optional<Shop> ParseShop(std::string_view body);
/// {"access_scopes": [{"handle": "write_content"}, …]}
std::vector<std::string> ParseAccessScopes(std::string_view body);

/// The "errors" of an error answer as one line: a string, or "field message; …".
std::string ErrorText(std::string_view body);
/// True when a 422 says the handle is taken.
bool IsHandleTaken(std::string_view body);

/// X-Shopify-Shop-Api-Call-Limit "32/40" → {32, 40}.
struct CallLimit {
    int used = 0;
    int limit = 0;
};
std::optional<CallLimit> ParseCallLimit(std::string_view header);

/// Shopify's Retry-After is seconds and may be fractional ("2.0").
std::optional<Milliseconds> ParseShopifyRetryAfter(std::string_view value);

}  // namespace herald::publishers::shopify
