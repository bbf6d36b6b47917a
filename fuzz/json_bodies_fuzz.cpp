// Request bodies of every resource, read as the handlers read them (http/request_fields.hpp,
// http/json_reader.hpp) and checked as properties:
//   - nothing crashes, hangs or trips a sanitizer on any body;
//   - a refusal is a 400 or 422 with a code and a message, and its error body is valid JSON;
//   - what is accepted passes the domain validators, and written back as the API writes it
//     (http/json_mapping.hpp) it is valid JSON that reads back to the same object.
// The first byte picks the resource; the rest is the body.

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "check.hpp"
#include "domain/slots.hpp"
#include "domain/validation.hpp"
#include "http/errors.hpp"
#include "http/json_mapping.hpp"
#include "http/json_reader.hpp"
#include "http/json_writer.hpp"
#include "http/request_fields.hpp"

namespace {

using namespace herald;
using namespace herald::http;

void CheckRefusal(const Error& error) {
    FUZZ_CHECK(error.kind == ErrorKind::kBadRequest || error.kind == ErrorKind::kInvalid,
               "a bad body is a 400 or a 422");
    FUZZ_CHECK(!error.code.empty() && !error.message.empty(), "an error names code and message");
    const Response response = ErrorResponse(error);
    const auto parsed = nlohmann::json::parse(response.body, nullptr, false);
    FUZZ_CHECK(!parsed.is_discarded(), "the error body is valid JSON");
    FUZZ_CHECK(parsed["error"]["code"] == error.code, "the error body keeps the code");
}

template <typename Write>
nlohmann::json Written(Write write) {
    std::string body;
    JsonWriter w(body);
    write(w);
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    FUZZ_CHECK(!parsed.is_discarded(), "what the API writes is valid JSON");
    return parsed;
}

domain::Site StoredSite() {
    domain::Site site;
    site.id = 7;
    site.name = "Stored";
    site.platform_type = domain::Platform::kCustom;
    site.domain = "https://example.com/hook";
    site.api_key = "secret";
    site.timezone = "Europe/Berlin";
    return site;
}

void Sites(std::string_view body, bool create) {
    auto object = ParseJsonObject(body);
    if (!object) return CheckRefusal(object.error());
    domain::Site site;
    if (create) {
        site.platform_type = domain::Platform::kWordPress;  // CreateSite's default
    } else {
        site = StoredSite();
    }
    FieldReader r(*object);
    const Status status = ReadSiteFields(r, site);
    if (!status) return CheckRefusal(status.error());
    FUZZ_CHECK(!r.error(), "no type error once the fields were accepted");
    FUZZ_CHECK(domain::ValidateSite(site), "an accepted site is valid");
    FUZZ_CHECK(domain::IsKnownTimeZone(site.timezone), "an accepted zone is known");

    // Written back and read again (api_key is write-only, so it stays out of the loop).
    const nlohmann::json out = Written([&](JsonWriter& w) { WriteSite(w, site); });
    FUZZ_CHECK(out["has_api_key"] == !site.api_key.empty(), "has_api_key tells the truth");
    FUZZ_CHECK(!out.contains("api_key"), "the key is never written");
    domain::Site again;
    again.api_key = site.api_key;
    FieldReader r2(out);
    FUZZ_CHECK(ReadSiteFields(r2, again), "a written site reads back");
    FUZZ_CHECK(again.name == site.name && again.platform_type == site.platform_type &&
                   again.domain == site.domain && again.username == site.username &&
                   again.timezone == site.timezone && again.is_active == site.is_active,
               "a site survives the round trip");
    FUZZ_CHECK(
        nlohmann::json::parse(again.options_json) == nlohmann::json::parse(site.options_json),
        "options survive the round trip");
}

void Settings(std::string_view body, bool replace) {
    auto object = ParseJsonObject(body);
    if (!object) return CheckRefusal(object.error());
    domain::PublishingSettings settings;
    if (!replace) {  // PATCH reads over what is stored
        settings.daily_publish_limit = 2;
        settings.monthly_publish_limit = 30;
        settings.publish_days = {0, 2, 4, 6};
    }
    const Status status = ReadSettingsFields(*object, settings);
    if (!status) return CheckRefusal(status.error());
    FUZZ_CHECK(domain::ValidateSettings(settings), "accepted settings are valid");

    const nlohmann::json out = Written([&](JsonWriter& w) { WriteSettings(w, settings); });
    domain::PublishingSettings again;
    again.publish_days.clear();
    FUZZ_CHECK(ReadSettingsFields(out, again), "written settings read back");
    FUZZ_CHECK(again.auto_publish_enabled == settings.auto_publish_enabled &&
                   again.publish_days == settings.publish_days &&
                   again.publish_time_slots == settings.publish_time_slots &&
                   again.daily_publish_limit == settings.daily_publish_limit &&
                   again.weekly_publish_limit == settings.weekly_publish_limit &&
                   again.monthly_publish_limit == settings.monthly_publish_limit,
               "settings survive the round trip");
}

void Contents(std::string_view body) {
    auto object = ParseJsonObject(body);
    if (!object) return CheckRefusal(object.error());
    domain::Content content;
    content.site_id = 3;
    FieldReader r(*object);
    auto fields = ReadContentFields(r, content);
    if (!fields) return CheckRefusal(fields.error());
    if (fields->status) content.status = *fields->status;
    const Status valid = domain::ValidateContent(content);
    if (!valid) return CheckRefusal(valid.error());

    const nlohmann::json out = Written([&](JsonWriter& w) { WriteContent(w, content); });
    domain::Content again;
    FieldReader r2(out);
    auto fields2 = ReadContentFields(r2, again);
    FUZZ_CHECK(fields2.ok(), "written content reads back");
    FUZZ_CHECK(fields2->status == content.status, "the status survives the round trip");
    FUZZ_CHECK(fields2->site_id == content.site_id, "the site survives the round trip");
    again.site_id = *fields2->site_id;  // as CreateContent does, after finding the site
    FUZZ_CHECK(again.title == content.title && again.content_html == content.content_html &&
                   again.excerpt == content.excerpt && again.slug == content.slug &&
                   again.content_type == content.content_type &&
                   again.cluster_id == content.cluster_id &&
                   again.categories == content.categories && again.tags == content.tags &&
                   again.featured_image_url == content.featured_image_url &&
                   again.pinned == content.pinned && again.recurrence == content.recurrence,
               "content survives the round trip");
    FUZZ_CHECK(domain::ValidateContent(again), "read-back content is still valid");
}

/// The small bodies read inline by the action handlers: schedule/reschedule, publish-now,
/// API keys, schedule-approved.
void Actions(std::string_view body) {
    auto object = ParseJsonObject(body, /*empty_ok=*/true);
    if (!object) return CheckRefusal(object.error());
    FieldReader r(*object);
    TimePoint at{};
    if (r.Time("scheduled_at", at)) {
        const std::string text = FormatIso(at);
        const auto back = ParseIso(text);
        FUZZ_CHECK(back && *back == at, "an accepted time formats and parses back to itself");
    }
    int64_t id = 0;
    r.Int("content_id", id);
    std::vector<std::string> destinations;
    r.StringList("destinations", destinations);
    std::string name;
    r.String("name", name);
    bool dry_run = false;
    r.Bool("dry_run", dry_run);
    if (r.error()) CheckRefusal(*r.error());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 6) {
        case 0:
            Sites(body, /*create=*/true);
            break;
        case 1:
            Sites(body, /*create=*/false);
            break;
        case 2:
            Settings(body, /*replace=*/true);
            break;
        case 3:
            Settings(body, /*replace=*/false);
            break;
        case 4:
            Contents(body);
            break;
        case 5:
            Actions(body);
            break;
    }
    return 0;
}
