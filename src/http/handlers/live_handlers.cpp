// What the web UI needs beyond the API contract: the live event stream, the slot scheduler
// for one site, and /metrics.

#include <algorithm>

#include "dispatch/dispatcher.hpp"
#include "dispatch/slot_scheduler.hpp"
#include "domain/slots.hpp"
#include "http/api_keys.hpp"
#include "http/events.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json_mapping.hpp"
#include "http/json_reader.hpp"
#include "http/query.hpp"

namespace herald::http {
namespace {}  // namespace

Response OpenEventsSession(Call& call) {
    // The route authenticated the header already; the cookie carries that same key.
    Response response = NoContentResponse();
    response.set_cookie = EventsCookie(KeyFromAuthorization(call.request.authorization));
    return response;
}

Response CloseEventsSession(Call&) {
    Response response = NoContentResponse();
    response.set_cookie = ExpiredEventsCookie();
    return response;
}

Response ContentEvents(Call& call) {
    const QueryParams query(call.request.query);
    auto site_id = IntParam(query, "site_id");
    if (!site_id) return ErrorResponse(site_id.error());
    if (!*site_id) return ErrorResponse(RequiredError("site_id"));
    const auto site = call.store().GetSite(call.account, **site_id);
    if (!site) return NotFoundResponse("The site");
    Response response;
    response.content_type = "text/event-stream";
    // Reconnect soon after a restart; the comment makes the browser fire `open` at once.
    response.body = "retry: 3000\n: connected\n\n";
    response.stream =
        std::make_shared<ContentEventStream>(call.store(), call.account, site->id, call.now);
    return response;
}

// Runs the slot calculator for one site now. An explicit user action, so it also assigns
// for a site whose auto_publish_enabled is off (that switch governs the background runs
// only); an inactive site is refused, since §2 says it is never scheduled.
Response ScheduleApprovedForSite(Call& call) {
    const auto site = call.store().GetSite(call.account, call.params[0]);
    if (!site) return NotFoundResponse("The site");
    const auto settings = call.store().GetSettings(call.account, site->id);
    if (!settings) return NotFoundResponse("The site");
    auto body = ParseJsonObject(call.request.body, /*empty_ok=*/true);
    if (!body) return ErrorResponse(body.error());
    FieldReader r(*body);
    bool dry_run = false;
    r.Bool("dry_run", dry_run);
    if (r.error()) return ErrorResponse(*r.error());
    if (!site->is_active) {
        return ErrorResponse(409, "site_inactive",
                             "The site is inactive; activate it before scheduling content.");
    }
    auto outcomes = dispatch::ScheduleSites(call.store(), {site->id}, call.now, dry_run,
                                            /*require_auto_publish=*/false);
    auto& outcome = outcomes.at(0);
    if (outcome.skipped) {  // deleted or deactivated meanwhile
        return ErrorResponse(409, "site_inactive",
                             "The site is inactive; activate it before scheduling content.");
    }
    if (outcome.error) return ErrorResponse(*outcome.error);
    const auto& assignments = outcome.assignments;
    const size_t left = outcome.queued + outcome.held - assignments.size();  // held: unscheduled
    if (!dry_run && !assignments.empty()) call.env.WakeDispatcher();
    return JsonResponse(
        200,
        [&](JsonWriter& w) {
            w.BeginObject();
            w.Key("site_id").Int(site->id);
            w.Key("dry_run").Bool(dry_run);
            w.Key("assigned").Int(static_cast<int64_t>(assignments.size()));
            w.Key("left_unscheduled").Int(static_cast<int64_t>(left));
            w.Key("assignments").BeginArray();
            for (const auto& a : assignments) {
                w.BeginObject();
                w.Key("content_id").Int(a.content_id);
                w.Key("scheduled_publish_at").Time(a.at);
                w.EndObject();
            }
            w.EndArray();
            // Each item left over, with why (domain/unscheduled): the UI's queue shows it.
            w.Key("unscheduled").BeginArray();
            for (const auto& item : outcome.unscheduled) {
                w.BeginObject();
                w.Key("content_id").Int(item.content_id);
                w.Key("reason");
                WriteReason(w, item.reason);
                w.EndObject();
            }
            w.EndArray();
            w.EndObject();
        },
        128 + assignments.size() * 64 + outcome.unscheduled.size() * 256);
}

Response MetricsText(Call& call) {
    Response response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = call.env.RenderHttpMetrics();
    if (dispatch::Dispatcher* dispatcher = call.env.app().dispatcher) {
        response.body += dispatcher->Metrics().RenderPrometheus();
    }
    try {
        const auto sites = call.store().CountSiteHealth();
        response.body +=
            "# HELP herald_sites Active sites by delivery health (all processes).\n"
            "# TYPE herald_sites gauge\n"
            "herald_sites{health=\"healthy\"} " +
            std::to_string(sites.healthy) +
            "\n"
            "herald_sites{health=\"degraded\"} " +
            std::to_string(sites.degraded) +
            "\n"
            "herald_sites{health=\"paused\"} " +
            std::to_string(sites.paused) + "\n";
    } catch (const std::exception&) {
        // The database is away: /readyz says so; the process's own metrics still render.
    }
    return response;
}

}  // namespace herald::http
