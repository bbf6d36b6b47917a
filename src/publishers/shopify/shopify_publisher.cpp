#include "publishers/shopify/shopify_publisher.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "publishers/common/adapter_util.hpp"
#include "publishers/failure.hpp"
#include "publishers/shopify/shopify_payload.hpp"

namespace herald::publishers::shopify {
namespace {

using common::IsSuccess;
using common::Permanent;
using common::SiteMisconfigured;
using common::UrlEncode;

constexpr common::RequiredSettings kRequired{
    .domain =
        "the site has no domain: set it to the shop's address, e.g. "
        "https://your-shop.myshopify.com",
    .api_key =
        "the site has no API key: create a custom app in the Shopify admin with the "
        "write_content scope and set its Admin API access token as the API key",
};

Result<ShopifyOptions> ReadOptions(const domain::Site& site) {
    return ParseShopifyOptions(site.options_json);
}

PublishResult ShopifyFailure(const HttpResponse& r, const domain::Site& site,
                             std::string_view action) {
    const std::string where = fmt::format("Shopify at {}", site.domain);
    const int s = r.status;
    if (IsTransientResponse(r)) {
        PublishResult f = common::FailedWhile(r, where, action);
        if (auto value = r.Header("retry-after"); value && s == 429)
            f.retry_after = ParseShopifyRetryAfter(*value);
        return f;
    }
    const std::string text = ErrorText(r.body);
    if (text.empty() && (common::IsHtmlResponse(r) || !common::IsJsonBody(r.body)))
        return Permanent(
            fmt::format("{} answered with {} instead of JSON (HTTP {}) while {}: "
                        "set the domain to the shop's myshopify.com address",
                        where, common::IsHtmlResponse(r) ? "an HTML page" : "something else", s,
                        action),
            s);
    const std::string detail =
        text.empty() ? fmt::format(" (HTTP {})", s) : fmt::format(" (HTTP {}: {})", s, text);
    auto fail = [&](const std::string& message) { return Permanent(message + detail, s); };
    if (s == 401)
        return fail(
            fmt::format("{} rejected the access token while {}: set the site's API key "
                        "to the custom app's Admin API access token (it starts with "
                        "shpat_)",
                        where, action));
    if (s == 403)
        return fail(
            fmt::format("the Shopify app is not allowed to do this while {}: give the "
                        "custom app the write_content scope and reinstall it",
                        action));
    if (s == 402)
        return fail(
            fmt::format("the shop at {} is frozen (unpaid): Shopify refuses changes", site.domain));
    if (s == 423) return fail(fmt::format("the shop at {} is locked by Shopify", site.domain));
    if (s == 404)
        return fail(
            fmt::format("{} found no such resource while {}: check the domain and the "
                        "site's blog_id option",
                        where, action));
    if (s == 422 && IsHandleTaken(r.body))
        return fail(
            fmt::format("another article in this blog already uses the handle (herald "
                        "did not create it) while {}: change the content's slug",
                        action));
    if (s == 422) return fail(fmt::format("{} rejected the article while {}", where, action));
    return common::FailedWhile(r, where, action);
}

struct BucketState {
    int used = 0;
    int limit = 0;
    std::chrono::steady_clock::time_point seen_at{};
};

class ShopifyPublisher final : public Publisher {
public:
    ShopifyPublisher(HttpClient& http, ShopifyPublisherOptions options)
        : http_(http), options_(options) {}

