#include "domain/validation.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "common/text.hpp"
#include "domain/planner_settings.hpp"
#include "domain/recurrence.hpp"
#include "domain/slots.hpp"

namespace herald::domain {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsBlank(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    });
}

// Limits are in characters, not bytes: count the bytes that start a UTF-8 sequence.
size_t CountChars(std::string_view s) {
    return static_cast<size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

Error Required(std::string_view field) {
    return Error::Invalid("required", fmt::format("{} is required", field), std::string(field));
}

Error TooLong(std::string_view field, size_t max, std::string_view unit) {
    return Error::Invalid("too_long", fmt::format("{} must be at most {} {}", field, max, unit),
                          std::string(field));
}

// Required, non-blank text of at most `max_chars` characters.
Status CheckText(std::string_view value, std::string_view field, size_t max_chars) {
    if (IsBlank(value)) return Required(field);
    if (CountChars(value) > max_chars) return TooLong(field, max_chars, "characters");
    return Ok{};
}

}  // namespace

bool IsHttpUrl(std::string_view url) {
    auto starts_with_ci = [&](std::string_view prefix) {
        if (url.size() < prefix.size()) return false;
        for (size_t i = 0; i < prefix.size(); ++i) {
            const char c = url[i];
            const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            if (lower != prefix[i]) return false;
        }
        return true;
    };
    std::string_view rest;
    if (starts_with_ci("https://")) {
        rest = url.substr(8);
    } else if (starts_with_ci("http://")) {
        rest = url.substr(7);
    } else {
        return false;
    }
    for (char c : url) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
    }
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
        authority.remove_prefix(at + 1);
    }
    std::string_view host = authority;
    if (!host.empty() && host.front() == '[') {  // IPv6 literal: "[::1]:8080"
        const size_t close = host.find(']');
        if (close == std::string_view::npos || close == 1) return false;
        const std::string_view after = host.substr(close + 1);
        if (!after.empty() && after.front() != ':') return false;
        host = host.substr(1, close - 1);
    } else if (const size_t colon = host.find(':'); colon != std::string_view::npos) {
        const std::string_view port = host.substr(colon + 1);
        if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), IsDigit)) {
            return false;
        }
        const int number = std::stoi(std::string(port));
        if (number < 1 || number > 65535) return false;
        host = host.substr(0, colon);
    }
    return !host.empty();
}

namespace {

bool IsSlugChar(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c) || c == '-' || c == '_'; }

constexpr std::array<std::string_view, 3> kLimitFields = {
    "daily_publish_limit", "weekly_publish_limit", "monthly_publish_limit"};

}  // namespace

Result<WeekdayIndex> ParseWeekday(std::string_view name) {
    for (size_t i = 0; i < kWeekdayNames.size(); ++i) {
        if (kWeekdayNames[i] == name) return static_cast<WeekdayIndex>(i);
    }
    return Error::Invalid("invalid_weekday",
                          fmt::format("\"{}\" is not a weekday; use mon, tue, wed, thu, fri, sat "
                                      "or sun",
                                      Utf8Prefix(name, 40)),
                          "publish_days");
}

Result<int> ParseTimeSlot(std::string_view text) {
    const bool shaped = text.size() == 5 && IsDigit(text[0]) && IsDigit(text[1]) &&
                        text[2] == ':' && IsDigit(text[3]) && IsDigit(text[4]);
    if (shaped) {
        const int hours = (text[0] - '0') * 10 + (text[1] - '0');
        const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
        if (hours < 24 && minutes < 60) return hours * 60 + minutes;
    }
    return Error::Invalid("invalid_time_slot",
                          fmt::format("\"{}\" is not a time slot; use HH:MM between 00:00 and "
                                      "23:59",
                                      Utf8Prefix(text, 40)),
                          "publish_time_slots");
}

std::string FormatTimeSlot(int minutes_after_midnight) {
    // Out-of-range input is a caller bug; wrap it rather than print "-1:-30".
    const int m = ((minutes_after_midnight % kMinutesPerDay) + kMinutesPerDay) % kMinutesPerDay;
    return fmt::format("{:02}:{:02}", m / 60, m % 60);
}

