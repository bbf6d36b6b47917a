// Publish-now and the publishing records.

#include "dispatch/dispatcher.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json_mapping.hpp"
#include "http/json_reader.hpp"
#include "http/query.hpp"

namespace herald::http {

namespace {

/// A failed publish-now is one failed attempt, and says so: the item is `failed` with its
/// error and its record, and nothing goes on in the background (retry it with publish-now
/// or by scheduling it again).
Response PublishNowAnswer(const dispatch::PublishNowOutcome& outcome) {
    if (!outcome) return NotFoundResponse("The content");
    if (!*outcome) return ErrorResponse(outcome->error());
    const dispatch::PublishNowResult& result = outcome->value();
    return JsonResponse(result.success ? 200 : 502, [&](JsonWriter& w) {
        w.BeginObject();
        if (!result.success) {
            w.Key("error").BeginObject();
            w.Key("code").String("publish_failed");
            w.Key("message").String(result.error.empty() ? "The platform did not accept the post."
                                                         : result.error);
            w.Key("field").Null();
            w.EndObject();
        }
        w.Key("success").Bool(result.success);
        w.Key("external_id").OptString(result.content.external_id);
        w.Key("external_url").OptString(result.content.external_url);
        w.Key("record_id").Int(result.record_id);
        if (result.http_status) {
            w.Key("http_status").Int(*result.http_status);
        } else {
            w.Key("http_status").Null();
        }
        w.Key("content");
        WriteContent(w, result.content);
        w.EndObject();
    });
}

}  // namespace

Response PublishNow(Call& call) {
    auto body = ParseJsonObject(call.request.body);
    if (!body) return ErrorResponse(body.error());
    FieldReader r(*body);
    int64_t content_id = 0;
    const bool has_id = r.Int("content_id", content_id);
    // Each item has exactly one site: destinations, when given, must name its platform.
    std::vector<std::string> destinations;
    r.StringList("destinations", destinations);
    if (r.error()) return ErrorResponse(*r.error());
    if (!has_id) return ErrorResponse(RequiredError("content_id"));
    if (!destinations.empty()) {
        // A missing item is left to the publish path's own 404.
        const auto content = call.store().GetContent(call.account, content_id);
        const auto site =
            content ? call.store().GetSite(call.account, content->site_id) : std::nullopt;
        if (site) {
            const std::string_view platform = domain::ToString(site->platform_type);
            for (const auto& destination : destinations) {
                if (destination == platform) continue;
                return ErrorResponse(422, "destination_mismatch",
                                     "The item's site '" + site->name + "' publishes to " +
                                         std::string(platform) + "; destinations may name only " +
                                         std::string(platform) + " (got '" + destination + "').",
                                     "destinations");
            }
        }
    }

    // The call goes through the dispatcher's pipeline, behind the site's cap, and the answer
    // is written when its attempt is recorded; no thread waits for the remote meanwhile.
    Response response;
    response.deferred = [&env = call.env, account = call.account,
                         content_id](std::function<void(Response)> respond) {
        env.PublishDispatcher().PublishNowAsync(
            account, content_id,
            [respond = std::move(respond)](const dispatch::PublishNowOutcome& outcome) {
                respond(PublishNowAnswer(outcome));
            });
    };
    return response;
}

Response ListRecords(Call& call) {
    const QueryParams query(call.request.query);
    storage::RecordFilter filter;
    filter.account_id = call.account;
    auto content_id = IntParam(query, "content_id");
    if (!content_id) return ErrorResponse(content_id.error());
    filter.content_id = *content_id;
    auto site_id = IntParam(query, "site_id");
    if (!site_id) return ErrorResponse(site_id.error());
    filter.site_id = *site_id;
    auto page = PageParams(query);
    if (!page) return ErrorResponse(page.error());
    filter.page = *page;
    const auto result = call.store().ListRecords(filter);
    return PageResponse(
        call.request, filter.page, result,
        [](JsonWriter& w, const domain::PublishRecord& record) { WriteRecord(w, record); });
}

}  // namespace herald::http