    PublishResult Publish(const PublishRequest& request) override {
        const domain::Site& site = request.site;
        const domain::Content& content = request.content;
        const auto options = common::OpenSite(site, kRequired, ReadOptions);
        if (!options) return SiteMisconfigured(options.error());

        Blog blog;
        if (auto failure = ResolveBlog(site, *options, &blog)) return *failure;
        const std::string articles = fmt::format("blogs/{}/articles", blog.id);
        const std::string handle = common::SlugFor(content.slug, content.title);
        const std::string token = common::MarkerToken(request.publication_id);
        std::string target_id = content.external_id;

        // Recovery: find an article from an attempt whose answer was lost, by its handle
        // (our marker in body_html tells ours from someone else's).
        if (target_id.empty() && !token.empty()) {
            const HttpResponse found = Send(
                site, "GET",
                fmt::format("{}.json?handle={}&published_status=any&fields=id,handle,body_html",
                            articles, UrlEncode(handle)));
            if (!IsSuccess(found))
                return ShopifyFailure(found, site, "looking for an earlier copy");
            for (const Article& a : ParseArticles(found.body))
                if (a.handle == handle &&
                    a.body_html.find(ArticleMarker(token)) != std::string::npos)
                    target_id = std::to_string(a.id);
        }

        HttpResponse response;
        if (!target_id.empty()) {
            response = Send(site, "PUT", fmt::format("{}/{}.json", articles, UrlEncode(target_id)),
                            BuildArticleBody(content, *options, handle, token, ""));
            if (response.status == 404) target_id.clear();  // deleted in Shopify: create anew
        }
        if (target_id.empty())
            response = Send(
                site, "POST", articles + ".json",
                BuildArticleBody(content, *options, handle, token, FormatIso(common::WallNow())));
        if (!IsSuccess(response))
            return ShopifyFailure(
                response, site,
                target_id.empty() ? "creating the article" : "updating the article");
        const auto article = ParseArticle(response.body);
        if (!article)
            return ShopifyFailure(common::Unreadable(response), site, "reading the saved article");
        return common::Published(
            response.status, std::to_string(article->id),
            common::JoinUrl(site.domain,
                            fmt::format("/blogs/{}/{}", blog.handle, article->handle)));
    }

    ConnectionCheck TestConnection(const domain::Site& site) override {
        const auto options = common::OpenSite(site, kRequired, ReadOptions);
        if (!options) return common::CheckFailed(options.error());
        const auto failed = [](const PublishResult& f) { return common::CheckFailed(f); };
        const HttpResponse shop_response = Send(site, "GET", "shop.json");
        if (!IsSuccess(shop_response))
            return failed(ShopifyFailure(shop_response, site, "signing in"));
        const auto shop = ParseShop(shop_response.body);
        if (!shop)
            return failed(ShopifyFailure(common::Unreadable(shop_response), site, "signing in"));
        // access_scopes lives outside the versioned path.
        HttpRequest scopes_request = Request(site, "GET", "");
        scopes_request.url = common::JoinUrl(site.domain, "/admin/oauth/access_scopes.json");
        const HttpResponse scopes_response = Call(site, scopes_request);
        if (IsSuccess(scopes_response)) {
            const auto scopes = ParseAccessScopes(scopes_response.body);
            if (std::find(scopes.begin(), scopes.end(), "write_content") == scopes.end())
                return ConnectionCheck{
                    false,
                    fmt::format("signed in to the shop \"{}\", but the app lacks the "
                                "write_content scope: add it to the custom app and reinstall it",
                                shop->name),
                    scopes_response.status};
        }
        Blog blog;
        if (auto failure = ResolveBlog(site, *options, &blog)) return failed(*failure);
        return ConnectionCheck{
            true,
            fmt::format("signed in to the shop \"{}\"; articles go to the blog \"{}\" (id {})",
                        shop->name, blog.title.empty() ? blog.handle : blog.title, blog.id),
            shop_response.status};
    }

private:
    static std::string CacheKey(const domain::Site& site) {
        return std::to_string(site.id) + "|" + site.domain;
    }

    HttpRequest Request(const domain::Site& site, std::string method, const std::string& path,
                        std::string body = {}) const {
        HttpRequest request;
        request.method = std::move(method);
        request.url =
            common::JoinUrl(site.domain, fmt::format("/admin/api/{}/{}", kApiVersion, path));
        request.timeout = options_.timeout;
        request.headers = {{"X-Shopify-Access-Token", site.api_key},
                           {"Accept", "application/json"}};
        if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
        request.body = std::move(body);
        return request;
    }

