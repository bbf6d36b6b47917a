#include "http/json_mapping.hpp"

#include "domain/validation.hpp"

namespace herald::http {

using domain::ToString;

void WriteSite(JsonWriter& w, const domain::Site& site) {
    w.BeginObject();
    w.Key("id").Int(site.id);
    w.Key("name").String(site.name);
    w.Key("platform_type").String(ToString(site.platform_type));
    w.Key("domain").String(site.domain);
    w.Key("has_api_key").Bool(!site.api_key.empty());
    w.Key("username").String(site.username);
    w.Key("timezone").String(site.timezone);
    w.Key("is_active").Bool(site.is_active);
    // Stored only after being parsed as an object, so it is valid JSON.
    w.Key("options").Raw(site.options_json.empty() ? std::string_view("{}")
                                                   : std::string_view(site.options_json));
    w.Key("version").Int(site.version);
    w.Key("created_at").Time(site.created_at);
    w.Key("updated_at").Time(site.updated_at);
    w.Key("health").String(domain::ToString(site.health.health));
    w.Key("health_reason").OptString(site.health.reason);
    w.Key("health_since").OptTime(site.health.since);
    w.EndObject();
}

void WriteReason(JsonWriter& w, domain::UnscheduledReason reason) {
    w.BeginObject();
    w.Key("code").String(domain::ToString(reason));
    w.Key("message").String(domain::Explain(reason));
    w.Key("field");
    switch (reason) {
        case domain::UnscheduledReason::kNoPublishDays:
            w.String("publish_days");
            break;
        case domain::UnscheduledReason::kNoTimeSlots:
            w.String("publish_time_slots");
            break;
        case domain::UnscheduledReason::kAutoPublishOff:
            w.String("auto_publish_enabled");
            break;
        case domain::UnscheduledReason::kSiteInactive:
            w.String("is_active");
            break;
        case domain::UnscheduledReason::kLimitsFull:
            w.Null();
            break;
    }
    w.EndObject();
}

void WriteSettings(JsonWriter& w, const domain::PublishingSettings& settings,
                   const std::vector<domain::UnscheduledReason>* warnings) {
    w.BeginObject();
    w.Key("site_id").Int(settings.site_id);
    w.Key("auto_publish_enabled").Bool(settings.auto_publish_enabled);
    w.Key("publish_days").BeginArray();
    for (const domain::WeekdayIndex day : settings.publish_days) {
        if (day >= 0 && day < 7) w.String(domain::kWeekdayNames[day]);
    }
    w.EndArray();
    w.Key("publish_time_slots").BeginArray();
    for (const int slot : settings.publish_time_slots) w.String(domain::FormatTimeSlot(slot));
    w.EndArray();
    const auto limit = [&](const char* key, const std::optional<int>& value) {
        w.Key(key);
        if (value)
            w.Int(*value);
        else
            w.Null();
    };
    limit("daily_publish_limit", settings.daily_publish_limit);
    limit("weekly_publish_limit", settings.weekly_publish_limit);
    limit("monthly_publish_limit", settings.monthly_publish_limit);
    w.Key("updated_at").Time(settings.updated_at);
    if (warnings != nullptr) {
        w.Key("warnings").BeginArray();
        for (const auto reason : *warnings) WriteReason(w, reason);
        w.EndArray();
    }
    w.EndObject();
}

void WriteContent(JsonWriter& w, const domain::Content& c) {
    w.BeginObject();
    w.Key("id").Int(c.id);
    w.Key("version").Int(c.version);
    w.Key("site_id").Int(c.site_id);
    w.Key("title").String(c.title);
    w.Key("content_html").String(c.content_html);
    w.Key("excerpt").String(c.excerpt);
    w.Key("slug").String(c.slug);
    w.Key("content_type").String(c.content_type);
    w.Key("cluster_id").OptInt(c.cluster_id);
    w.Key("categories").BeginArray();
    for (const auto& name : c.categories) w.String(name);
    w.EndArray();
    w.Key("tags").BeginArray();
    for (const auto& name : c.tags) w.String(name);
    w.EndArray();
    w.Key("featured_image_url").String(c.featured_image_url);
    w.Key("status").String(ToString(c.status));
    w.Key("approved_at").OptTime(c.approved_at);
    w.Key("site_status").String(ToString(c.site_status));
    w.Key("site_status_updated_at").Time(c.site_status_updated_at);
    w.Key("scheduled_publish_at").OptTime(c.scheduled_publish_at);
    w.Key("published_at").OptTime(c.published_at);
    w.Key("external_id").OptString(c.external_id);
    w.Key("external_url").OptString(c.external_url);
    w.Key("last_error").OptString(c.last_error);
    w.Key("attempts").Int(c.attempts);
    w.Key("next_attempt_at").OptTime(c.next_attempt_at);
    w.Key("created_at").Time(c.created_at);
    w.Key("updated_at").Time(c.updated_at);
    w.EndObject();
}

void WriteRecord(JsonWriter& w, const domain::PublishRecord& r) {
    w.BeginObject();
    w.Key("id").Int(r.id);
    w.Key("content_id").Int(r.content_id);
    w.Key("site_id").Int(r.site_id);
    w.Key("attempt").Int(r.attempt);
    w.Key("started_at").Time(r.started_at);
    w.Key("finished_at").Time(r.finished_at);
    w.Key("outcome").String(ToString(r.outcome));
    w.Key("http_status");
    if (r.http_status)
        w.Int(*r.http_status);
    else
        w.Null();
    w.Key("error").OptString(r.error);
    w.Key("external_id").OptString(r.external_id);
    w.Key("external_url").OptString(r.external_url);
    w.Key("due_at").OptTime(r.due_at);
    w.EndObject();
}

}  // namespace herald::http
