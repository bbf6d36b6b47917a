#include "publishers/wordpress/wordpress_publisher.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <variant>

#include <fmt/format.h>
#include <sodium.h>

#include "publishers/common/adapter_util.hpp"
#include "publishers/failure.hpp"
#include "publishers/wordpress/wordpress_payload.hpp"

namespace herald::publishers::wordpress {
namespace {

using common::IsSuccess;
using common::Permanent;
using common::SiteMisconfigured;
using common::UrlEncode;

constexpr std::string_view kAnyStatus = "publish,future,draft,pending,private";

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return out;
}

/// The word herald searches for to find an image it uploaded before (a hash of its URL).
std::string ImageMarkerWord(std::string_view url) {
    unsigned char hash[16];
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(url.data()),
                       url.size(), nullptr, 0);
    char hex[sizeof hash * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    return "heraldimg" + std::string(hex);
}

constexpr common::RequiredSettings kRequired{
    .domain =
        "the site has no domain: set it to the WordPress address, e.g. "
        "https://blog.example.com",
    .username = "the site has no username: set it to the WordPress user herald publishes as",
    .api_key =
        "the site has no API key: create an application password for the WordPress "
        "user (Users → Profile → Application Passwords) and set it as the API key",
};

Result<WpOptions> ReadOptions(const domain::Site& site) {
    return ParseWpOptions(site.options_json);
}

/// A failed WordPress exchange in words a site owner can act on. `action` says what herald
/// was doing ("creating the post").
PublishResult WpFailure(const HttpResponse& r, const domain::Site& site, std::string_view action) {
    const std::string where = fmt::format("WordPress at {}", site.domain);
    const int s = r.status;
    if (IsTransientResponse(r)) return common::FailedWhile(r, where, action);
    if (common::IsHtmlResponse(r) || !common::IsJsonBody(r.body)) {
        return Permanent(
            fmt::format("{} answered with {} instead of JSON (HTTP {}) while {}: the domain may "
                        "not be the WordPress address, or a security plugin or firewall blocks "
                        "the REST API (/wp-json/)",
                        where, common::IsHtmlResponse(r) ? "an HTML page" : "something else", s,
                        action),
            s);
    }
    const auto err = ParseError(r.body);
    const std::string code = err ? err->code : "";
    const std::string detail = err ? fmt::format(" (HTTP {} {}: {})", s, code, err->message)
                                   : fmt::format(" (HTTP {})", s);
    auto fail = [&](const std::string& text) { return Permanent(text + detail, s); };

    if (code == "application_passwords_disabled" ||
        code == "application_passwords_disabled_for_user")
        return fail(
            fmt::format("application passwords are disabled on {}: enable them (a "
                        "security plugin may turn them off) or use another user",
                        where));
    if (code == "rest_login_required" || code == "rest_disabled" || code == "rest_api_disabled" ||
        code == "rest_cannot_access" || code.find("disabled") != std::string::npos)
        return fail(
            fmt::format("the REST API of {} is disabled or restricted, probably by a "
                        "security plugin: allow it for the user \"{}\"",
                        where, site.username));
    if (code == "rest_no_route")
        return fail(
            fmt::format("{} has no REST route for this request while {}: the REST API "
                        "is disabled or the domain is not the WordPress address",
                        where, action));
    if (s == 401 || code == "incorrect_password" || code == "invalid_username" ||
        code == "invalid_email" || code == "rest_not_logged_in")
        return fail(fmt::format(
            "{} did not accept the username \"{}\" with this application password while {}: "
            "check the username and create a new application password (Users → Profile → "
            "Application Passwords); if they are right, the web server may be dropping the "
            "Authorization header",
            where, site.username, action));
    if (code == "rest_cannot_publish")
        return fail(
            fmt::format("the WordPress user \"{}\" is not allowed to publish posts (it "
                        "lacks the publish_posts capability): give it the Author, "
                        "Editor or Administrator role, or set the site's option "
                        "{{\"status\": \"pending\"}} to submit posts for review",
                        site.username));
    if (code == "rest_cannot_create_term" || code == "rest_cannot_assign_term")
        return fail(
            fmt::format("the WordPress user \"{}\" is not allowed to create or assign "
                        "categories and tags while {}: give it the Editor role or create "
                        "the terms beforehand",
                        site.username, action));
    if (s == 403 && action.find("image") != std::string_view::npos)
        return fail(
            fmt::format("the WordPress user \"{}\" is not allowed to upload files (it "
                        "lacks upload_files), so the featured image cannot be set",
                        site.username));
    if (s == 403)
        return fail(fmt::format("the WordPress user \"{}\" is not allowed to do this while {}",
                                site.username, action));
    if (code == "rest_post_invalid_id")
        return fail(fmt::format("the post no longer exists on {}", where));
    if (code == "rest_upload_sideload_error" || code == "rest_upload_unknown_error" ||
        code == "rest_upload_file_too_big")
        return fail(fmt::format("{} could not store the featured image", where));
    return common::FailedWhile(r, where, action);
}

struct SiteCache {
    std::map<std::string, int64_t> categories;  // lower-cased name → id
    std::map<std::string, int64_t> tags;
    std::map<std::string, int64_t> images;  // source URL → media id
};

struct TermIds {
    std::vector<int64_t> ids;
    std::optional<PublishResult> failure;
};

class WordPressPublisher final : public Publisher {
public:
    WordPressPublisher(HttpClient& http, WordPressOptions options)
        : http_(http), options_(options) {}