    HttpResponse Send(const domain::Site& site, std::string method, const std::string& path,
                      std::string body = {}) {
        return Call(site, Request(site, std::move(method), path, std::move(body)));
    }

    /// One call, first waiting for the shop's call bucket to drain below the high-water
    /// mark when the last answer said it was nearly full.
    HttpResponse Call(const domain::Site& site, const HttpRequest& request) {
        const auto wait = BucketWait(site);
        if (wait.count() > 0) std::this_thread::sleep_for(wait);
        HttpResponse response = http_.Send(request);
        if (auto header = response.Header("x-shopify-shop-api-call-limit")) {
            if (auto limit = ParseCallLimit(*header)) {
                std::lock_guard lock(mu_);
                buckets_[CacheKey(site)] =
                    BucketState{limit->used, limit->limit, std::chrono::steady_clock::now()};
            }
        }
        return response;
    }

    Milliseconds BucketWait(const domain::Site& site) {
        std::lock_guard lock(mu_);
        auto it = buckets_.find(CacheKey(site));
        if (it == buckets_.end() || it->second.limit <= 0) return Milliseconds{0};
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second.seen_at)
                .count();
        const double level = it->second.used - elapsed * options_.leak_per_second;
        const double allowed = it->second.limit * options_.high_water;
        if (level < allowed) return Milliseconds{0};
        const auto wait = Milliseconds{
            static_cast<int64_t>((level - allowed + 1) / options_.leak_per_second * 1000)};
        return std::min(wait, options_.max_wait);
    }

    /// The blog articles go to (cached per site): the configured one, else the first.
    std::optional<PublishResult> ResolveBlog(const domain::Site& site,
                                             const ShopifyOptions& options, Blog* blog) {
        const std::string key =
            CacheKey(site) + "|" + (options.blog_id ? std::to_string(*options.blog_id) : "first");
        {
            std::lock_guard lock(mu_);
            if (auto it = blogs_.find(key); it != blogs_.end()) {
                *blog = it->second;
                return std::nullopt;
            }
        }
        const HttpResponse r =
            options.blog_id ? Send(site, "GET", fmt::format("blogs/{}.json", *options.blog_id))
                            : Send(site, "GET", "blogs.json?limit=1");
        if (options.blog_id && r.status == 404 && common::IsJsonBody(r.body))
            return Permanent(fmt::format("the shop has no blog with id {} (the site's blog_id "
                                         "option): check it under Online Store → Blog posts → "
                                         "Manage blogs",
                                         *options.blog_id),
                             404);
        if (!IsSuccess(r)) return ShopifyFailure(r, site, "finding the blog");
        const auto found = ParseBlog(r.body);
        if (!found) {
            if (!options.blog_id && common::IsJsonBody(r.body))
                return Permanent(
                    "the shop has no blog yet: create one under Online Store → Blog "
                    "posts, or set the site's blog_id option");
            return ShopifyFailure(common::Unreadable(r), site, "finding the blog");
        }
        *blog = *found;
        std::lock_guard lock(mu_);
        blogs_[key] = *found;
        return std::nullopt;
    }

    HttpClient& http_;
    ShopifyPublisherOptions options_;
    std::mutex mu_;
    std::map<std::string, BucketState> buckets_;
    std::map<std::string, Blog> blogs_;
};

}  // namespace

PublisherPtr MakeShopifyPublisher(HttpClient& http, ShopifyPublisherOptions options) {
    return std::make_unique<ShopifyPublisher>(http, options);
}

Status ValidateShopifyOptions(std::string_view options_json) {
    return common::ValidateOptions(options_json, kOptionsSpec, ParseShopifyOptions);
}

std::vector<Error> MissingShopifySettings(const domain::Site& site) {
    return common::MissingSettings(site, kRequired);
}

}  // namespace herald::publishers::shopify
