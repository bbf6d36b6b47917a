#include "domain/slots.hpp"
#include "common/text.hpp"
#include "domain/slot_rules.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

namespace herald::domain {
namespace {

using std::chrono::seconds;

constexpr int64_t kSecondsPerDay = 86400;
constexpr int kMinutesInDay = 24 * 60;
// Larger than any change of UTC offset the tz database has ever had (Samoa 2011: 24 h), so
// a local time this far inside one sys_info's span cannot be in a gap or an overlap.
constexpr seconds kTransitionMargin = std::chrono::hours{48};
// Guards the per-call count tables against absurd horizons; ten years is far beyond §4's 366.
constexpr int kMaxHorizonDays = 3660;

const date::time_zone* FindZone(std::string_view name) noexcept {
    if (name.empty()) return nullptr;
    try {
        return date::locate_zone(name);
    } catch (...) {  // std::runtime_error for unknown names; anything if the tzdb is unreadable
        return nullptr;
    }
}

Error UnknownZone(std::string_view name) {
    return Error::Invalid(
        "unknown_timezone",
        fmt::format("\"{}\" is not a time zone the tz database knows", Utf8Prefix(name, 80)),
        "timezone");
}

int64_t DayOf(date::local_seconds local) {
    return std::chrono::floor<date::days>(local).time_since_epoch().count();
}

date::local_seconds StartOfDay(int64_t day) {
    return date::local_seconds{seconds{day * kSecondsPerDay}};
}

uint8_t DayMask(const std::vector<WeekdayIndex>& days) {
    uint8_t mask = 0;
    for (const WeekdayIndex d : days) {
        if (d >= 0 && d <= 6) mask = static_cast<uint8_t>(mask | (1u << d));
    }
    return mask;
}

// Valid, sorted, distinct minutes; validation rejects bad input earlier, this just copes.
std::vector<int> SortedSlots(const std::vector<int>& slots) {
    std::vector<int> out;
    out.reserve(slots.size());
    for (const int m : slots) {
        if (m >= 0 && m < kMinutesInDay) out.push_back(m);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// Converts between local wall time and instants in one zone. It remembers the last
// sys_info, so away from transitions a conversion is arithmetic, not a tz lookup.
class ZoneClock {
public:
    explicit ZoneClock(const date::time_zone* zone) : zone_(zone) {}

    struct Resolved {
        date::sys_seconds instant;
        int64_t local_day;  // the local date the instant actually falls on
    };

    // API.md §4: a nonexistent local time is read with the offset in force before the gap
    // (so it moves forward by the gap) and an ambiguous one means its first occurrence. In
    // both cases that is the earlier sys_info's offset, which local_info reports as `first`.
    Resolved Resolve(date::local_seconds local) {
        if (IsPlain(local)) return {ToSys(local, info_.offset), DayOf(local)};
        const date::local_info li = zone_->get_info(local);
        const date::sys_seconds instant = ToSys(local, li.first.offset);
        if (li.result == date::local_info::unique) {
            info_ = li.first;
            has_info_ = true;
            return {instant, DayOf(local)};
        }
        // In a gap the wall clock reads later than `local` (02:30 → 03:30), maybe another day.
        return {instant, DayOf(ToLocal(instant))};
    }

    date::local_seconds ToLocal(date::sys_seconds t) {
        if (!has_info_ || t < info_.begin || t >= info_.end) {
            info_ = zone_->get_info(t);
            has_info_ = true;
        }
        return date::local_seconds{t.time_since_epoch() + info_.offset};
    }

    // True when no transition is near `day`: its slots map with one offset, in slot order.
    bool IsPlainDay(int64_t day) {
        const date::local_seconds start = StartOfDay(day);
        if (!IsPlain(start)) Resolve(start);  // refreshes the cached sys_info
        return IsPlain(start) && IsPlain(start + date::days{1});
    }

private:
    static date::sys_seconds ToSys(date::local_seconds local, seconds offset) {
        return date::sys_seconds{local.time_since_epoch() - offset};
    }

    bool IsPlain(date::local_seconds local) const {
        if (!has_info_) return false;
        const date::sys_seconds guess = ToSys(local, info_.offset);
        return guess >= info_.begin + kTransitionMargin && guess < info_.end - kTransitionMargin;
    }

    const date::time_zone* zone_;
    date::sys_info info_{};
    bool has_info_ = false;
};

}  // namespace

bool IsKnownTimeZone(std::string_view name) { return FindZone(name) != nullptr; }

Result<std::vector<SlotAssignment>> AssignSlots(const PublishingSettings& settings,
                                                std::string_view time_zone,
                                                const SiteCalendar& calendar,
                                                std::span<const ContentId> queue, TimePoint now,
                                                int horizon_days) {
    const date::time_zone* zone = FindZone(time_zone);
    if (zone == nullptr) return UnknownZone(time_zone);

    std::vector<SlotAssignment> out;
    const uint8_t day_mask = DayMask(settings.publish_days);
    if (queue.empty() || day_mask == 0 || settings.publish_time_slots.empty() || horizon_days < 0) {
        return out;
    }
    const std::vector<int> slot_minutes = SortedSlots(settings.publish_time_slots);
    if (slot_minutes.empty()) return out;

    ZoneClock clock(zone);
    const int64_t today = DayOf(clock.ToLocal(std::chrono::floor<seconds>(now)));
    const int64_t last_day = today + std::min(horizon_days, kMaxHorizonDays);

    // Occupancy, blackouts, limits and spacing: the same rules ClassifySlots applies.
    SlotRules rules(settings, today, last_day);
    if (rules.NeverFree()) return out;
    const auto local_day = [&clock](TimePoint t) {
        return DayOf(clock.ToLocal(std::chrono::floor<seconds>(t)));
    };
    for (const TimePoint t : calendar.scheduled) rules.AddScheduled(t, local_day(t));
    for (const TimePoint t : calendar.published) rules.AddPublished(t, local_day(t));

    out.reserve(queue.size());
    std::vector<ZoneClock::Resolved> candidates;
    candidates.reserve(slot_minutes.size());
    for (int64_t day = today; day <= last_day && out.size() < queue.size(); ++day) {
        if (!(day_mask & (1u << WeekdayOf(day)))) continue;
        const bool plain = clock.IsPlainDay(day);
        // On a plain day every slot falls on `day` itself, so a closed day is skipped whole.
        if (plain && rules.DayClosed(day)) continue;

        candidates.clear();
        const date::local_seconds start = StartOfDay(day);
        for (const int minute : slot_minutes) {
            const ZoneClock::Resolved r = clock.Resolve(start + std::chrono::minutes{minute});
            if (TimePoint{r.instant} > now) candidates.push_back(r);
        }
        if (!plain) {
            // Near a gap, later local slots can map to earlier instants (03:00 → 07:00Z is
            // before 02:30 → 07:30Z in New York), so order by instant.
            std::stable_sort(candidates.begin(), candidates.end(),
                             [](const auto& a, const auto& b) { return a.instant < b.instant; });
        }
        for (const ZoneClock::Resolved& c : candidates) {
            const TimePoint at{c.instant};
            // kTaken also drops a second local slot that lands on an instant already taken.
            if (rules.Judge(at, c.local_day).state != SlotState::kFree) continue;
            out.push_back({queue[out.size()], at});
            rules.Take(at, c.local_day);
            if (out.size() == queue.size()) break;
        }
    }
    return out;
}

Result<std::vector<TimePoint>> ListSlotInstants(const PublishingSettings& settings,
                                                std::string_view time_zone, TimePoint from,
                                                TimePoint to) {
    const date::time_zone* zone = FindZone(time_zone);
    if (zone == nullptr) return UnknownZone(time_zone);

    std::vector<TimePoint> out;
    const uint8_t day_mask = DayMask(settings.publish_days);
    const std::vector<int> slot_minutes = SortedSlots(settings.publish_time_slots);
    if (to <= from || day_mask == 0 || slot_minutes.empty()) return out;

    ZoneClock clock(zone);
    // One day of slack either side: a slot of one local date can land on the next one.
    const int64_t first_day = DayOf(clock.ToLocal(std::chrono::floor<seconds>(from))) - 1;
    const int64_t last_day = DayOf(clock.ToLocal(std::chrono::floor<seconds>(to))) + 1;
    for (int64_t day = first_day; day <= last_day; ++day) {
        if (!(day_mask & (1u << WeekdayOf(day)))) continue;
        const date::local_seconds start = StartOfDay(day);
        for (const int minute : slot_minutes) {
            const TimePoint t{clock.Resolve(start + std::chrono::minutes{minute}).instant};
            if (t > from && t <= to) out.push_back(t);
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace herald::domain
