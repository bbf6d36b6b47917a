#include "publishers/common/adapter_util.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

#include <fmt/format.h>
#include <sodium.h>
#include <nlohmann/json.hpp>

#include "publishers/failure.hpp"

namespace herald::publishers::common {

TimePoint WallNow() {
    return std::chrono::time_point_cast<Milliseconds>(std::chrono::system_clock::now());
}

std::string JoinUrl(std::string_view base, std::string_view path) {
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    std::string url(base);
    if (!path.empty() && path.front() != '/') url += '/';
    url += path;
    return url;
}

std::string UrlEncode(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            out += char(c);
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

std::string Base64(std::string_view bytes) {
    std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);  // the terminating NUL
    return out;
}

std::string Slugify(std::string_view text) {
    std::string out;
    bool dash = false;
    for (unsigned char c : text) {
        if (std::isalnum(c)) {
            if (dash && !out.empty()) out += '-';
            out += char(std::tolower(c));
            dash = false;
        } else {
            dash = true;
        }
    }
    return out;
}

std::string SlugFor(std::string_view slug, std::string_view title) {
    std::string s = Slugify(slug.empty() ? title : slug);
    return s.empty() ? "post" : s;
}

std::string MarkerToken(std::string_view publication_id) {
    std::string out;
    for (unsigned char c : publication_id)
        if (std::isalnum(c) || c == '_' || c == '-') out += char(c);
    return out;
}

bool IsJsonBody(std::string_view body) {
    const auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    return parsed.is_object() || parsed.is_array();
}

bool IsHtmlResponse(const HttpResponse& response) {
    if (auto type = response.Header("content-type")) {
        std::string lower = *type;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (lower.find("text/html") != std::string::npos) return true;
    }
    std::string_view body = response.body;
    while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front())))
        body.remove_prefix(1);
    return body.starts_with("<!DOCTYPE") || body.starts_with("<!doctype") ||
           body.starts_with("<html") || body.starts_with("<HTML");
}

PublishResult Permanent(std::string message, std::optional<int> http_status) {
    PublishResult result;
    result.outcome = RefusalOutcome(http_status);
    result.error = std::move(message);
    result.http_status = http_status;
    return result;
}

std::vector<Error> MissingSettings(const domain::Site& site, const RequiredSettings& required) {
    std::vector<Error> missing;
    for (const auto& [field, value, sentence] :
         {std::tuple{"domain", &site.domain, required.domain},
          std::tuple{"username", &site.username, required.username},
          std::tuple{"api_key", &site.api_key, required.api_key}}) {
        if (!sentence.empty() && value->empty())
            missing.push_back(Error::Invalid("required", std::string(sentence), field));
    }
    return missing;
}

PublishResult SiteMisconfigured(const Error& error) {
    PublishResult result;
    result.outcome = PublishOutcome::kSiteRefused;
    result.error = error.message;
    return result;
}

ConnectionCheck CheckFailed(const Error& error) {
    return ConnectionCheck{false, error.message, std::nullopt};
}

ConnectionCheck CheckFailed(const PublishResult& failure) {
    return ConnectionCheck{false, failure.error, failure.http_status};
}

PublishResult Published(int http_status, std::string external_id, std::string external_url) {
    PublishResult result;
    result.outcome = PublishOutcome::kPublished;
    result.http_status = http_status;
    result.external_id = std::move(external_id);
    result.external_url = std::move(external_url);
    return result;
}

PublishResult FailedWhile(const HttpResponse& response, std::string_view where,
                          std::string_view action) {
    PublishResult failure = FailureFromResponse(response, where, WallNow());
    failure.error += fmt::format(" (while {})", action);
    return failure;
}

HttpResponse Unreadable(const HttpResponse& response) {
    return HttpResponse{422, response.headers, response.body, "", false};
}

namespace {

std::string FileNameFor(std::string_view url, std::string_view content_type) {
    std::string_view path = url;
    if (auto q = path.find_first_of("?#"); q != std::string_view::npos) path = path.substr(0, q);
    if (auto slash = path.rfind('/'); slash != std::string_view::npos)
        path = path.substr(slash + 1);
    std::string name;
    for (unsigned char c : path)
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_') name += char(c);
    if (!name.empty() && name.find('.') != std::string::npos && name.front() != '.') return name;
    std::string ext = "jpg";
    if (content_type.find("png") != std::string_view::npos)
        ext = "png";
    else if (content_type.find("gif") != std::string_view::npos)
        ext = "gif";
    else if (content_type.find("webp") != std::string_view::npos)
        ext = "webp";
    return (name.empty() ? std::string("featured-image") : name) + "." + ext;
}

std::string ResolveLocation(const std::string& url, const std::string& location) {
    if (location.find("://") != std::string::npos) return location;
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return location;
    const auto host_end = url.find('/', scheme_end + 3);
    const std::string origin = host_end == std::string::npos ? url : url.substr(0, host_end);
    if (location.starts_with("/")) return origin + location;
    const auto dir_end = url.rfind('/');
    return (dir_end == std::string::npos || dir_end < scheme_end + 3 ? origin + "/"
                                                                     : url.substr(0, dir_end + 1)) +
           location;
}

}  // namespace

ImageFetch FetchImage(HttpClient& http, const std::string& url, Milliseconds timeout) {
    ImageFetch fetch;
    std::string current = url;
    for (int hop = 0; hop <= 5; ++hop) {
        HttpRequest request;
        request.method = "GET";
        request.url = current;
        request.timeout = timeout;
        request.headers = {{"Accept", "image/*"}};
        HttpResponse response = http.Send(request);
        if (response.status >= 300 && response.status < 400) {
            if (auto location = response.Header("location")) {
                current = ResolveLocation(current, *location);
                continue;
            }
        }
        if (!IsSuccess(response)) {
            fetch.failure = FailureFromResponse(response, "the featured image's server", WallNow());
            fetch.failure.error = fmt::format("could not download the featured image {}: {}", url,
                                              fetch.failure.error);
            return fetch;
        }
        // The client caps bodies; a cut-off image would be uploaded broken, so refuse it.
        if (auto length = response.Header("content-length")) {
            if (*length != std::to_string(response.body.size())) {
                fetch.failure = Permanent(fmt::format(
                    "the featured image {} is too large to upload ({} bytes)", url, *length));
                return fetch;
            }
        }
        std::string type = response.Header("content-type").value_or("");
        if (auto semi = type.find(';'); semi != std::string::npos) type.resize(semi);
        if (!type.starts_with("image/")) {
            fetch.failure = Permanent(fmt::format(
                "the featured image URL {} did not answer with an image (Content-Type {})", url,
                type.empty() ? "missing" : type));
            return fetch;
        }
        fetch.image = DownloadedImage{std::move(response.body), type, FileNameFor(current, type)};
        return fetch;
    }
    fetch.failure = Permanent(fmt::format("the featured image URL {} redirects too often", url));
    return fetch;
}

}  // namespace herald::publishers::common
