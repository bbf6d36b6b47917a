#include "http/json_mapping.hpp"

#include <algorithm>
#include <chrono>

#include "domain/planner_settings.hpp"
#include "domain/validation.hpp"
#include "http/errors.hpp"
#include "http/request_fields.hpp"

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
    // Saved but incomplete: what its platform cannot publish without. Its first call would
    // pause it with the first of these, so the answer says so up front.
    w.Key("warnings").BeginArray();
    for (const Error& missing : MissingPlatformSettings(site)) {
        w.BeginObject();
        WriteErrorFields(w, missing);  // a missing setting always names its field
        w.EndObject();
    }
    w.EndArray();
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
        case domain::UnscheduledReason::kHeld:  // a person's decision, no setting
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
    w.Key("missed_slot_policy").String(domain::ToString(settings.missed_slot_policy));
    w.Key("max_lateness_minutes").Int(settings.max_lateness_minutes);
    w.Key("blackout_dates").BeginArray();
    for (const domain::BlackoutRange& range : settings.blackout_dates) {
        w.BeginObject();
        w.Key("from").String(domain::FormatLocalDate(range.from_day));
        w.Key("to").String(domain::FormatLocalDate(range.to_day));
        w.Key("reason").String(range.reason);
        w.EndObject();
    }
    w.EndArray();
    w.Key("min_spacing_minutes").Int(settings.min_spacing_minutes);
    w.Key("updated_at").Time(settings.updated_at);
    if (warnings != nullptr) {
        w.Key("warnings").BeginArray();
        for (const auto reason : *warnings) WriteReason(w, reason);
        w.EndArray();
    }
    w.EndObject();
}

void WriteContentFields(JsonWriter& w, const domain::Content& c) {
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
}

void WriteContent(JsonWriter& w, const domain::Content& c) {
    w.BeginObject();
    w.Key("id").Int(c.id);
    w.Key("version").Int(c.version);
    w.Key("site_id").Int(c.site_id);
    WriteContentFields(w, c);
    w.Key("pinned").Bool(c.pinned);
    w.Key("held").Bool(c.held);
    w.Key("recurrence");
    if (c.recurrence) {
        w.BeginObject();
        w.Key("every_days").Int(c.recurrence->every_days);
        w.Key("until");
        if (c.recurrence->until) {
            w.String(*c.recurrence->until);
        } else {
            w.Null();
        }
        w.Key("count").OptInt(c.recurrence->count);
        w.EndObject();
    } else {
        w.Null();
    }
    w.Key("publication_count").Int(c.publication_count);
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
    // How long after its due time the attempt started (a missed slot published late shows
    // here); an attempt started early, like "publish now" before the slot, counts 0.
    w.Key("lateness_seconds");
    if (r.due_at)
        w.Int(std::max<int64_t>(
            0, std::chrono::duration_cast<std::chrono::seconds>(r.started_at - *r.due_at).count()));
    else
        w.Null();
    w.EndObject();
}

}  // namespace herald::http
