#include <chrono>

#include <spdlog/spdlog.h>

#include "dispatch/dispatcher.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"

namespace herald::http {

Response Healthz(Call&) {
    Response response;
    response.body = R"({"status":"ok"})";
    return response;
}

namespace {

/// 503 with a JSON reason: the process is alive (it keeps running and resumes by itself when
/// the database is back) but cannot do its work now.
Response Unavailable(std::string_view reason, std::string_view message,
                     const std::optional<dispatch::StoreHealth>& health) {
    return JsonResponse(503, [&](JsonWriter& w) {
        w.BeginObject();
        w.Key("status").String("unavailable");
        w.Key("reason").String(reason);
        w.Key("message").String(message);
        if (health) {
            w.Key("dispatcher").BeginObject();
            w.Key("store_ok").Bool(health->ok);
            w.Key("failing_since").OptTime(health->failing_since);
            w.Key("unsettled_attempts").Int(static_cast<int64_t>(health->unsettled));
            w.EndObject();
        }
        w.EndObject();
    });
}

}  // namespace

Response Readyz(Call& call) {
    std::optional<dispatch::StoreHealth> health;
    dispatch::Dispatcher* dispatcher = call.env.app().dispatcher;
    if (dispatcher) health = dispatcher->Health();
    // The probe: one cheap query through the pool (a dead pooled connection is replaced,
    // and a refused connection fails at once).
    storage::Store::Overdue overdue;
    storage::Store::SiteHealthCounts sites;
    try {
        overdue = call.store().CountOverdue(call.now);
        sites = call.store().CountSiteHealth();
    } catch (const std::exception& e) {
        spdlog::warn("readyz: store unavailable: {}", e.what());
        return Unavailable("store_unavailable", "The database cannot be reached.", health);
    }
    // The database answers this probe, but the dispatcher's own calls still fail (or it
    // holds attempts it could not record yet): not ready until it has caught up.
    if (health && (!health->ok || health->unsettled > 0)) {
        return Unavailable(health->ok ? "dispatcher_catching_up" : "dispatcher_store_errors",
                           health->ok ? "The dispatcher is recording attempts made while the "
                                        "database was unreachable."
                                      : "The dispatcher's database calls are failing.",
                           health);
    }
    std::optional<TimePoint> heartbeat;
    if (dispatcher) {
        const TimePoint last = dispatcher->LastHeartbeat();
        if (last != TimePoint{}) heartbeat = last;  // never ran: not started (--no-tasks)
    }
    const auto age_seconds = [&](TimePoint t) {
        return std::chrono::duration_cast<Seconds>(call.now - t).count();
    };
    return JsonResponse(200, [&](JsonWriter& w) {
        w.BeginObject();
        w.Key("status").String("ok");
        w.Key("dispatcher").BeginObject();
        w.Key("last_heartbeat").OptTime(heartbeat);
        w.Key("heartbeat_age_seconds");
        if (heartbeat)
            w.Int(age_seconds(*heartbeat));
        else
            w.Null();
        w.EndObject();
        w.Key("overdue").BeginObject();
        w.Key("count").Int(overdue.count);
        w.Key("oldest_age_seconds");
        if (overdue.oldest_due_at)
            w.Int(age_seconds(*overdue.oldest_due_at));
        else
            w.Null();
        w.EndObject();
        // Sites herald cannot deliver to right now do not make the process unready (it is
        // doing its job); they are reported so a probe or a person can see them.
        w.Key("sites").BeginObject();
        w.Key("healthy").Int(sites.healthy);
        w.Key("degraded").Int(sites.degraded);
        w.Key("paused").Int(sites.paused);
        w.EndObject();
        w.EndObject();
    });
}

}  // namespace herald::http
