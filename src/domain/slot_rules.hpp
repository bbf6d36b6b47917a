#pragma once
// The rules that make one slot instant free or not, shared by the slot calculator
// (AssignSlots) and the calendar's slot states (ClassifySlots) so the two cannot disagree:
// occupancy, blackout dates, daily / ISO-weekly / monthly limits and minimum spacing. Pure;
// callers convert instants to local days in the site's zone and pass both in.

#include <cstdint>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "common/time.hpp"
#include "domain/model.hpp"

namespace herald::domain {

enum class SlotState {
    kPast,      // not after `now`: the scheduler would never pick it
    kTaken,     // an item is scheduled or publishing at that instant
    kBlackout,  // its local date is in one of the site's blackout_dates
    kFull,      // its local day, ISO week or month already reached a limit
    kTooClose,  // another item is nearer than min_spacing_minutes
    kFree,
};

std::string_view ToString(SlotState state);

/// Monday = 0 … Sunday = 6 of a day number (days since 1970-01-01, a Thursday).
int WeekdayOf(int64_t day);
/// year * 12 + month - 1 of a day number.
int64_t MonthKey(int64_t day);

/// Why a slot is not free: the blackout range, or the item it is too close to.
struct SlotVerdict {
    SlotState state = SlotState::kFree;
    const BlackoutRange* blackout = nullptr;  // kBlackout: points into the rules' copy
    std::optional<TimePoint> neighbour;       // kTooClose: the nearest item's instant
};

/// Items per local day, ISO week and month, for the limits that are set. Plain vectors over
/// a window of days (40 days either side of [first_day, last_day], which covers every week
/// and month those days belong to): cheaper than hashing.
class LimitCounter {
public:
    LimitCounter(const PublishingSettings& settings, int64_t first_day, int64_t last_day);

    bool Active() const { return daily_ || weekly_ || monthly_; }
    bool AnyZero() const;
    /// Whether one more item on `day` keeps all three counts within their limits.
    bool Fits(int64_t day) const;
    void Add(int64_t day);

private:
    size_t DayIndex(int64_t day) const { return static_cast<size_t>(day - base_day_); }
    size_t WeekIndex(int64_t day) const;
    size_t MonthIndex(int64_t day) const;

    std::optional<int> daily_, weekly_, monthly_;
    int64_t base_day_, end_day_, base_monday_, base_month_;
    std::vector<int> per_day_, per_week_, per_month_;
};

/// Every rule of API.md §4 and §9 for slots whose local days lie in [first_day, last_day].
/// Feed it the calendar (AddScheduled / AddPublished), then Judge candidates; Take records
/// an item placed by the caller so later candidates see it.
class SlotRules {
public:
    SlotRules(const PublishingSettings& settings, int64_t first_day, int64_t last_day);

    /// A limit of 0: no slot can ever be free.
    bool NeverFree() const { return limits_.AnyZero(); }
    /// True when no slot on local day `day` can be free whatever its instant (a blackout, or
    /// a limit already reached) — lets the calculator skip a whole day.
    bool DayClosed(int64_t day) const;

    /// A scheduled or publishing item: occupies its instant, counts against the limits and
    /// the spacing.
    void AddScheduled(TimePoint at, int64_t local_day);
    /// A published item: counts against the limits and the spacing, occupies nothing.
    void AddPublished(TimePoint at, int64_t local_day);
    void Take(TimePoint at, int64_t local_day) { AddScheduled(at, local_day); }

    /// The first rule that refuses an item at `at` (local date `local_day`), or kFree.
    SlotVerdict Judge(TimePoint at, int64_t local_day) const;

    const BlackoutRange* BlackoutOn(int64_t day) const;

private:
    std::vector<BlackoutRange> blackouts_;  // sorted by from_day
    LimitCounter limits_;
    int64_t spacing_ms_;
    std::set<int64_t> occupied_;  // unix ms of scheduled/publishing items
    std::set<int64_t> spaced_;    // unix ms of every counted item (when spacing is on)
};

}  // namespace herald::domain
