#include "hooks/event_data.hpp"

#include <nlohmann/json.hpp>

namespace herald::hooks {
namespace {

using Json = nlohmann::ordered_json;

Json OrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }
Json TimeOrNull(const std::optional<TimePoint>& t) {
    return t ? Json(FormatIso(*t)) : Json(nullptr);
}

}  // namespace

std::string ContentEventData(const domain::Content& c, int attempt) {
    Json data;
    data["content_id"] = c.id;
    data["site_id"] = c.site_id;
    data["title"] = c.title;
    data["status"] = std::string(domain::ToString(c.site_status));
    data["external_id"] = OrNull(c.external_id);
    data["external_url"] = OrNull(c.external_url);
    data["error"] = OrNull(c.last_error);
    data["attempt"] = attempt;
    data["scheduled_publish_at"] = TimeOrNull(c.scheduled_publish_at);
    data["published_at"] = TimeOrNull(c.published_at);
    // Titles are user text: never let invalid UTF-8 throw into the emitter.
    return data.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string SiteEventData(const domain::Site& site, std::string_view health,
                          std::optional<std::string_view> reason) {
    Json data;
    data["site_id"] = site.id;
    data["name"] = site.name;
    data["platform_type"] = std::string(domain::ToString(site.platform_type));
    data["health"] = std::string(health);
    data["reason"] = reason ? Json(std::string(*reason)) : Json(nullptr);
    return data.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace herald::hooks
