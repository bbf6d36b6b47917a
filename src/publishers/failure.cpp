#include "publishers/failure.hpp"

#include <charconv>
#include <sstream>

#include <date/date.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "domain/retry_policy.hpp"

namespace herald::publishers {

std::optional<Milliseconds> ParseRetryAfter(std::string_view value, TimePoint now) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc{} && end == value.data() + value.size()) {
        if (seconds < 0) return std::nullopt;
        return std::chrono::duration_cast<Milliseconds>(Seconds{seconds});
    }
    // IMF-fixdate, the form RFC 9110 requires senders to use.
    std::istringstream in{std::string(value)};
    date::sys_seconds at;
    // gcc 12 at -O2 sees date.h's seconds field as maybe unset on a path where the parse
    // failed (and in.fail() is then checked); a false positive inside the library.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
    in >> date::parse("%a, %d %b %Y %H:%M:%S GMT", at);
#pragma GCC diagnostic pop
    if (in.fail()) return std::nullopt;
    const auto delta = std::chrono::duration_cast<Milliseconds>(at - now);
    return delta.count() > 0 ? delta : Milliseconds{0};
}

std::string BodyExcerpt(std::string_view body, size_t max_chars) {
    std::string text;
    const auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) {
        // Common shapes: {"message": …}, {"error": "…"}, {"error": {"message": …}}.
        for (const char* key : {"message", "error", "detail", "errors"}) {
            auto it = parsed.find(key);
            if (it == parsed.end()) continue;
            if (it->is_string())
                text = it->get<std::string>();
            else if (it->is_object() && it->contains("message") && (*it)["message"].is_string())
                text = (*it)["message"].get<std::string>();
            else
                text = it->dump();
            break;
        }
    }
    if (text.empty()) text = std::string(body);
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (text.size() > max_chars) text = text.substr(0, max_chars) + "…";
    return text;
}

namespace {

std::string WithExcerpt(std::string message, std::string_view body) {
    const std::string excerpt = BodyExcerpt(body);
    if (!excerpt.empty()) message += ": " + excerpt;
    return message;
}

std::string DescribeStatus(const HttpResponse& r, std::string_view target) {
    const int s = r.status;
    if (s == 401 || s == 403)
        return fmt::format("{} refused herald's credentials (HTTP {}): check the site's API key",
                           target, s);
    if (s == 404 || s == 410)
        return fmt::format("{} was not found (HTTP {}): check the site's domain", target, s);
    if (s == 405)
        return fmt::format("{} does not accept this request (HTTP 405): check the site's domain",
                           target);
    if (s == 413) return fmt::format("{} refused the content as too large (HTTP 413)", target);
    if (s == 429) return fmt::format("{} is rate limiting herald (HTTP 429)", target);
    if (s == 408 || s == 425)
        return fmt::format("{} asked herald to try again later (HTTP {})", target, s);
    if (s >= 300 && s < 400) {
        const auto location = r.Header("location");
        return fmt::format(
            "{} answered with a redirect (HTTP {}{}); herald does not follow redirects when "
            "publishing: set the site's domain to the final address",
            target, s, location ? " to " + *location : std::string());
    }
    if (s >= 500) return WithExcerpt(fmt::format("{} failed (HTTP {})", target, s), r.body);
    return WithExcerpt(fmt::format("{} rejected the content (HTTP {})", target, s), r.body);
}

}  // namespace

PublishResult FailureFromResponse(const HttpResponse& response, std::string_view target,
                                  TimePoint now) {
    PublishResult result;
    if (response.status == 0) {
        result.outcome = PublishOutcome::kTransient;
        result.error =
            fmt::format("could not reach {}: {}", target,
                        response.transport_error.empty() ? "no answer" : response.transport_error);
        return result;
    }
    result.http_status = response.status;
    result.error = DescribeStatus(response, target);
    const bool transient = response.status >= 400 && domain::ClassifyHttpStatus(response.status) ==
                                                         domain::FailureKind::kTransient;
    result.outcome = transient ? PublishOutcome::kTransient : RefusalOutcome(response.status);
    if (transient) {
        if (const auto value = response.Header("retry-after"))
            result.retry_after = ParseRetryAfter(*value, now);
    }
    return result;
}

bool IsTransientResponse(const HttpResponse& response) {
    return response.status == 0 ||
           domain::ClassifyHttpStatus(response.status) == domain::FailureKind::kTransient;
}

PublishOutcome RefusalOutcome(std::optional<int> http_status) {
    if (http_status &&
        domain::ClassifyHttpStatus(*http_status) == domain::FailureKind::kCredentialsRefused)
        return PublishOutcome::kSiteRefused;
    return PublishOutcome::kPermanent;
}

ConnectionCheck FailedCheck(const HttpResponse& response, std::string_view target, TimePoint now) {
    const PublishResult failure = FailureFromResponse(response, target, now);
    return ConnectionCheck{false, failure.error, failure.http_status};
}

}  // namespace herald::publishers
