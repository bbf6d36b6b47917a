#pragma once
// Parsing and checking of user-supplied values that have rules beyond their JSON type.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/model.hpp"

namespace herald::domain {

/// "mon" … "sun" (lowercase, as in API.md) → 0 … 6. kInvalid with field "publish_days".
Result<WeekdayIndex> ParseWeekday(std::string_view name);

/// "HH:MM", 24 h, two digits each → minutes after midnight. "25:00", "9am", "9:00" are
/// kInvalid with field "publish_time_slots".
Result<int> ParseTimeSlot(std::string_view text);
std::string FormatTimeSlot(int minutes_after_midnight);

/// Duplicates in days or slots, negative limits, unknown zone: kInvalid naming the field.
Status ValidateSettings(const PublishingSettings& settings);

/// Name required, known platform implied by the type, timezone known, domain an http(s) URL
/// when non-empty. kInvalid naming the field.
Status ValidateSite(const Site& site);

/// Title and site required; content_type non-empty; strings within size limits.
Status ValidateContent(const Content& content);

}  // namespace herald::domain
