// A site's publishing calendar as a secret iCalendar feed: the owner asks for a feed URL
// (POST /sites/{id}/ical-token/; a new one revokes the old, DELETE revokes it), and a
// calendar app fetches GET /sites/{id}/calendar.ics?token=… without an API key. Only the
// token's SHA-256 is stored; a wrong or revoked token answers 404, as a missing site does.

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "domain/ical.hpp"
#include "http/api_keys.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"
#include "http/query.hpp"

namespace herald::http {
namespace {

/// Published items older than this are left out of the feed (a calendar app refetches the
/// whole feed every time); scheduled ones are all in (up to kMaxFeedPages pages of each state).
constexpr std::chrono::days kFeedHistory{365};
constexpr int kMaxFeedPages = 10;  // × kMaxPageSize = 5,000 items per state

std::string FeedPath(domain::SiteId site) {
    return "/api/v1/sites/" + std::to_string(site) + "/calendar.ics";
}

void AddEvents(Call& call, storage::ContentFilter filter, std::vector<domain::IcalEvent>& out) {
    filter.page.page_size = kMaxPageSize;
    for (filter.page.page = 1; filter.page.page <= kMaxFeedPages; ++filter.page.page) {
        const auto page = call.store().ListContent(filter);
        for (const domain::Content& c : page.items) {
            if (auto event = domain::IcalEventOf(c)) out.push_back(std::move(*event));
        }
        if (static_cast<int64_t>(filter.page.page) * kMaxPageSize >= page.count) break;
    }
}

}  // namespace

Response CreateIcalToken(Call& call) {
    const domain::SiteId site = call.params[0];
    // The same 256 random bits (libsodium) as an API key, told apart by its prefix.
    const std::string token = "hc_" + GenerateApiKey().substr(3);
    if (!call.store().SetCalendarToken(call.account, site, HashApiKey(token), call.now))
        return NotFoundResponse("The site");
    const std::string path = FeedPath(site) + "?token=" + token;
    return JsonResponse(201, [&](JsonWriter& w) {
        w.BeginObject();
        w.Key("site_id").Int(site);
        w.Key("token").String(token);
        w.Key("path").String(path);
        // Behind a TLS proxy, the client puts `path` on its own origin instead.
        w.Key("url").String(
            "http://" +
            std::string(call.request.host.empty() ? "127.0.0.1:8080" : call.request.host) + path);
        w.Key("created_at").Time(call.now);
        w.EndObject();
    });
}

Response RevokeIcalToken(Call& call) {
    if (!call.store().GetSite(call.account, call.params[0])) return NotFoundResponse("The site");
    if (!call.store().DeleteCalendarToken(call.account, call.params[0]))
        return ErrorResponse(404, "not_found", "The site has no calendar feed.");
    return NoContentResponse();
}

Response CalendarFeed(Call& call) {
    const QueryParams query(call.request.query);
    const std::string* token = query.Get("token");
    const auto site = token && !token->empty()
                          ? call.store().FindSiteByCalendarToken(call.params[0], HashApiKey(*token))
                          : std::nullopt;
    if (!site) return ErrorResponse(404, "not_found", "There is no such calendar feed.");

    std::vector<domain::IcalEvent> events;
    storage::ContentFilter filter;
    filter.account_id = site->account_id;
    filter.site_id = site->id;
    for (const auto state : {domain::SiteStatus::kScheduled, domain::SiteStatus::kPublishing}) {
        filter.site_status = state;
        AddEvents(call, filter, events);
    }
    filter.site_status = domain::SiteStatus::kPublished;
    filter.published_after = call.now - kFeedHistory;
    AddEvents(call, filter, events);
    std::sort(events.begin(), events.end(),
              [](const domain::IcalEvent& a, const domain::IcalEvent& b) {
                  return a.start != b.start ? a.start < b.start : a.uid < b.uid;
              });

    Response response;
    response.content_type = "text/calendar; charset=utf-8";
    response.cache_control = "no-cache";
    response.body = domain::WriteIcalCalendar(site->name, events, call.now);
    return response;
}

}  // namespace herald::http
