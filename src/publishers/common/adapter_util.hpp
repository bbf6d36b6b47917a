#pragma once
// Small helpers shared by the adapters: the opening of a call (the site's settings checked
// before anything is sent), its ending (an answer turned into a PublishResult), URLs, slugs,
// JSON sniffing, owner-facing failure wording and downloading a featured image.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/time.hpp"
#include "domain/model.hpp"
#include "publishers/http_client.hpp"
#include "publishers/publisher.hpp"

namespace herald::publishers::common {

TimePoint WallNow();

/// "https://x.example/" + "/wp-json/…" without doubling or losing the slash.
std::string JoinUrl(std::string_view base, std::string_view path);

/// Percent-encodes everything but RFC 3986 unreserved characters.
std::string UrlEncode(std::string_view text);

/// Standard base64 (for HTTP Basic).
std::string Base64(std::string_view bytes);

/// Lower-case ASCII, runs of anything else than [a-z0-9] become one '-', trimmed; the
/// same handle/slug the platforms derive from a title (ASCII titles at least).
std::string Slugify(std::string_view text);

/// The slug herald asks for: the content's own, else one derived from the title.
std::string SlugFor(std::string_view slug, std::string_view title);

/// A publication id reduced to [A-Za-z0-9_-], so it survives search boxes and HTML.
std::string MarkerToken(std::string_view publication_id);

/// True when the body is a JSON object or array (what every API here answers), false for
/// HTML pages, empty bodies and garbage.
bool IsJsonBody(std::string_view body);

/// True when the response is an HTML page (login walls, security plugins, wrong domains).
bool IsHtmlResponse(const HttpResponse& response);

/// A permanent failure with `message` and the response's status (if any).
/// A refusal that is not transient: kSiteRefused for 401/403 (RefusalOutcome), else kPermanent.
PublishResult Permanent(std::string message, std::optional<int> http_status = std::nullopt);
/// What an adapter says when a setting it needs is empty, in the order they are checked;
/// an empty sentence: the adapter does not need that setting.
struct RequiredSettings {
    std::string_view domain = {};
    std::string_view username = {};
    std::string_view api_key = {};
};

/// Every setting `required` names that `site` lacks, in the order above: code "required", the
/// field ("domain", "username", "api_key") and the adapter's sentence. The API lists them as
/// the site's warnings (request_fields); OpenSite pauses the site with the first.
std::vector<Error> MissingSettings(const domain::Site& site, const RequiredSettings& required);

/// The opening of every Publish and TestConnection: the first missing setting, else what
/// `read` (the adapter's own reading of the site: options, key format) refuses, else what
/// it read. Errors are sentences for a site owner.
template <typename Read>
auto OpenSite(const domain::Site& site, const RequiredSettings& required, Read read)
    -> decltype(read(site)) {
    if (auto missing = MissingSettings(site, required); !missing.empty())
        return Error::Invalid("site_misconfigured", std::move(missing.front().message));
    return read(site);
}

/// The site's own settings (credentials, domain, options) make every call pointless: the
/// site pauses until the owner fixes them.
PublishResult SiteMisconfigured(const Error& error);
/// The same for a connection check: nothing was sent.
ConnectionCheck CheckFailed(const Error& error);
/// A failed publish step as a connection check.
ConnectionCheck CheckFailed(const PublishResult& failure);

/// The ending of a publish that worked.
PublishResult Published(int http_status, std::string external_id, std::string external_url);

/// FailureFromResponse, saying what herald was doing ("creating the post").
PublishResult FailedWhile(const HttpResponse& response, std::string_view where,
                          std::string_view action);

/// A 2xx answer herald could not read, as the 422 the adapters' failure wording treats as a
/// refusal of the content.
HttpResponse Unreadable(const HttpResponse& response);

/// Only 2xx counts as success.
inline bool IsSuccess(const HttpResponse& r) { return r.status >= 200 && r.status < 300; }

struct DownloadedImage {
    std::string bytes;
    std::string content_type;  // e.g. image/png
    std::string file_name;     // e.g. photo.png, from the URL (or made up from the type)
};

/// Downloads a featured image (GET, following up to 5 redirects). On failure the error is
/// a PublishResult worded for a site owner (transient for network trouble and 5xx).
struct ImageFetch {
    std::optional<DownloadedImage> image;
    PublishResult failure;
};
ImageFetch FetchImage(HttpClient& http, const std::string& url, Milliseconds timeout);

}  // namespace herald::publishers::common