    PublishResult Publish(const PublishRequest& request) override {
        const domain::Site& site = request.site;
        const domain::Content& content = request.content;
        const auto opened = common::OpenSite(site, kRequired, ReadOptions);
        if (!opened) return SiteMisconfigured(opened.error());
        const WpOptions& options = *opened;
        const std::string collection(CollectionFor(content));

        WpPostFields fields;
        fields.marker_token = common::MarkerToken(request.publication_id);

        // Recovery: a publish whose answer was lost may have created the post already.
        std::string target_id = content.external_id;
        if (target_id.empty() && !fields.marker_token.empty()) {
            const HttpResponse found =
                Send(site, "GET",
                     fmt::format("wp/v2/{}?search={}&status={}&context=edit&per_page=10",
                                 collection, MarkerWord(fields.marker_token), kAnyStatus));
            if (found.status == 400) {
                // WordPress refuses non-public statuses to visitors it could not sign in
                // (a wrong password makes a GET anonymous rather than failing): say why.
                const HttpResponse me = Send(site, "GET", "wp/v2/users/me?context=edit");
                if (!IsSuccess(me)) return WpFailure(me, site, "signing in");
                return Permanent(fmt::format("the WordPress user \"{}\" may not see unpublished "
                                             "posts (it lacks edit_posts), so herald cannot "
                                             "check for an earlier copy: give it the Author, "
                                             "Editor or Administrator role",
                                             site.username),
                                 found.status);
            }
            if (!IsSuccess(found)) return WpFailure(found, site, "looking for an earlier copy");
            const std::string marker = PostMarker(fields.marker_token);
            for (const WpPost& post : ParsePostList(found.body)) {
                if (post.raw_content.find(marker) != std::string::npos) {
                    target_id = std::to_string(post.id);
                    break;
                }
            }
        }

        if (collection == "posts") {
            TermIds categories = ResolveTerms(site, "categories", content.categories);
            if (categories.failure) return *categories.failure;
            TermIds tags = ResolveTerms(site, "tags", content.tags);
            if (tags.failure) return *tags.failure;
            fields.categories = std::move(categories.ids);
            fields.tags = std::move(tags.ids);
        }
        if (!content.featured_image_url.empty()) {
            auto media = FeaturedMedia(site, content);
            if (std::holds_alternative<PublishResult>(media)) return std::get<PublishResult>(media);
            fields.featured_media = std::get<int64_t>(media);
        }

        HttpResponse response = SavePost(site, collection, target_id, options, content, fields);
        if (!target_id.empty() && response.status == 404) {
            // Deleted on the WordPress side since: publish it afresh.
            if (auto err = ParseError(response.body); err && err->code == "rest_post_invalid_id")
                response = SavePost(site, collection, "", options, content, fields);
        }
        if (!IsSuccess(response))
            return WpFailure(response, site,
                             target_id.empty() ? "creating the post" : "updating the post");
        auto post = ParsePost(response.body);
        if (!post) return WpFailure(common::Unreadable(response), site, "reading the saved post");

        // WordPress silently drops term ids it does not know (say, deleted since we cached
        // them): check, and once re-resolve without the cache.
        if (collection == "posts" && (!Contains(post->categories, fields.categories) ||
                                      !Contains(post->tags, fields.tags))) {
            Forget(site);
            TermIds categories = ResolveTerms(site, "categories", content.categories);
            if (categories.failure) return *categories.failure;
            TermIds tags = ResolveTerms(site, "tags", content.tags);
            if (tags.failure) return *tags.failure;
            fields.categories = std::move(categories.ids);
            fields.tags = std::move(tags.ids);
            response =
                SavePost(site, collection, std::to_string(post->id), options, content, fields);
            if (!IsSuccess(response)) return WpFailure(response, site, "updating the post's terms");
            if (auto again = ParsePost(response.body)) post = again;
        }

        return common::Published(response.status, std::to_string(post->id), post->link);
    }

