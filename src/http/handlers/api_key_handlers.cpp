// /api/v1/api-keys/: an account's named API keys. A key is shown once, when created; only its
// hash and first characters are stored.

#include <string>

#include "http/api_keys.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json_reader.hpp"
#include "storage/store.hpp"

namespace herald::http {
namespace {

constexpr size_t kMaxKeyNameLength = 100;

void WriteKey(JsonWriter& w, const storage::ApiKeyRecord& key) {
    w.Key("id").Int(key.id);
    w.Key("name").String(key.name);
    w.Key("prefix").String(key.prefix);
    w.Key("created_at").Time(key.created_at);
    w.Key("last_used_at").OptTime(key.last_used_at);
}

}  // namespace

Response ListApiKeys(Call& call) {
    const auto keys = call.store().ListApiKeys(call.account);
    return JsonResponse(200, [&](JsonWriter& w) {
        w.BeginObject();
        w.Key("count").Int(static_cast<int64_t>(keys.size()));
        w.Key("next").Null();
        w.Key("previous").Null();
        w.Key("results").BeginArray();
        for (const auto& key : keys) {
            w.BeginObject();
            WriteKey(w, key);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    });
}

Response CreateApiKey(Call& call) {
    auto body = ParseJsonObject(call.request.body);
    if (!body) return ErrorResponse(body.error());
    FieldReader r(*body);
    std::string name;
    r.String("name", name);
    if (r.error()) return ErrorResponse(*r.error());
    if (!r.Has("name") || name.empty()) return ErrorResponse(RequiredError("name"));
    if (name.size() > kMaxKeyNameLength)
        return ErrorResponse(
            Error::Invalid("too_long", "The name is longer than 100 characters.", "name"));
    const std::string key = GenerateApiKey();
    const auto created =
        call.store().CreateApiKey(call.account, name, ApiKeyPrefix(key), HashApiKey(key), call.now);
    return JsonResponse(201, [&](JsonWriter& w) {
        w.BeginObject();
        WriteKey(w, created);
        w.Key("key").String(key);  // the only time it is shown
        w.EndObject();
    });
}

Response RevokeApiKey(Call& call) {
    if (!call.store().RevokeApiKey(call.account, call.params[0], call.now))
        return NotFoundResponse("The API key");
    call.env.ForgetAuthentications();  // refused from this request on, not after a cache TTL
    return NoContentResponse();
}

}  // namespace herald::http
