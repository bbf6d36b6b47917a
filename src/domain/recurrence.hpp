#pragma once
// Evergreen items (API.md §9): an item with a `recurrence` is placed again after each
// publication, `every_days` local days later, into a free slot. Pure: the store reads the
// site's settings and calendar under the site's lock and writes what PlanNextOccurrence says.

#include <optional>
#include <string_view>

#include "common/result.hpp"
#include "domain/model.hpp"
#include "domain/slots.hpp"

namespace herald::domain {

/// Bounds of a recurrence: ten years between occurrences, a count no schedule reaches.
inline constexpr int kMaxRecurrenceEveryDays = 3660;
inline constexpr int kMaxRecurrenceCount = 100000;

/// Shape: every_days in 1..kMaxRecurrenceEveryDays, count in 1..kMaxRecurrenceCount, until a
/// real date "YYYY-MM-DD". kInvalid naming "recurrence.every_days", "recurrence.count" or
/// "recurrence.until".
Status ValidateRecurrence(const Recurrence& recurrence);

/// Whether a recurrence given to an item now could still place it again: `until` not before
/// today's date in `time_zone`, `count` above the `publications` the item already had.
/// kInvalid "recurrence_exhausted" naming "recurrence.until" or "recurrence.count".
Status CheckRecurrenceLeft(const Recurrence& recurrence, int publications, TimePoint now,
                           std::string_view time_zone);

/// The instant an occurrence aims at: the local wall-clock time of `last_slot` in
/// `time_zone`, `every_days` local dates later, read like a slot (API.md §4): a time in a
/// spring-forward gap moves forward by the gap, a time that occurs twice means the first.
/// So 09:00 stays 09:00 local across a DST change. kInvalid on an unknown zone.
Result<TimePoint> NextOccurrenceTarget(TimePoint last_slot, int every_days,
                                       std::string_view time_zone);

/// Why an item is not placed again.
enum class RecurrenceStop {
    kNone,          // placed: NextOccurrence::at is set
    kNotRecurring,  // no recurrence, or the item is not a just-published approved one
    kCountReached,  // publication_count reached count
    kUntilPassed,   // the first free slot falls after `until`
    kNoFreeSlot,    // no free slot within the slot horizon
};

std::string_view ToString(RecurrenceStop stop);

struct NextOccurrence {
    std::optional<TimePoint> at;  // the slot it takes
    RecurrenceStop stop = RecurrenceStop::kNone;
    std::optional<TimePoint> target;  // NextOccurrenceTarget, when it was computed
};

/// Where an item that has just been published goes next: `item` is `published`, its
/// publication_count counts that publication, and `calendar` (the site's, as AssignSlots
/// reads it) includes it as published. The target is NextOccurrenceTarget of its last slot
/// (scheduled_publish_at, or published_at when it had none), then the earliest free slot at
/// or after max(target, just after `now`) by AssignSlots, so limits and every other rule of
/// the slot calculator hold. kInvalid on an unknown zone.
Result<NextOccurrence> PlanNextOccurrence(const Content& item, const PublishingSettings& settings,
                                          std::string_view time_zone, const SiteCalendar& calendar,
                                          TimePoint now);

/// The item as it is written when placed again at `at`: `scheduled` by SiteAction::kRecur,
/// a fresh publication (retry budget, webhook-id); external_id stays (see docs).
Content Recur(const Content& item, TimePoint at, TimePoint now);

}  // namespace herald::domain
