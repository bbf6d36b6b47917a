// The slot calculator (domain/slots.hpp, domain/slot_states.hpp) on random settings, zones,
// limits, calendars and clocks, checked against API.md §4 as properties:
//   - nothing at or before now; never two items at one instant (nor on a taken one);
//   - daily / ISO-weekly / monthly limits held, counted in local time over the calendar plus
//     the assignments (counted here independently, with date's own conversions);
//   - order kept: the queue's items in order, each at a later instant than the one before;
//   - each item gets the earliest free slot: the result equals a literal, slow reading of the
//     rules (enumerate every slot of the horizon, resolve gaps and overlaps with a fresh tz
//     lookup each time, take the earliest free one that fits the limits);
//   - ListSlotInstants and ClassifySlots agree with the assignments (assigned → taken; when
//     items are left over, no slot of the horizon is still free).

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <date/tz.h>

#include "check.hpp"
#include "domain/slot_states.hpp"
#include "domain/slots.hpp"
#include "domain/validation.hpp"

namespace {

using namespace herald;
using namespace herald::domain;
using std::chrono::floor;
using std::chrono::minutes;
using std::chrono::seconds;

// Zones with the awkward cases: DST at midnight (Santiago, Havana, Beirut, Asunción), late
// evening (Nuuk), half-hour DST (Lord Howe), negative DST (Dublin), odd offsets (Kathmandu,
// St John's, Chatham), a skipped day (Apia 2011), ±14 h (Kiritimati, Niue), +2 h DST (Troll),
// Ramadan pauses (Casablanca), plain ones.
constexpr std::string_view kZones[] = {
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",
    "America/Havana",
    "Asia/Beirut",
    "America/Asuncion",
    "America/Nuuk",
    "Australia/Lord_Howe",
    "Europe/Dublin",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Pacific/Chatham",
    "Pacific/Apia",
    "Pacific/Kiritimati",
    "Pacific/Niue",
    "Antarctica/Troll",
    "Africa/Casablanca",
    "Asia/Tehran",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Europe/London",
    "Asia/Gaza",
    "America/Godthab",
};
// Around the usual transition times (00:00-03:30 and late evening) and the day's edges.
constexpr int kInterestingMinutes[] = {0,   30, 59,  60,   90,   120,          150, 180,
                                       210, 1,  720, 1320, 1380, 23 * 60 + 30, 1439};

struct Local {
    const date::time_zone* zone;

    int64_t Day(TimePoint t) const {
        return floor<date::days>(zone->to_local(floor<seconds>(t))).time_since_epoch().count();
    }
    // §4: a nonexistent local time moves forward by the gap, an ambiguous one is its first
    // occurrence; both are the local time read with the earlier offset (local_info::first).
    TimePoint Resolve(int64_t day, int minute) const {
        const date::local_seconds local{date::days{day} + minutes{minute}};
        const date::local_info info = zone->get_info(local);
        return TimePoint{local.time_since_epoch() - info.first.offset};
    }
    static int Weekday(int64_t day) {  // Monday = 0
        return static_cast<int>(date::weekday{date::sys_days{date::days{day}}}.iso_encoding()) - 1;
    }
    static int64_t Month(int64_t day) {
        const date::year_month_day ymd{date::sys_days{date::days{day}}};
        return int64_t{int(ymd.year())} * 12 + unsigned(ymd.month());
    }
};

/// Items per local day, ISO week and month.
struct Counts {
    explicit Counts(const Local& l) : local(l) {}

    const Local& local;
    std::map<int64_t, int> day, week, month;

