#include "publishers/ghost/ghost_publisher.hpp"

#include <fmt/format.h>

#include "publishers/common/adapter_util.hpp"
#include "publishers/failure.hpp"
#include "publishers/ghost/ghost_payload.hpp"

namespace herald::publishers::ghost {
namespace {

using common::IsSuccess;
using common::Permanent;
using common::SiteMisconfigured;
using common::UrlEncode;

constexpr int kCollisionRetries = 2;

constexpr common::RequiredSettings kRequired{
    .domain =
        "the site has no domain: set it to the Ghost address, e.g. "
        "https://blog.example.com",
    .api_key =
        "the site has no API key: create a custom integration in Ghost (Settings → "
        "Integrations) and set its Admin API key as the site's API key",
};

/// What a call needs from the site beyond domain and key: the decoded key, the options.
struct SiteSettings {
    AdminKey key;
    GhostOptions options;
};

Result<SiteSettings> ReadSettings(const domain::Site& site) {
    std::string key_error;
    auto key = ParseAdminKey(site.api_key, &key_error);
    if (!key) return Error::Invalid("site_misconfigured", std::move(key_error), "api_key");
    auto options = ParseGhostOptions(site.options_json);
    if (!options) return options.error();
    return SiteSettings{std::move(*key), std::move(*options)};
}

PublishResult GhostFailure(const HttpResponse& r, const domain::Site& site,
                           std::string_view action) {
    const std::string where = fmt::format("Ghost at {}", site.domain);
    const int s = r.status;
    const auto err = ParseError(r.body);
    if (s == 409 && err && err->code == "UPDATE_COLLISION") {
        PublishResult f;
        f.outcome = PublishOutcome::kTransient;
        f.http_status = s;
        f.error = fmt::format(
            "the post was being edited in Ghost at the same time (409 "
            "UPDATE_COLLISION) while {}; herald will try again",
            action);
        return f;
    }
    if (IsTransientResponse(r)) return common::FailedWhile(r, where, action);
    if (!err) {
        return Permanent(
            fmt::format("{} answered with {} instead of Ghost's JSON (HTTP {}) while {}: check "
                        "that the domain is the Ghost site's address (the Admin API lives at "
                        "/ghost/api/admin/)",
                        where, common::IsHtmlResponse(r) ? "an HTML page" : "something else", s,
                        action),
            s);
    }
    const std::string detail =
        fmt::format(" (HTTP {} {}{}: {}{})", s, err->type, err->code.empty() ? "" : " " + err->code,
                    err->message, err->context.empty() ? "" : " " + err->context);
    auto fail = [&](const std::string& text) { return Permanent(text + detail, s); };
    if (err->code == "INVALID_JWT" || s == 401)
        return fail(
            fmt::format("{} rejected herald's Admin API key while {}: copy the Admin "
                        "API key of the custom integration (Settings → Integrations) "
                        "again; if it is right, check this machine's clock",
                        where, action));
    if (s == 403)
        return fail(
            fmt::format("the Ghost integration is not allowed to do this while {}", action));
    if (s == 404) return fail(fmt::format("{} has no such resource while {}", where, action));
    if (s == 422 || err->type == "ValidationError")
        return fail(fmt::format("{} rejected the post while {}", where, action));
    PublishResult f = FailureFromResponse(r, where, common::WallNow());
    f.error += detail;
    return f;
}

class GhostPublisher final : public Publisher {
public:
    GhostPublisher(HttpClient& http, GhostPublisherOptions options)
        : http_(http), options_(options) {}

