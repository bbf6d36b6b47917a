// Sites, their publishing settings, test-connection and the slot calendar.

#include <algorithm>
#include <climits>

#include "domain/slot_states.hpp"
#include "domain/slots.hpp"
#include "domain/validation.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json_mapping.hpp"
#include "http/json_reader.hpp"
#include "http/query.hpp"
#include "http/request_fields.hpp"

namespace herald::http {
namespace {

constexpr std::string_view kDefaultPlatform = "wordpress";

Response SiteResponse(int status, const domain::Site& site) {
    Response response = JsonResponse(status, [&](JsonWriter& w) { WriteSite(w, site); });
    response.etag = ETagOf(site.version);
    return response;
}

/// The settings are part of their site: their ETag is the site's version.
/// With `warnings` (GET and writes alike): saved, but auto-publishing with no days or no time
/// slots places nothing.
Response SettingsResponse(const domain::PublishingSettings& settings, int64_t site_version) {
    const auto warnings = domain::SettingsWarnings(settings);
    Response response =
        JsonResponse(200, [&](JsonWriter& w) { WriteSettings(w, settings, &warnings); });
    response.etag = ETagOf(site_version);
    return response;
}

Response WriteSettings(Call& call, bool replace) {
    const domain::SiteId site_id = call.params[0];
    if (!call.store().GetSite(call.account, site_id)) return NotFoundResponse("The site");
    auto body = ParseJsonObject(call.request.body);
    if (!body) return ErrorResponse(body.error());
    const IfMatch precondition(call.request.if_match);
    return RetryLostRaces("The site", [&]() -> std::optional<Response> {
        // The site's version first: a settings write between the two reads moves it, so the
        // write below refuses and the loop reads again.
        const auto site = call.store().GetSite(call.account, site_id);
        if (!site) return NotFoundResponse("The site");
        if (!precondition.Allows(site->version)) return PreconditionFailed();
        auto stored = call.store().GetSettings(call.account, site_id);
        if (!stored) return NotFoundResponse("The site");
        domain::PublishingSettings settings;
        if (replace) {
            settings.site_id = site_id;
        } else {
            settings = *stored;
        }
        if (auto status = ReadSettingsFields(*body, settings); !status) {
            return ErrorResponse(status.error());
        }
        settings.updated_at = call.now;
        const auto written = call.store().PutSettings(call.account, settings, site->version);
        if (written.applied()) {
            call.env.WakeScheduler();
            return SettingsResponse(settings, written.version);
        }
        if (written.outcome == storage::WriteOutcome::kNotFound) {
            return NotFoundResponse("The site");
        }
        return LostRace(precondition);
    });
}

}  // namespace

Response CreateSite(Call& call) {
    auto body = ParseJsonObject(call.request.body);
    if (!body) return ErrorResponse(body.error());
    FieldReader r(*body);
    domain::Site site;
    site.platform_type = *domain::ParsePlatform(kDefaultPlatform);
    site.account_id = call.account;
    if (auto status = ReadSiteFields(r, site); !status) {
        // A missing name reads better as "required" than as whatever the validator says.
        if (!r.error() && !r.Has("name")) return ErrorResponse(RequiredError("name"));
        return ErrorResponse(status.error());
    }
    if (!r.Has("name")) return ErrorResponse(RequiredError("name"));
    site.created_at = site.updated_at = call.now;
    domain::PublishingSettings settings;
    settings.updated_at = call.now;
    const domain::Site created = call.store().CreateSite(site, settings);
    return SiteResponse(201, created);
}

Response ListSites(Call& call) {
    const QueryParams query(call.request.query);
    auto page = PageParams(query);
    if (!page) return ErrorResponse(page.error());
    const auto result = call.store().ListSites(call.account, *page);
    return PageResponse(call.request, *page, result,
                        [](JsonWriter& w, const domain::Site& site) { WriteSite(w, site); });
}

Response GetSite(Call& call) {
    const auto site = call.store().GetSite(call.account, call.params[0]);
    if (!site) return NotFoundResponse("The site");
    return SiteResponse(200, *site);
}

/// Resumes a degraded or paused site and answers with it (nullopt: it is gone).
std::optional<Response> ResumeSite(Call& call, domain::SiteId id) {
    const auto update = call.store().ResumeSite(call.account, id, call.now);
    if (!update) return std::nullopt;
    if (update->change.event != domain::HealthEvent::kNone) {
        call.env.SiteHealthChanged(*update);
        call.env.WakeDispatcher();
    }
    const auto site = call.store().GetSite(call.account, id);
    if (!site) return std::nullopt;
    return SiteResponse(200, *site);
}

Response PatchSite(Call& call) {
    if (!call.store().GetSite(call.account, call.params[0])) return NotFoundResponse("The site");
    auto body = ParseJsonObject(call.request.body);
    if (!body) return ErrorResponse(body.error());
    const IfMatch precondition(call.request.if_match);
    return RetryLostRaces("The site", [&]() -> std::optional<Response> {
        const auto stored = call.store().GetSite(call.account, call.params[0]);
        if (!stored) return NotFoundResponse("The site");
        if (!precondition.Allows(stored->version)) return PreconditionFailed();
        FieldReader r(*body);
        domain::Site site = *stored;
        if (auto status = ReadSiteFields(r, site); !status) return ErrorResponse(status.error());
        site.updated_at = call.now;
        const auto written = call.store().UpdateSite(site, stored->version);
        if (written.applied()) {
            site.version = written.version;
            if (site.is_active != stored->is_active || site.timezone != stored->timezone) {
                call.env.WakeScheduler();
                call.env.WakeDispatcher();
            }
            if (stored->health.health != domain::SiteHealth::kHealthy &&
                domain::ChangeResumesSite(*stored, site)) {
                if (const auto resumed = ResumeSite(call, site.id)) return *resumed;
            }
            return SiteResponse(200, site);
        }
        if (written.outcome == storage::WriteOutcome::kNotFound) {
            return NotFoundResponse("The site");
        }
        return LostRace(precondition);
    });
}

Response ResumeSiteAction(Call& call) {
    const auto stored = call.store().GetSite(call.account, call.params[0]);
    if (!stored) return NotFoundResponse("The site");
    const IfMatch precondition(call.request.if_match);
    if (!precondition.Allows(stored->version)) return PreconditionFailed();
    if (auto answer = ResumeSite(call, stored->id)) return std::move(*answer);
    return NotFoundResponse("The site");
}

Response DeleteSite(Call& call) {
    const IfMatch precondition(call.request.if_match);
    std::optional<int64_t> expected;
    if (precondition.present()) {
        const auto stored = call.store().GetSite(call.account, call.params[0]);
        if (!stored) return NotFoundResponse("The site");
        if (!precondition.Allows(stored->version)) return PreconditionFailed();
        expected = stored->version;
    }
    switch (call.store().DeleteSite(call.account, call.params[0], expected)) {
        case storage::WriteOutcome::kApplied:
            return NoContentResponse();
        case storage::WriteOutcome::kNotFound:
            return NotFoundResponse("The site");
        case storage::WriteOutcome::kBusy:
            return ErrorResponse(409, "site_publishing",
                                 "The site has content being published right now; try again "
                                 "in a moment.");
        default:
            return PreconditionFailed();
    }
}

Response TestConnection(Call& call) {
    const auto site = call.store().GetSite(call.account, call.params[0]);
    if (!site) return NotFoundResponse("The site");
    if (site->domain.empty()) {
        return ErrorResponse(422, "missing_domain",
                             "The site has no domain; set the base URL of the platform first.",
                             "domain");
    }
    if (site->api_key.empty()) {
        return ErrorResponse(422, "missing_api_key",
                             "The site has no API key; add the platform credential first.",
                             "api_key");
    }
    publishers::Publisher* publisher = call.env.app().publishers.For(site->platform_type);
    if (!publisher) {
        return ErrorResponse(422, "unsupported_platform",
                             "This build of herald cannot talk to that platform.", "platform_type");
    }
    const publishers::ConnectionCheck check = publisher->TestConnection(*site);
    if (!check.ok) {
        return ErrorResponse(
            502, "connection_failed",
            check.message.empty() ? "The platform could not be reached." : check.message);
    }
    return JsonResponse(200, [&](JsonWriter& w) {
        w.BeginObject();
        w.Key("ok").Bool(true);
        w.Key("message").String(check.message);
        w.Key("http_status");
        if (check.http_status)
            w.Int(*check.http_status);
        else
            w.Null();
        w.EndObject();
    });
}

Response ListSlots(Call& call) {
    constexpr auto kDefaultSpan = std::chrono::days{14};
    constexpr auto kMaxSpan = std::chrono::days{92};
    const auto site = call.store().GetSite(call.account, call.params[0]);
    if (!site) return NotFoundResponse("The site");
    const auto settings = call.store().GetSettings(call.account, site->id);
    if (!settings) return NotFoundResponse("The site");
    const QueryParams query(call.request.query);
    auto from = TimeParam(query, "from");
    if (!from) return ErrorResponse(from.error());
    auto to = TimeParam(query, "to");
    if (!to) return ErrorResponse(to.error());
    const TimePoint begin = from->value_or(call.now);
    const TimePoint end = to->value_or(begin + kDefaultSpan);
    if (end <= begin)
        return ErrorResponse(422, "invalid_range", "'to' must be after 'from'.", "to");
    if (end - begin > kMaxSpan) {
        return ErrorResponse(422, "invalid_range", "At most 92 days of slots can be listed.", "to");
    }
    auto slots = domain::ListSlotInstants(*settings, site->timezone, begin, end);
    if (!slots) return ErrorResponse(slots.error());
    // From a month before, so the limits of the first slots' month and week count fully.
    const domain::SiteCalendar calendar =
        call.store().LoadCalendar(site->id, begin - domain::kCalendarLookBack);
    auto states = domain::ClassifySlots(*settings, site->timezone, calendar, *slots, call.now);
    if (!states) return ErrorResponse(states.error());
    return JsonResponse(
        200,
        [&](JsonWriter& w) {
            w.BeginObject();
            w.Key("site_id").Int(site->id);
            w.Key("timezone").String(site->timezone);
            w.Key("from").Time(begin);
            w.Key("to").Time(end);
            w.Key("results").BeginArray();
            for (size_t i = 0; i < slots->size(); ++i) {
                w.BeginObject();
                w.Key("at").Time((*slots)[i]);
                const domain::SlotStatus& status = (*states)[i];
                w.Key("state").String(domain::ToString(status.state));
                w.Key("reason").OptString(status.reason);
                w.EndObject();
            }
            w.EndArray();
            w.EndObject();
        },
        64 + slots->size() * 48);
}

Response GetSettings(Call& call) {
    const auto site = call.store().GetSite(call.account, call.params[0]);
    const auto settings = call.store().GetSettings(call.account, call.params[0]);
    if (!site || !settings) return NotFoundResponse("The site");
    return SettingsResponse(*settings, site->version);
}

Response PutSettings(Call& call) { return WriteSettings(call, /*replace=*/true); }
Response PatchSettings(Call& call) { return WriteSettings(call, /*replace=*/false); }

}  // namespace herald::http
