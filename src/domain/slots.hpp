#pragma once
// The slot calculator of API.md §4: which instants a site may publish at, and which
// approved items get which of them. Pure: time is passed in, nothing is read or written
// except the (read-only) IANA time zone database.

#include <span>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/model.hpp"

namespace herald::domain {

/// True when `name` is an IANA zone the tz database knows ("Europe/Berlin", "UTC").
bool IsKnownTimeZone(std::string_view name);

struct SlotAssignment {
    ContentId content_id = 0;
    TimePoint at{};
};

/// What is already on a site's calendar.
struct SiteCalendar {
    /// scheduled_publish_at of the site's `scheduled` and `publishing` items: each occupies
    /// its instant and counts against the limits.
    std::vector<TimePoint> scheduled;
    /// published_at of its `published` items: counts against the limits only.
    std::vector<TimePoint> published;
};

inline constexpr int kSlotHorizonDays = 366;

/// How far back a calendar must reach for the limits of a slot at `t` to count fully: the
/// start of t's local month and ISO week in any zone (a month is at most 31 days, a zone at
/// most ~14 h from UTC).
inline constexpr Milliseconds kCalendarLookBack = std::chrono::hours{24 * 32};

/// Gives each item of `queue` (already in approved_at, id order) the earliest free slot
/// strictly after `now`, per API.md §4: local weekdays and times in `settings` read in
/// `time_zone`; a nonexistent local time moves forward by the gap; an ambiguous one means
/// the first occurrence; one item per instant; daily / ISO-weekly / monthly limits counted
/// in local time over `calendar` plus what this call assigns; at most `horizon_days` ahead.
/// Items that do not fit are left out of the result (they stay unscheduled).
/// @returns assignments in queue order, or kInvalid if `time_zone` is unknown.
Result<std::vector<SlotAssignment>> AssignSlots(const PublishingSettings& settings,
                                                std::string_view time_zone,
                                                const SiteCalendar& calendar,
                                                std::span<const ContentId> queue, TimePoint now,
                                                int horizon_days = kSlotHorizonDays);

/// The slot instants of a site between `from` (exclusive) and `to` (inclusive), ignoring
/// limits and occupancy; for calendars that draw free slots. kInvalid on an unknown zone.
Result<std::vector<TimePoint>> ListSlotInstants(const PublishingSettings& settings,
                                                std::string_view time_zone, TimePoint from,
                                                TimePoint to);

}  // namespace herald::domain
