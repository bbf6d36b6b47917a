// Request bodies → domain objects (see request_fields.hpp). Moved here unchanged from the
// site and content handlers so the fuzz target runs exactly the code the API runs.

#include "http/request_fields.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <string>
#include <vector>

#include "common/text.hpp"
#include "domain/delivery_options.hpp"
#include "domain/planner_settings.hpp"
#include "domain/recurrence.hpp"
#include "domain/slots.hpp"
#include "domain/validation.hpp"
#include "http/json_reader.hpp"
#include "publishers/ghost/ghost_publisher.hpp"
#include "publishers/shopify/shopify_publisher.hpp"
#include "publishers/webhook/webhook_publisher.hpp"
#include "publishers/wordpress/wordpress_publisher.hpp"

namespace herald::http {
namespace {

/// The platform's own rules for `options` (e.g. Shopify's blog_id), unknown keys refused.
Status ValidatePlatformOptions(const domain::Site& site) {
    switch (site.platform_type) {
        case domain::Platform::kWordPress:
            return publishers::wordpress::ValidateWordPressOptions(site.options_json);
        case domain::Platform::kShopify:
            return publishers::shopify::ValidateShopifyOptions(site.options_json);
        case domain::Platform::kGhost:
            return publishers::ghost::ValidateGhostOptions(site.options_json);
        case domain::Platform::kCustom:
            return publishers::webhook::ValidateWebhookOptions(site.options_json);
    }
    return Ok{};
}

/// "the site has no username: set it …" → "The site has no username: set it ….".
Error AsApiError(Error error) {
    if (!error.message.empty())
        error.message[0] =
            static_cast<char>(std::toupper(static_cast<unsigned char>(error.message[0])));
    error.message += ".";
    return error;
}

Result<int> ToLimit(const std::optional<int64_t>& value, const char* field) {
    if (*value < INT_MIN || *value > INT_MAX) {
        return Error::Invalid("out_of_range", std::string(field) + " is out of range.", field);
    }
    return static_cast<int>(*value);
}

/// `recurrence`: null, or {"every_days": N, "until": "YYYY-MM-DD"|null, "count": N|null}.
/// Errors name "recurrence.<key>".
Status ReadRecurrence(const nlohmann::json& value, std::optional<domain::Recurrence>& out) {
    if (value.is_null()) {
        out.reset();
        return Ok{};
    }
    if (!value.is_object()) {
        return Error::BadRequest("invalid_type",
                                 "recurrence must be an object ({\"every_days\": N, \"until\": "
                                 "DATE or null, \"count\": N or null}) or null.",
                                 "recurrence");
    }
    for (const auto& item : value.items()) {
        const std::string& key = item.key();
        if (key != "every_days" && key != "until" && key != "count") {
            const std::string name(Utf8Prefix(key, 80));  // whole characters only
            return Error::Invalid(
                "unknown_field",
                "recurrence has no field '" + name + "' (it takes every_days, until and count).",
                "recurrence." + name);
        }
    }
    FieldReader r(value);
    int64_t every = 0;
    const bool has_every = r.Int("every_days", every);
    std::string until;
    const bool has_until = r.String("until", until);
    std::optional<int64_t> count;
    r.OptionalInt("count", count);
    if (r.error()) {
        Error error = *r.error();
        error.field = "recurrence." + error.field;
        return error;
    }
    if (!has_every) {
        return Error::Invalid("required", "The field 'recurrence.every_days' is required.",
                              "recurrence.every_days");
    }
    domain::Recurrence recurrence;
    // Out-of-int values are clamped into a range ValidateRecurrence refuses.
    recurrence.every_days = static_cast<int>(std::clamp<int64_t>(every, INT_MIN, INT_MAX));
    if (has_until && !until.empty()) recurrence.until = until;
    if (count) recurrence.count = static_cast<int>(std::clamp<int64_t>(*count, INT_MIN, INT_MAX));
    if (Status valid = domain::ValidateRecurrence(recurrence); !valid) return valid;
    out = recurrence;
    return Ok{};
}

// blackout_dates: null (none) or an array of {"from", "to", "reason"?}. Wrong JSON types are
// 400 like any field's; bad values 422 naming the element, e.g. "blackout_dates[2].to".
Status ReadBlackouts(const nlohmann::json& value, std::vector<domain::BlackoutRange>& out) {
    constexpr const char* kField = "blackout_dates";
    if (value.is_null()) {
        out.clear();
        return Ok{};
    }
    if (!value.is_array()) {
        return Error::BadRequest("invalid_type",
                                 "The field 'blackout_dates' must be a list of {\"from\", \"to\", "
                                 "\"reason\"} objects.",
                                 kField);
    }
    if (value.size() > domain::kMaxBlackoutRanges) {
        return Error::Invalid("too_many_blackouts",
                              "blackout_dates may hold at most " +
                                  std::to_string(domain::kMaxBlackoutRanges) +
                                  " ranges; merge neighbouring ones.",
                              kField);
    }
    std::vector<domain::BlackoutRange> ranges;
    for (size_t i = 0; i < value.size(); ++i) {
        const std::string at = std::string(kField) + "[" + std::to_string(i) + "]";
        const nlohmann::json& item = value[i];
        if (!item.is_object()) {
            return Error::BadRequest(
                "invalid_type", "The field '" + at + "' must be an object with from and to.", at);
        }
        for (const auto& [key, unused] : item.items()) {
            if (key != "from" && key != "to" && key != "reason") {
                return Error::Invalid("unknown_field",
                                      at + " has an unknown field; use from, to and reason.",
                                      at + "." + std::string(Utf8Prefix(key, 40)));
            }
        }
        domain::BlackoutRange range;
        for (const char* member : {"from", "to"}) {
            const std::string field = at + "." + member;
            const auto it = item.find(member);
            if (it == item.end() || it->is_null()) {
                return Error::Invalid("required", field + " is required (YYYY-MM-DD).", field);
            }
            if (!it->is_string()) {
                return Error::BadRequest("invalid_type",
                                         "The field '" + field + "' must be a string.", field);
            }
            auto day = domain::ParseLocalDate(it->get_ref<const std::string&>(), field);
            if (!day) {
                Error error = day.error();
                error.message += ".";
                return error;
            }
            (std::string_view(member) == "from" ? range.from_day : range.to_day) = *day;
        }
        if (const auto it = item.find("reason"); it != item.end() && !it->is_null()) {
            const std::string field = at + ".reason";
            if (!it->is_string()) {
                return Error::BadRequest("invalid_type",
                                         "The field '" + field + "' must be a string.", field);
            }
            range.reason = it->get_ref<const std::string&>();
            if (range.reason.find('\0') != std::string::npos) {
                return Error::Invalid(
                    "invalid_characters",
                    "The field '" + field + "' may not contain the NUL character.", field);
            }
        }
        ranges.push_back(std::move(range));
    }
    out = std::move(ranges);
    return Ok{};
}

Result<int> ToMinutes(int64_t value, const char* field) {
    if (value < INT_MIN || value > INT_MAX) {
        return Error::Invalid("out_of_range", std::string(field) + " is out of range.", field);
    }
    return static_cast<int>(value);
}

}  // namespace

Status ReadSiteFields(FieldReader& r, domain::Site& site) {
    r.String("name", site.name);
    std::string platform;
    const bool has_platform = r.String("platform_type", platform, /*null_is_empty=*/false);
    r.String("domain", site.domain);
    r.String("api_key", site.api_key);
    r.String("username", site.username);
    r.String("timezone", site.timezone, /*null_is_empty=*/false);
    r.Bool("is_active", site.is_active);
    r.Object("options", site.options_json);
    if (r.error()) return *r.error();
    if (has_platform) {
        const auto parsed = domain::ParsePlatform(platform);
        if (!parsed) {
            return Error::Invalid("invalid_choice",
                                  "platform_type must be one of wordpress, shopify, ghost or "
                                  "custom.",
                                  "platform_type");
        }
        site.platform_type = *parsed;
    }
    // Kept as given: a custom endpoint's trailing slash is part of its URL, and the adapters
    // that append paths join them without doubling slashes (publishers::common::JoinUrl).
    if (!domain::IsKnownTimeZone(site.timezone)) {
        return Error::Invalid("unknown_time_zone",
                              "timezone must be an IANA time zone name such as Europe/Berlin.",
                              "timezone");
    }
    if (Status valid = ValidatePlatformOptions(site); !valid) {
        Error error = valid.error();  // invalid_options on "options", a sentence to close
        error.message += ".";
        return error;
    }
    if (const std::string problem = domain::ValidateDeliveryOptions(site.options_json);
        !problem.empty())
        return Error::Invalid("invalid_options", problem + ".", "options");
    return domain::ValidateSite(site);
}

std::vector<Error> MissingPlatformSettings(const domain::Site& site) {
    std::vector<Error> missing;
    switch (site.platform_type) {
        case domain::Platform::kWordPress:
            missing = publishers::wordpress::MissingWordPressSettings(site);
            break;
        case domain::Platform::kShopify:
            missing = publishers::shopify::MissingShopifySettings(site);
            break;
        case domain::Platform::kGhost:
            missing = publishers::ghost::MissingGhostSettings(site);
            break;
        case domain::Platform::kCustom:
            break;
    }
    for (auto& error : missing) error = AsApiError(std::move(error));
    return missing;
}

Status ReadSettingsFields(const nlohmann::json& body, domain::PublishingSettings& settings) {
    FieldReader r(body);
    r.Bool("auto_publish_enabled", settings.auto_publish_enabled);
    std::vector<std::string> days, slots;
    const bool has_days = r.StringList("publish_days", days);
    const bool has_slots = r.StringList("publish_time_slots", slots);
    std::optional<int64_t> limits[3];
    const char* kLimitFields[3] = {"daily_publish_limit", "weekly_publish_limit",
                                   "monthly_publish_limit"};
    std::optional<int>* targets[3] = {&settings.daily_publish_limit, &settings.weekly_publish_limit,
                                      &settings.monthly_publish_limit};
    bool has_limit[3];
    for (int i = 0; i < 3; ++i) has_limit[i] = r.OptionalInt(kLimitFields[i], limits[i]);
    std::string policy;
    const bool has_policy = r.String("missed_slot_policy", policy, /*null_is_empty=*/false);
    int64_t lateness = 0, spacing = 0;
    const bool has_lateness = r.Int("max_lateness_minutes", lateness);
    const bool has_spacing = r.Int("min_spacing_minutes", spacing);
    if (r.error()) return *r.error();
    if (const auto it = body.find("blackout_dates"); it != body.end()) {
        if (Status read = ReadBlackouts(*it, settings.blackout_dates); !read) return read;
    }
    if (has_policy) {
        const auto parsed = domain::ParseMissedSlotPolicy(policy);
        if (!parsed) {
            return Error::Invalid("invalid_choice",
                                  "missed_slot_policy must be one of publish_late, next_free_slot "
                                  "or hold.",
                                  "missed_slot_policy");
        }
        settings.missed_slot_policy = *parsed;
    }
    if (has_lateness) {
        auto minutes = ToMinutes(lateness, "max_lateness_minutes");
        if (!minutes) return minutes.error();
        settings.max_lateness_minutes = *minutes;
    }
    if (has_spacing) {
        auto minutes = ToMinutes(spacing, "min_spacing_minutes");
        if (!minutes) return minutes.error();
        settings.min_spacing_minutes = *minutes;
    }

    if (has_days) {
        settings.publish_days.clear();
        for (const auto& day : days) {
            auto parsed = domain::ParseWeekday(day);
            if (!parsed) return parsed.error();
            settings.publish_days.push_back(*parsed);
        }
    }
    if (has_slots) {
        settings.publish_time_slots.clear();
        for (const auto& slot : slots) {
            auto parsed = domain::ParseTimeSlot(slot);
            if (!parsed) return parsed.error();
            settings.publish_time_slots.push_back(*parsed);
        }
    }
    for (int i = 0; i < 3; ++i) {
        if (!has_limit[i]) continue;
        if (!limits[i]) {
            targets[i]->reset();
            continue;
        }
        auto limit = ToLimit(limits[i], kLimitFields[i]);
        if (!limit) return limit.error();
        *targets[i] = *limit;
    }
    return domain::ValidateSettings(settings);
}

Result<ContentFields> ReadContentFields(FieldReader& r, domain::Content& content) {
    ContentFields fields;
    int64_t site_id = 0;
    if (r.Int("site_id", site_id)) fields.site_id = site_id;
    r.String("title", content.title, /*null_is_empty=*/false);
    r.String("content_html", content.content_html, /*null_is_empty=*/false);
    r.String("excerpt", content.excerpt);
    r.String("slug", content.slug);
    r.String("content_type", content.content_type, /*null_is_empty=*/false);
    r.OptionalInt("cluster_id", content.cluster_id);
    r.StringList("categories", content.categories);
    r.StringList("tags", content.tags);
    r.String("featured_image_url", content.featured_image_url);
    r.Bool("pinned", content.pinned);
    std::string status;
    const bool has_status = r.String("status", status, /*null_is_empty=*/false);
    if (r.error()) return *r.error();
    if (r.Has("recurrence")) {
        fields.recurrence = true;
        if (Status read = ReadRecurrence(r.At("recurrence"), content.recurrence); !read) {
            return read.error();
        }
    }
    if (has_status) {
        fields.status = domain::ParseEditorialStatus(status);
        if (!fields.status) {
            return Error::Invalid("invalid_choice",
                                  "status must be one of draft, review or approved.", "status");
        }
    }
    return fields;
}

}  // namespace herald::http