    void Add(TimePoint t) {
        const int64_t d = local.Day(t);
        ++day[d];
        ++week[d - Local::Weekday(d)];
        ++month[Local::Month(d)];
    }
    bool Fits(const PublishingSettings& s, TimePoint t) const {
        const int64_t d = local.Day(t);
        const auto below = [](const std::map<int64_t, int>& m, int64_t key,
                              const std::optional<int>& limit) {
            if (!limit) return true;
            const auto it = m.find(key);
            return (it == m.end() ? 0 : it->second) < *limit;
        };
        return below(day, d, s.daily_publish_limit) &&
               below(week, d - Local::Weekday(d), s.weekly_publish_limit) &&
               below(month, Local::Month(d), s.monthly_publish_limit);
    }
    bool Within(const PublishingSettings& s, TimePoint t) const {
        const int64_t d = local.Day(t);
        const auto at_most = [](const std::map<int64_t, int>& m, int64_t key,
                                const std::optional<int>& limit) {
            return !limit || m.at(key) <= *limit;
        };
        return at_most(day, d, s.daily_publish_limit) &&
               at_most(week, d - Local::Weekday(d), s.weekly_publish_limit) &&
               at_most(month, Local::Month(d), s.monthly_publish_limit);
    }
};

/// Every slot instant of the local days today … today + horizon that is after now, distinct
/// and in order.
std::vector<TimePoint> SlotsOfHorizon(const Local& local, const PublishingSettings& s,
                                      TimePoint now, int horizon) {
    std::set<TimePoint> out;
    const int64_t today = local.Day(now);
    for (int64_t day = today; day <= today + horizon; ++day) {
        const int wd = Local::Weekday(day);
        if (std::find(s.publish_days.begin(), s.publish_days.end(), wd) == s.publish_days.end())
            continue;
        for (const int minute : s.publish_time_slots) {
            const TimePoint t = local.Resolve(day, minute);
            if (t > now) out.insert(t);
        }
    }
    return {out.begin(), out.end()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::ByteReader in(data, size);
    const std::string_view zone_name = kZones[in.Byte() % std::size(kZones)];
    const Local local{date::locate_zone(zone_name)};

    PublishingSettings settings;
    settings.publish_days.clear();
    const uint8_t day_bits = in.Byte();
    const int day_rotation = in.Byte() % 7;  // users list days in any order
    for (int i = 0; i < 7; ++i) {
        const int d = (i + day_rotation) % 7;
        if (day_bits & (1u << d)) settings.publish_days.push_back(d);
    }
    settings.publish_time_slots.clear();
    const int slot_count = in.Byte() % 7;
    for (int i = 0; i < slot_count; ++i) {
        const uint8_t pick = in.Byte();
        const int minute = pick % 4 != 0
                               ? kInterestingMinutes[(pick >> 2) % std::size(kInterestingMinutes)]
                               : static_cast<int>(in.Range(0, kMinutesPerDay - 1));
        if (std::find(settings.publish_time_slots.begin(), settings.publish_time_slots.end(),
                      minute) == settings.publish_time_slots.end())
            settings.publish_time_slots.push_back(minute);
    }
    for (std::optional<int>* limit : {&settings.daily_publish_limit, &settings.weekly_publish_limit,
                                      &settings.monthly_publish_limit}) {
        const uint8_t b = in.Byte();
        if (b & 1) *limit = (b >> 1) % 6;
    }
    FUZZ_CHECK(ValidateSettings(settings), "the generated settings are valid ones");

    // 1990 … 2040, on a whole minute half of the time (so now can be exactly a slot).
    const int64_t base = 631152000;  // 1990-01-01T00:00:00Z
    int64_t now_ms = (base + int64_t{in.U32() % (50u * 366 * 24 * 60)} * 60) * 1000;
    if (in.Bool()) now_ms += in.Range(0, 59'999);
    TimePoint now = FromUnixMillis(now_ms);
    if (in.Bool()) {
        // Most days are plain: half the time, start within four days of the zone's next
        // offset change, so gaps and overlaps fall inside even short horizons.
        const date::sys_info info = local.zone->get_info(floor<seconds>(now));
        if (info.end < date::sys_days{date::year{2100} / 1 / 1})  // UTC has no next change
            now = TimePoint{info.end} - minutes{in.Range(0, 4 * 1440)};
    }
    const int horizon = in.Byte() % 8 == 0 ? kSlotHorizonDays : static_cast<int>(in.Range(0, 45));

    const std::vector<TimePoint> horizon_slots = SlotsOfHorizon(local, settings, now, horizon);

    // The calendar: items on some of the slots, others anywhere from 40 days back.
    SiteCalendar calendar;
    const int scheduled = in.Byte() % 12;
    for (int i = 0; i < scheduled; ++i) {
        if (in.Bool() && !horizon_slots.empty()) {
            calendar.scheduled.push_back(horizon_slots[in.Range(0, horizon_slots.size() - 1)]);
        } else {
            calendar.scheduled.push_back(now + minutes{in.Range(-40 * 1440, (horizon + 1) * 1440)});
        }
    }
    std::sort(calendar.scheduled.begin(), calendar.scheduled.end());
    calendar.scheduled.erase(std::unique(calendar.scheduled.begin(), calendar.scheduled.end()),
                             calendar.scheduled.end());  // one item per instant
    const int published = in.Byte() % 12;
    for (int i = 0; i < published; ++i)
        calendar.published.push_back(now - minutes{in.Range(0, 40 * 1440)});

    std::vector<ContentId> queue(in.Byte() % 25);
    for (size_t i = 0; i < queue.size(); ++i) queue[i] = static_cast<ContentId>(100 + i);

    const auto result = AssignSlots(settings, zone_name, calendar, queue, now, horizon);
    FUZZ_CHECK(result.ok(), "a known zone is accepted");
    const std::vector<SlotAssignment>& got = *result;

    // Direct properties.
    FUZZ_CHECK(got.size() <= queue.size(), "no more assignments than items");
    Counts counts(local);
    for (const TimePoint t : calendar.scheduled) counts.Add(t);
    for (const TimePoint t : calendar.published) counts.Add(t);
    std::set<TimePoint> taken(calendar.scheduled.begin(), calendar.scheduled.end());
    for (size_t i = 0; i < got.size(); ++i) {
        FUZZ_CHECK(got[i].content_id == queue[i], "order kept: the queue's items in order");
        FUZZ_CHECK(got[i].at > now, "nothing at or before now");
        FUZZ_CHECK(i == 0 || got[i].at > got[i - 1].at, "order kept: later items, later slots");
        FUZZ_CHECK(taken.insert(got[i].at).second, "never two items at one instant");
        FUZZ_CHECK(std::binary_search(horizon_slots.begin(), horizon_slots.end(), got[i].at),
                   "every assignment is a slot of the horizon");
        counts.Add(got[i].at);
    }
    for (const SlotAssignment& a : got)
        FUZZ_CHECK(counts.Within(settings, a.at), "limits held where items were added");

    // The rules read literally: each item in turn takes the earliest free slot that fits.
    Counts ref_counts(local);
    for (const TimePoint t : calendar.scheduled) ref_counts.Add(t);
    for (const TimePoint t : calendar.published) ref_counts.Add(t);
    std::set<TimePoint> ref_taken(calendar.scheduled.begin(), calendar.scheduled.end());
    std::vector<TimePoint> expected;
    for (size_t i = 0; i < queue.size(); ++i) {
        const auto slot = std::find_if(
            horizon_slots.begin(), horizon_slots.end(),
            [&](TimePoint t) { return !ref_taken.count(t) && ref_counts.Fits(settings, t); });
        if (slot == horizon_slots.end()) break;
        expected.push_back(*slot);
        ref_taken.insert(*slot);
        ref_counts.Add(*slot);
    }
    FUZZ_CHECK(expected.size() == got.size(), "as many items placed as the rules place");
    for (size_t i = 0; i < got.size(); ++i)
        FUZZ_CHECK(got[i].at == expected[i], "each item gets the earliest free slot");

    // The calendar's view of the same slots.
    if (!horizon_slots.empty()) {
        const auto listed = ListSlotInstants(settings, zone_name, now, horizon_slots.back());
        FUZZ_CHECK(listed.ok(), "a known zone is accepted");
        for (const TimePoint t : horizon_slots)
            FUZZ_CHECK(std::binary_search(listed->begin(), listed->end(), t),
                       "ListSlotInstants lists every slot");
        SiteCalendar after = calendar;
        for (const SlotAssignment& a : got) after.scheduled.push_back(a.at);
        const auto states = ClassifySlots(settings, zone_name, after, horizon_slots, now);
        FUZZ_CHECK(states.ok() && states->size() == horizon_slots.size(), "one state per slot");
        for (size_t i = 0; i < horizon_slots.size(); ++i) {
            const bool is_taken = taken.count(horizon_slots[i]) > 0;
            FUZZ_CHECK(((*states)[i].state == SlotState::kTaken) == is_taken,
                       "ClassifySlots: taken exactly where an item is");
            if (got.size() < queue.size())
                FUZZ_CHECK((*states)[i].state != SlotState::kFree,
                           "items left over: no slot is free");
            FUZZ_CHECK((*states)[i].state != SlotState::kPast, "slots after now are not past");
        }
    }
    return 0;
}