Status ValidateSettings(const PublishingSettings& settings) {
    std::array<bool, 7> seen_day{};
    for (const WeekdayIndex day : settings.publish_days) {
        if (day < 0 || day > 6) {
            return Error::Invalid("invalid_weekday",
                                  fmt::format("weekday index {} is out of range", day),
                                  "publish_days");
        }
        if (seen_day[static_cast<size_t>(day)]) {
            return Error::Invalid("duplicate_weekday",
                                  fmt::format("\"{}\" is listed more than once",
                                              kWeekdayNames[static_cast<size_t>(day)]),
                                  "publish_days");
        }
        seen_day[static_cast<size_t>(day)] = true;
    }
    std::vector<bool> seen_slot(kMinutesPerDay, false);
    for (const int slot : settings.publish_time_slots) {
        if (slot < 0 || slot >= kMinutesPerDay) {
            return Error::Invalid("invalid_time_slot",
                                  fmt::format("time slot {} minutes after midnight is out of "
                                              "range",
                                              slot),
                                  "publish_time_slots");
        }
        if (seen_slot[static_cast<size_t>(slot)]) {
            return Error::Invalid(
                "duplicate_time_slot",
                fmt::format("\"{}\" is listed more than once", FormatTimeSlot(slot)),
                "publish_time_slots");
        }
        seen_slot[static_cast<size_t>(slot)] = true;
    }
    const std::array<const std::optional<int>*, 3> limits = {&settings.daily_publish_limit,
                                                             &settings.weekly_publish_limit,
                                                             &settings.monthly_publish_limit};
    for (size_t i = 0; i < limits.size(); ++i) {
        if (*limits[i] && **limits[i] < 0) {
            return Error::Invalid(
                "invalid_limit",
                fmt::format("{} must be null or a number of 0 or more", kLimitFields[i]),
                std::string(kLimitFields[i]));
        }
    }
    return ValidatePlannerSettings(settings);
}

Status ValidateSite(const Site& site) {
    if (Status s = CheckText(site.name, "name", kMaxSiteNameChars); !s) return s;
    if (site.timezone.empty()) return Required("timezone");
    if (!IsKnownTimeZone(site.timezone)) {
        return Error::Invalid("unknown_timezone",
                              fmt::format("\"{}\" is not a time zone the tz database knows "
                                          "(use an IANA name such as Europe/Berlin or UTC)",
                                          Utf8Prefix(site.timezone, 80)),
                              "timezone");
    }
    if (!site.domain.empty()) {
        if (site.domain.size() > kMaxUrlBytes) return TooLong("domain", kMaxUrlBytes, "bytes");
        if (!IsHttpUrl(site.domain)) {
            return Error::Invalid("invalid_url",
                                  "domain must be an http:// or https:// URL with a host, "
                                  "e.g. https://blog.example.com",
                                  "domain");
        }
    }
    if (CountChars(site.username) > kMaxUsernameChars) {
        return TooLong("username", kMaxUsernameChars, "characters");
    }
    return Ok{};
}

Status ValidateContent(const Content& content) {
    if (content.site_id <= 0) return Required("site_id");
    if (Status s = CheckText(content.title, "title", kMaxTitleChars); !s) return s;
    // A post without a body would publish as an empty page on every platform.
    if (IsBlank(content.content_html)) return Required("content_html");
    if (content.content_html.size() > kMaxContentHtmlBytes) {
        return TooLong("content_html", kMaxContentHtmlBytes, "bytes");
    }
    if (content.excerpt.size() > kMaxExcerptBytes) {
        return TooLong("excerpt", kMaxExcerptBytes, "bytes");
    }
    if (Status s = CheckText(content.content_type, "content_type", kMaxShortTextChars); !s) {
        return s;
    }
    if (!content.slug.empty()) {
        if (content.slug.size() > kMaxShortTextChars) {
            return TooLong("slug", kMaxShortTextChars, "characters");
        }
        if (!std::all_of(content.slug.begin(), content.slug.end(), IsSlugChar)) {
            return Error::Invalid("invalid_slug",
                                  "slug may contain only lower-case letters, digits, '-' and '_'",
                                  "slug");
        }
    }
    if (content.featured_image_url.size() > kMaxUrlBytes) {
        return TooLong("featured_image_url", kMaxUrlBytes, "bytes");
    }
    // The adapters download it to upload it to the platform: only web URLs, never file://.
    if (!content.featured_image_url.empty() && !IsHttpUrl(content.featured_image_url)) {
        return Error::Invalid("invalid_url",
                              "featured_image_url must be an http:// or https:// URL with a host.",
                              "featured_image_url");
    }
    for (const auto& [names, field] :
         {std::pair{&content.categories, "categories"}, std::pair{&content.tags, "tags"}}) {
        if (names->size() > kMaxTerms) {
            return Error::Invalid(
                "too_many", fmt::format("{} may have at most {} entries", field, kMaxTerms), field);
        }
        for (const std::string& name : *names) {
            if (Status s = CheckText(name, field, kMaxShortTextChars); !s) {
                return Error::Invalid(s.error().code,
                                      fmt::format("every entry of {} must be non-empty text of "
                                                  "at most {} characters",
                                                  field, kMaxShortTextChars),
                                      field);
            }
        }
    }
    if (content.recurrence) return ValidateRecurrence(*content.recurrence);
    return Ok{};
}

}  // namespace herald::domain