    ConnectionCheck TestConnection(const domain::Site& site) override {
        const auto opened = common::OpenSite(site, kRequired, ReadOptions);
        if (!opened) return common::CheckFailed(opened.error());
        // A GET with a wrong password is answered as an anonymous visitor, not refused; the
        // current user in edit context is the one call that shows whether we are signed in.
        const HttpResponse r = Send(site, "GET", "wp/v2/users/me?context=edit");
        if (!IsSuccess(r)) return common::CheckFailed(WpFailure(r, site, "signing in"));
        const auto user = ParseUser(r.body);
        if (!user) {
            const PublishResult f = WpFailure(
                HttpResponse{r.status == 200 ? 422 : r.status, r.headers, r.body, "", false}, site,
                "signing in");
            return ConnectionCheck{false, f.error, r.status};
        }
        std::string roles;
        for (const auto& role : user->roles) roles += (roles.empty() ? "" : ", ") + role;
        if (!user->can_publish_posts && opened->status == "publish")
            return ConnectionCheck{
                false,
                fmt::format("signed in to WordPress as \"{}\" ({}), but this user is not allowed "
                            "to publish posts (it lacks publish_posts): give it the Author, "
                            "Editor or Administrator role",
                            user->name, roles.empty() ? "no role" : roles),
                r.status};
        std::string message =
            fmt::format("signed in to WordPress as \"{}\" ({}); the user may {}", user->name,
                        roles.empty() ? "no role" : roles,
                        user->can_publish_posts ? "publish posts" : "submit posts for review");
        if (!user->can_upload_files)
            message += ", but not upload files, so featured images will fail";
        return ConnectionCheck{true, message, r.status};
    }

private:
    static bool Contains(const std::vector<int64_t>& have, const std::vector<int64_t>& want) {
        return std::all_of(want.begin(), want.end(), [&](int64_t id) {
            return std::find(have.begin(), have.end(), id) != have.end();
        });
    }

    static std::string CacheKey(const domain::Site& site) {
        return std::to_string(site.id) + "|" + site.domain;
    }

    HttpResponse Send(const domain::Site& site, std::string method, const std::string& path,
                      std::string body = {},
                      std::vector<std::pair<std::string, std::string>> extra = {},
                      std::optional<Milliseconds> timeout = std::nullopt) {
        HttpRequest request;
        request.method = std::move(method);
        request.url = common::JoinUrl(site.domain, "/wp-json/" + path);
        request.timeout = timeout.value_or(options_.timeout);
        request.headers = {
            {"Authorization", "Basic " + common::Base64(site.username + ":" + site.api_key)},
            {"Accept", "application/json"},
        };
        if (!body.empty() && extra.empty())
            request.headers.emplace_back("Content-Type", "application/json");
        for (auto& h : extra) request.headers.push_back(std::move(h));
        request.body = std::move(body);
        return http_.Send(request);
    }

    HttpResponse SavePost(const domain::Site& site, const std::string& collection,
                          const std::string& id, const WpOptions& options,
                          const domain::Content& content, const WpPostFields& fields) {
        const std::string path =
            id.empty() ? "wp/v2/" + collection : "wp/v2/" + collection + "/" + UrlEncode(id);
        return Send(site, "POST", path, BuildPostBody(content, options, fields));
    }

    void Forget(const domain::Site& site) {
        std::lock_guard lock(mu_);
        caches_.erase(CacheKey(site));
    }

    std::optional<int64_t> Cached(const domain::Site& site, const std::string& taxonomy,
                                  const std::string& key) {
        std::lock_guard lock(mu_);
        SiteCache& cache = caches_[CacheKey(site)];
        auto& map = taxonomy == "categories" ? cache.categories
                    : taxonomy == "tags"     ? cache.tags
                                             : cache.images;
        auto it = map.find(key);
        if (it == map.end()) return std::nullopt;
        return it->second;
    }

    void Remember(const domain::Site& site, const std::string& taxonomy, const std::string& key,
                  int64_t id) {
        std::lock_guard lock(mu_);
        SiteCache& cache = caches_[CacheKey(site)];
        auto& map = taxonomy == "categories" ? cache.categories
                    : taxonomy == "tags"     ? cache.tags
                                             : cache.images;
        map[key] = id;
    }

