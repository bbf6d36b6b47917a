#pragma once
// Parsing and checking of user-supplied values that have rules beyond their JSON type.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/model.hpp"

namespace herald::domain {

inline constexpr int kMinutesPerDay = 24 * 60;

/// Size limits the validators enforce; the HTTP layer may quote them in its docs.
inline constexpr size_t kMaxSiteNameChars = 200;
inline constexpr size_t kMaxUsernameChars = 200;
inline constexpr size_t kMaxUrlBytes = 2048;
inline constexpr size_t kMaxTitleChars = 1000;
inline constexpr size_t kMaxContentHtmlBytes = size_t{10} * 1024 * 1024;
inline constexpr size_t kMaxExcerptBytes = size_t{64} * 1024;
inline constexpr size_t kMaxShortTextChars = 200;  // content_type, slug, each category / tag
inline constexpr size_t kMaxTerms = 100;           // categories, tags

/// "mon" … "sun" (lowercase, as in API.md) → 0 … 6. kInvalid with field "publish_days".
Result<WeekdayIndex> ParseWeekday(std::string_view name);

/// "HH:MM", 24 h, two digits each → minutes after midnight. "25:00", "9am", "9:00" are
/// kInvalid with field "publish_time_slots".
Result<int> ParseTimeSlot(std::string_view text);
std::string FormatTimeSlot(int minutes_after_midnight);

/// "http(s)://host[:port][/path…]" with a non-empty host and no whitespace (site domains,
/// event hook URLs).
bool IsHttpUrl(std::string_view url);

/// Duplicates in days or slots, negative limits, unknown zone: kInvalid naming the field.
Status ValidateSettings(const PublishingSettings& settings);

/// Name required, known platform implied by the type, timezone known, domain an http(s) URL
/// when non-empty. kInvalid naming the field.
Status ValidateSite(const Site& site);

/// Title and site required; content_type non-empty; slug only [a-z0-9_-]; strings within
/// the size limits above; a recurrence of the right shape (ValidateRecurrence). kInvalid
/// naming the field (codes "required", "too_long", …).
Status ValidateContent(const Content& content);

}  // namespace herald::domain