    PublishResult Publish(const PublishRequest& request) override {
        const domain::Site& site = request.site;
        const domain::Content& content = request.content;
        const auto settings = common::OpenSite(site, kRequired, ReadSettings);
        if (!settings) return SiteMisconfigured(settings.error());
        const AdminKey& key = settings->key;

        const std::string token = common::MarkerToken(request.publication_id);
        const std::string slug = common::SlugFor(content.slug, content.title);
        std::string target_id = content.external_id;

        // Recovery: the post may exist from an attempt whose answer was lost. Ghost keeps
        // the slug we asked for unless another post holds it; the marker tells ours apart.
        if (target_id.empty() && !token.empty()) {
            const HttpResponse found =
                Send(site, key, "GET", fmt::format("posts/slug/{}/", UrlEncode(slug)));
            if (IsSuccess(found)) {
                if (auto post = ParsePost(found.body);
                    post && post->codeinjection_foot.find(PostMarker(token)) != std::string::npos)
                    target_id = post->id;
            } else if (found.status != 404) {
                return GhostFailure(found, site, "looking for an earlier copy");
            }
        }

        HttpResponse response;
        if (!target_id.empty()) {
            for (int attempt = 0;; ++attempt) {
                // Ghost refuses updates that do not name the post's current updated_at.
                const HttpResponse current =
                    Send(site, key, "GET", fmt::format("posts/{}/", UrlEncode(target_id)));
                if (current.status == 404) {  // deleted in Ghost since: publish afresh
                    target_id.clear();
                    break;
                }
                if (!IsSuccess(current)) return GhostFailure(current, site, "reading the post");
                const auto post = ParsePost(current.body);
                if (!post)
                    return GhostFailure(common::Unreadable(current), site, "reading the post");
                response = Send(
                    site, key, "PUT", fmt::format("posts/{}/?source=html", UrlEncode(target_id)),
                    BuildPostBody(content, settings->options, token, slug, post->updated_at));
                if (response.status != 409 || attempt >= kCollisionRetries) break;
            }
        }
        if (target_id.empty())
            response = Send(site, key, "POST", "posts/?source=html",
                            BuildPostBody(content, settings->options, token, slug, ""));
        if (!IsSuccess(response))
            return GhostFailure(response, site,
                                target_id.empty() ? "creating the post" : "updating the post");
        const auto post = ParsePost(response.body);
        if (!post)
            return GhostFailure(common::Unreadable(response), site, "reading the saved post");
        return common::Published(response.status, post->id, post->url);
    }

    ConnectionCheck TestConnection(const domain::Site& site) override {
        const auto settings = common::OpenSite(site, kRequired, ReadSettings);
        if (!settings) return common::CheckFailed(settings.error());
        const HttpResponse r = Send(site, settings->key, "GET", "posts/?limit=1&fields=id");
        if (!IsSuccess(r) || !common::IsJsonBody(r.body)) {
            const PublishResult f =
                GhostFailure(IsSuccess(r) ? common::Unreadable(r) : r, site, "signing in");
            return ConnectionCheck{false, f.error,
                                   r.status ? std::optional(r.status) : std::nullopt};
        }
        std::string version = "Ghost";
        if (auto v = r.Header("content-version")) version += " " + *v;
        return ConnectionCheck{
            true,
            fmt::format("{} at {} accepted the integration's Admin API key; herald may publish "
                        "posts",
                        version, site.domain),
            r.status};
    }

private:
    HttpResponse Send(const domain::Site& site, const AdminKey& key, std::string method,
                      const std::string& path, std::string body = {}) {
        const int64_t now =
            std::chrono::duration_cast<Seconds>(common::WallNow().time_since_epoch()).count();
        HttpRequest request;
        request.method = std::move(method);
        request.url = common::JoinUrl(site.domain, "/ghost/api/admin/" + path);
        request.timeout = options_.timeout;
        request.headers = {
            {"Authorization", "Ghost " + MakeAdminToken(key, now)},
            {"Accept-Version", "v5.0"},
            {"Accept", "application/json"},
        };
        if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
        request.body = std::move(body);
        return http_.Send(request);
    }

    HttpClient& http_;
    GhostPublisherOptions options_;
};

}  // namespace

PublisherPtr MakeGhostPublisher(HttpClient& http, GhostPublisherOptions options) {
    return std::make_unique<GhostPublisher>(http, options);
}

Status ValidateGhostOptions(std::string_view options_json) {
    return common::ValidateOptions(options_json, kOptionsSpec, ParseGhostOptions);
}

std::vector<Error> MissingGhostSettings(const domain::Site& site) {
    return common::MissingSettings(site, kRequired);
}

}  // namespace herald::publishers::ghost
