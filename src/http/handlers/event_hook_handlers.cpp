// /api/v1/event-hooks/: an account's event hooks (API.md §8). The secret is write-only:
// answers carry `has_secret`, never the secret. Unknown fields are refused, so a typo
// ("event" for "events") is not silently dropped.

#include <string>
#include <string_view>

#include "common/text.hpp"
#include "domain/event_hooks.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json_reader.hpp"
#include "http/query.hpp"
#include "publishers/webhook/signature.hpp"
#include "storage/store.hpp"

namespace herald::http {
namespace {

constexpr std::string_view kWritable[] = {"url", "secret", "events", "is_active"};
// Fields of an answer a client may send back unchanged; ignored.
constexpr std::string_view kReadOnly[] = {"id", "has_secret", "version", "created_at",
                                          "updated_at"};
constexpr int kMaxDeliveriesListed = 100;

void WriteHook(JsonWriter& w, const domain::EventHook& hook) {
    w.BeginObject();
    w.Key("id").Int(hook.id);
    w.Key("url").String(hook.url);
    w.Key("events").BeginArray();
    for (const auto& e : hook.events) w.String(e);
    w.EndArray();
    w.Key("is_active").Bool(hook.is_active);
    w.Key("has_secret").Bool(!hook.secret.empty());
    w.Key("version").Int(hook.version);
    w.Key("created_at").Time(hook.created_at);
    w.Key("updated_at").Time(hook.updated_at);
    w.EndObject();
}

Response HookResponse(int status, const domain::EventHook& hook) {
    Response response = JsonResponse(status, [&](JsonWriter& w) { WriteHook(w, hook); });
    response.etag = ETagOf(hook.version);
    return response;
}

std::optional<Error> UnknownField(const nlohmann::json& body) {
    for (const auto& [name, value] : body.items()) {
        bool known = false;
        for (std::string_view k : kWritable) known = known || k == name;
        for (std::string_view k : kReadOnly) known = known || k == name;
        if (!known)
            return Error::BadRequest("unknown_field",
                                     "'" + std::string(Utf8Prefix(name, 60)) +
                                         "' is not a field of an event hook; use url, secret, "
                                         "events and is_active.",
                                     std::string(Utf8Prefix(name, 60)));
    }
    return std::nullopt;
}

/// Reads the writable fields present in `body` over `hook`, then checks the whole hook.
Status ReadHookFields(const nlohmann::json& body, domain::EventHook& hook) {
    if (auto unknown = UnknownField(body)) return *unknown;
    FieldReader r(body);
    r.String("url", hook.url);
    const bool has_secret = r.String("secret", hook.secret);
    std::vector<std::string> events;
    const bool has_events = r.StringList("events", events);
    r.Bool("is_active", hook.is_active);
    if (r.error()) return *r.error();
    if (has_events) {
        auto normalized = domain::NormalizeHookEvents(events);
        if (!normalized) return normalized.error();
        hook.events = std::move(*normalized);
    }
    if (has_secret && hook.secret.empty())
        return Error::Invalid("required",
                              "secret is required: deliveries are signed with it (Standard "
                              "Webhooks); it cannot be removed, only replaced.",
                              "secret");
    if (has_secret && !publishers::webhook::SigningKey(hook.secret))
        return Error::Invalid("invalid_secret",
                              "secret starts with whsec_ but the rest is not valid base64; copy "
                              "the signing secret again.",
                              "secret");
    return domain::ValidateEventHook(hook);
}

}  // namespace

Response CreateEventHook(Call& call) {
    auto body = ParseJsonObject(call.request.body);
    if (!body) return ErrorResponse(body.error());
    domain::EventHook hook;
    hook.account_id = call.account;
    if (auto status = ReadHookFields(*body, hook); !status) return ErrorResponse(status.error());
    // Required on create; checked after the types so a wrong type answers 400 first.
    if (!body->contains("events")) return ErrorResponse(RequiredError("events"));
    if (hook.secret.empty()) return ErrorResponse(RequiredError("secret"));
    hook.created_at = hook.updated_at = call.now;
    return HookResponse(201, call.store().CreateEventHook(hook));
}

Response ListEventHooks(Call& call) {
    const QueryParams query(call.request.query);
    auto page = PageParams(query);
    if (!page) return ErrorResponse(page.error());
    const auto result = call.store().ListEventHooks(call.account, *page);
    return PageResponse(call.request, *page, result,
                        [](JsonWriter& w, const domain::EventHook& h) { WriteHook(w, h); });
}

Response GetEventHook(Call& call) {
    const auto hook = call.store().GetEventHook(call.account, call.params[0]);
    if (!hook) return NotFoundResponse("The event hook");
    return HookResponse(200, *hook);
}

Response PatchEventHook(Call& call) {
    if (!call.store().GetEventHook(call.account, call.params[0]))
        return NotFoundResponse("The event hook");
    auto body = ParseJsonObject(call.request.body);
    if (!body) return ErrorResponse(body.error());
    const IfMatch precondition(call.request.if_match);
    return RetryLostRaces("The event hook", [&]() -> std::optional<Response> {
        const auto stored = call.store().GetEventHook(call.account, call.params[0]);
        if (!stored) return NotFoundResponse("The event hook");
        if (!precondition.Allows(stored->version)) return PreconditionFailed();
        domain::EventHook hook = *stored;
        if (auto status = ReadHookFields(*body, hook); !status)
            return ErrorResponse(status.error());
        hook.updated_at = call.now;
        const auto written = call.store().UpdateEventHook(hook, stored->version);
        if (written.applied()) {
            hook.version = written.version;
            return HookResponse(200, hook);
        }
        if (written.outcome == storage::WriteOutcome::kNotFound)
            return NotFoundResponse("The event hook");
        return LostRace(precondition);
    });
}

Response DeleteEventHook(Call& call) {
    const IfMatch precondition(call.request.if_match);
    std::optional<int64_t> expected;
    if (precondition.present()) {
        const auto stored = call.store().GetEventHook(call.account, call.params[0]);
        if (!stored) return NotFoundResponse("The event hook");
        if (!precondition.Allows(stored->version)) return PreconditionFailed();
        expected = stored->version;
    }
    switch (call.store().DeleteEventHook(call.account, call.params[0], expected)) {
        case storage::WriteOutcome::kApplied:
            return NoContentResponse();
        case storage::WriteOutcome::kNotFound:
            return NotFoundResponse("The event hook");
        default:
            return PreconditionFailed();
    }
}

Response TestEventHook(Call& call) {
    const auto hook = call.store().GetEventHook(call.account, call.params[0]);
    if (!hook) return NotFoundResponse("The event hook");
    auto body = ParseJsonObject(call.request.body, /*empty_ok=*/true);
    if (!body) return ErrorResponse(body.error());
    if (!body->empty())
        return ErrorResponse(Error::BadRequest("unknown_field",
                                               "A test event takes no fields; send an empty body.",
                                               std::string(Utf8Prefix(body->begin().key(), 60))));
    if (!hook->is_active)
        return ErrorResponse(409, "hook_inactive",
                             "The event hook is inactive; activate it to send a test event.");
    // A `ping` the hook gets whatever it subscribes to, signed and retried like any event.
    std::string event;
    JsonWriter w(event);
    w.BeginObject();
    w.Key("type").String("ping");
    w.Key("timestamp").Time(call.now);
    w.Key("data").BeginObject();
    w.Key("hook_id").Int(hook->id);
    w.Key("message").String("A test event from herald: the hook is reachable.");
    w.EndObject();
    w.EndObject();
    const auto queued =
        call.store().EnqueueHookDelivery(call.account, hook->id, "ping", event, call.now);
    if (!queued) return NotFoundResponse("The event hook");
    return JsonResponse(202, [&](JsonWriter& out) {
        out.BeginObject();
        out.Key("queued").Bool(true);
        out.Key("delivery_id").Int(queued->id);
        out.Key("event").String("ping");
        out.Key("webhook_id").String(queued->webhook_id);
        out.EndObject();
    });
}

Response ListEventHookDeliveries(Call& call) {
    if (!call.store().GetEventHook(call.account, call.params[0]))
        return NotFoundResponse("The event hook");
    const auto deliveries =
        call.store().ListHookDeliveries(call.account, call.params[0], kMaxDeliveriesListed);
    return JsonResponse(
        200,
        [&](JsonWriter& w) {
            w.BeginObject();
            w.Key("count").Int(static_cast<int64_t>(deliveries.size()));
            w.Key("results").BeginArray();
            for (const auto& d : deliveries) {
                w.BeginObject();
                w.Key("id").Int(d.id);
                w.Key("event").String(d.event_type);
                w.Key("webhook_id").String(d.webhook_id);
                w.Key("state").String(domain::ToString(d.state));
                w.Key("attempts").Int(d.attempts);
                w.Key("created_at").Time(d.created_at);
                w.Key("next_attempt_at");
                if (d.state == domain::DeliveryState::kPending)
                    w.Time(d.next_attempt_at);
                else
                    w.Null();
                w.Key("finished_at").OptTime(d.finished_at);
                w.Key("last_status")
                    .OptInt(d.last_status ? std::optional<int64_t>(*d.last_status) : std::nullopt);
                w.Key("last_error").OptString(d.last_error);
                w.EndObject();
            }
            w.EndArray();
            w.EndObject();
        },
        64 + deliveries.size() * 256);
}

}  // namespace herald::http
