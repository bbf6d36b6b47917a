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

Response Readyz(Call& call) {
    storage::Store::Overdue overdue;
    try {
        overdue = call.store().CountOverdue(call.now);
    } catch (const std::exception& e) {
        spdlog::warn("readyz: store unavailable: {}", e.what());
        return ErrorResponse(503, "store_unavailable", "The database cannot be reached.");
    }
    std::optional<TimePoint> heartbeat;
    if (dispatch::Dispatcher* dispatcher = call.env.app().dispatcher) {
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
        if (heartbeat) w.Int(age_seconds(*heartbeat));
        else w.Null();
        w.EndObject();
        w.Key("overdue").BeginObject();
        w.Key("count").Int(overdue.count);
        w.Key("oldest_age_seconds");
        if (overdue.oldest_due_at) w.Int(age_seconds(*overdue.oldest_due_at));
        else w.Null();
        w.EndObject();
        w.EndObject();
    });
}

}  // namespace herald::http
