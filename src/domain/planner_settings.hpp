#pragma once
// The planner's site rules of API.md §9 beyond days, times and limits: the missed-slot
// policy, blackout dates and minimum spacing. Parsing and checking here; the slot rules
// that apply them are in slot_rules.hpp, the dispatcher's decision in missed_slot.hpp.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "domain/model.hpp"

namespace herald::domain {

/// Caps the validators enforce (the API documents them).
inline constexpr size_t kMaxBlackoutRanges = 100;
inline constexpr size_t kMaxBlackoutReasonChars = 200;
inline constexpr int kMaxSpacingMinutes = 7 * 24 * 60;     // a week
inline constexpr int kMaxLatenessMinutes = 366 * 24 * 60;  // the slot horizon
inline constexpr int kMinBlackoutYear = 1970;
inline constexpr int kMaxBlackoutYear = 9999;

/// "YYYY-MM-DD", a real calendar date → days since 1970-01-01. kInvalid naming `field`.
Result<int64_t> ParseLocalDate(std::string_view text, const std::string& field);
std::string FormatLocalDate(int64_t day);

/// missed_slot_policy, max_lateness_minutes, blackout_dates (each range `from` <= `to`,
/// reason within its cap, no two overlapping, at most kMaxBlackoutRanges) and
/// min_spacing_minutes. kInvalid naming the field, e.g. "blackout_dates[2].to".
Status ValidatePlannerSettings(const PublishingSettings& settings);

}  // namespace herald::domain