    /// Names → ids, looking each up and creating it when missing. Two publishes racing to
    /// create one name are fine: the loser gets `term_exists` with the winner's id.
    TermIds ResolveTerms(const domain::Site& site, const std::string& taxonomy,
                         const std::vector<std::string>& names) {
        TermIds out;
        const std::string noun = taxonomy == "categories" ? "category" : "tag";
        for (const std::string& name : names) {
            if (name.empty()) continue;
            const std::string key = Lower(name);
            if (auto id = Cached(site, taxonomy, key)) {
                out.ids.push_back(*id);
                continue;
            }
            const HttpResponse found =
                Send(site, "GET",
                     fmt::format("wp/v2/{}?search={}&per_page=100&_fields=id,name", taxonomy,
                                 UrlEncode(name)));
            if (!IsSuccess(found)) {
                out.failure =
                    WpFailure(found, site, fmt::format("looking up the {} \"{}\"", noun, name));
                return out;
            }
            std::optional<int64_t> id;
            for (const WpTerm& term : ParseTermList(found.body))
                if (SameTermName(term.name, name)) id = term.id;
            if (!id) {
                const HttpResponse created =
                    Send(site, "POST", "wp/v2/" + taxonomy, BuildTermBody(name));
                id = ParseCreatedTermId(created.body);
                if (!id || (!IsSuccess(created) && created.status != 400)) {
                    out.failure =
                        WpFailure(IsSuccess(created) ? common::Unreadable(created) : created, site,
                                  fmt::format("creating the {} \"{}\"", noun, name));
                    return out;
                }
            }
            Remember(site, taxonomy, key, *id);
            if (std::find(out.ids.begin(), out.ids.end(), *id) == out.ids.end())
                out.ids.push_back(*id);
        }
        return out;
    }

    /// The media id of the content's featured image: from the cache, from an earlier upload
    /// of the same URL (found by the marker in its description), or uploaded now.
    std::variant<int64_t, PublishResult> FeaturedMedia(const domain::Site& site,
                                                       const domain::Content& content) {
        const std::string& url = content.featured_image_url;
        if (auto id = Cached(site, "images", url)) return *id;
        const std::string word = ImageMarkerWord(url);
        const HttpResponse found =
            Send(site, "GET", fmt::format("wp/v2/media?search={}&context=edit&per_page=10", word));
        if (!IsSuccess(found)) return WpFailure(found, site, "looking for the featured image");
        for (const WpMedia& media : ParseMediaList(found.body)) {
            if (media.raw_description.find(word) != std::string::npos) {
                Remember(site, "images", url, media.id);
                return media.id;
            }
        }

        common::ImageFetch fetch = common::FetchImage(http_, url, options_.image_timeout);
        if (!fetch.image) return fetch.failure;
        // Raw body upload: WordPress takes the file name from Content-Disposition; the
        // query parameters become the attachment's fields.
        const std::string path =
            fmt::format("wp/v2/media?description={}&alt_text={}&title={}", word,
                        UrlEncode(content.title), UrlEncode(content.title));
        const HttpResponse uploaded =
            Send(site, "POST", path, std::move(fetch.image->bytes),
                 {{"Content-Type", fetch.image->content_type},
                  {"Content-Disposition",
                   fmt::format("attachment; filename=\"{}\"", fetch.image->file_name)}},
                 options_.image_timeout);
        if (!IsSuccess(uploaded)) return WpFailure(uploaded, site, "uploading the featured image");
        auto media = ParseMedia(uploaded.body);
        if (!media)
            return WpFailure(common::Unreadable(uploaded), site, "uploading the featured image");
        Remember(site, "images", url, media->id);
        return media->id;
    }

    HttpClient& http_;
    WordPressOptions options_;
    std::mutex mu_;
    std::map<std::string, SiteCache> caches_;
};

}  // namespace

PublisherPtr MakeWordPressPublisher(HttpClient& http, WordPressOptions options) {
    return std::make_unique<WordPressPublisher>(http, options);
}

Status ValidateWordPressOptions(std::string_view options_json) {
    return common::ValidateOptions(options_json, kOptionsSpec, ParseWpOptions);
}

std::vector<Error> MissingWordPressSettings(const domain::Site& site) {
    return common::MissingSettings(site, kRequired);
}

}  // namespace herald::publishers::wordpress
