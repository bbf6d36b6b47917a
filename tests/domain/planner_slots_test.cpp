// API.md §9's blackout dates and minimum spacing in the one slot calculator (AssignSlots),
// and the calendar's slot states (ClassifySlots) agreeing with it: DST days in New York and
// Berlin, a blackout across a month end, spacing across midnight, randomised settings.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "domain/planner_settings.hpp"
#include "domain/slot_states.hpp"
#include "domain/slots.hpp"
#include "domain/validation.hpp"

namespace herald::domain {
namespace {

TimePoint At(const char* iso) {
    const auto t = ParseIso(iso);
    if (!t) ADD_FAILURE() << "bad test instant " << iso;
    return t.value_or(TimePoint{});
}

int64_t Day(const char* date) { return ParseLocalDate(date, "test").value(); }

PublishingSettings Settings(std::vector<std::string> days, std::vector<std::string> slots) {
    PublishingSettings s;
    s.auto_publish_enabled = true;
    s.publish_days.clear();
    for (const std::string& d : days) s.publish_days.push_back(*ParseWeekday(d));
    s.publish_time_slots.clear();
    for (const std::string& t : slots) s.publish_time_slots.push_back(*ParseTimeSlot(t));
    return s;
}

const std::vector<std::string> kEveryDay = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
using Instants = std::vector<std::string>;

Instants Assign(const PublishingSettings& s, std::string_view zone, const SiteCalendar& calendar,
                int n, TimePoint now) {
    std::vector<ContentId> queue(static_cast<size_t>(n));
    std::iota(queue.begin(), queue.end(), ContentId{1});
    const auto result = AssignSlots(s, zone, calendar, queue, now);
    if (!result.ok()) {
        ADD_FAILURE() << result.error().message;
        return {};
    }
    Instants out;
    for (const auto& a : *result) out.push_back(FormatIso(a.at));
    return out;
}

// The states of the slots between from and to, as "instant state[: reason]".
Instants States(const PublishingSettings& s, std::string_view zone, const SiteCalendar& calendar,
                TimePoint from, TimePoint to, TimePoint now) {
    const auto slots = ListSlotInstants(s, zone, from, to);
    const auto states = ClassifySlots(s, zone, calendar, *slots, now);
    if (!states.ok()) {
        ADD_FAILURE() << states.error().message;
        return {};
    }
    Instants out;
    for (size_t i = 0; i < slots->size(); ++i) {
        std::string line = FormatIso((*slots)[i]) + " " + std::string(ToString((*states)[i].state));
        if (!(*states)[i].reason.empty()) line += ": " + (*states)[i].reason;
        out.push_back(line);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Blackouts: site-local dates, inclusive.

struct BlackoutCase {
    const char* name;
    const char* zone;
    std::vector<std::string> days;
    std::vector<std::string> slots;
    const char* from;  // blackout range
    const char* to;
    const char* now;
    Instants expected;  // the first assignments
};

void PrintTo(const BlackoutCase& c, std::ostream* os) { *os << c.name; }

class BlackoutTest : public testing::TestWithParam<BlackoutCase> {};

TEST_P(BlackoutTest, AssignsAroundTheBlackout) {
    const BlackoutCase& c = GetParam();
    PublishingSettings s = Settings(c.days, c.slots);
    s.blackout_dates = {{Day(c.from), Day(c.to), "closed"}};
    EXPECT_EQ(Assign(s, c.zone, {}, static_cast<int>(c.expected.size()), At(c.now)), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Planner, BlackoutTest,
    testing::Values(
        BlackoutCase{"AcrossMonthEnd",
                     "UTC",
                     kEveryDay,
                     {"09:00"},
                     "2026-01-30",
                     "2026-02-02",
                     "2026-01-29T10:00:00Z",
                     {"2026-02-03T09:00:00Z", "2026-02-04T09:00:00Z"}},
        BlackoutCase{"AcrossYearEndInBerlin",
                     "Europe/Berlin",
                     kEveryDay,
                     {"09:00"},
                     "2026-12-24",
                     "2027-01-01",
                     "2026-12-23T09:00:00Z",
                     {"2027-01-02T08:00:00Z"}},
        BlackoutCase{"OneDayIsInclusive",
                     "UTC",
                     kEveryDay,
                     {"09:00", "18:00"},
                     "2026-01-06",
                     "2026-01-06",
                     "2026-01-05T10:00:00Z",
                     {"2026-01-05T18:00:00Z", "2026-01-07T09:00:00Z"}},
        // 22:00 in New York on Jan 6 is 03:00Z on Jan 7: the local date is what counts.
        BlackoutCase{"LocalDateNotUtcDate",
                     "America/New_York",
                     kEveryDay,
                     {"22:00"},
                     "2026-01-07",
                     "2026-01-07",
                     "2026-01-06T12:00:00Z",
                     {"2026-01-07T03:00:00Z", "2026-01-09T03:00:00Z"}},
        BlackoutCase{"LocalDateBlocksItsEvening",
                     "America/New_York",
                     kEveryDay,
                     {"22:00"},
                     "2026-01-06",
                     "2026-01-06",
                     "2026-01-06T12:00:00Z",
                     {"2026-01-08T03:00:00Z"}},
        // Spring forward (Sun 2026-03-08): 02:30 would be 03:30 EDT = 07:30Z; blacked out.
        BlackoutCase{"NewYorkSpringForwardDay",
                     "America/New_York",
                     {"sun"},
                     {"02:30"},
                     "2026-03-08",
                     "2026-03-08",
                     "2026-03-01T12:00:00Z",
                     {"2026-03-15T06:30:00Z"}},
        BlackoutCase{"NewYorkDayBeforeSpringForward",
                     "America/New_York",
                     {"sun"},
                     {"02:30"},
                     "2026-03-07",
                     "2026-03-07",
                     "2026-03-01T12:00:00Z",
                     {"2026-03-08T07:30:00Z"}},
        // Fall back (Sun 2026-11-01): 01:30 is its first occurrence, EDT = 05:30Z.
        BlackoutCase{"NewYorkFallBackDay",
                     "America/New_York",
                     {"sun"},
                     {"01:30"},
                     "2026-11-01",
                     "2026-11-01",
                     "2026-10-30T12:00:00Z",
                     {"2026-11-08T06:30:00Z"}},
        BlackoutCase{"NewYorkAfterFallBackDay",
                     "America/New_York",
                     {"sun"},
                     {"01:30"},
                     "2026-11-02",
                     "2026-11-07",
                     "2026-10-30T12:00:00Z",
                     {"2026-11-01T05:30:00Z", "2026-11-08T06:30:00Z"}},
        // Berlin: spring forward Sun 2026-03-29 (02:30 → 03:30 CEST = 01:30Z), fall back Sun
        // 2026-10-25 (02:30 first occurrence, CEST = 00:30Z).
        BlackoutCase{"BerlinSpringForwardDay",
                     "Europe/Berlin",
                     {"sun"},
                     {"02:30"},
                     "2026-03-29",
                     "2026-03-29",
                     "2026-03-23T12:00:00Z",
                     {"2026-04-05T00:30:00Z"}},
        BlackoutCase{"BerlinFallBackWeekendOnly",
                     "Europe/Berlin",
                     {"sat", "sun"},
                     {"02:30"},
                     "2026-10-24",
                     "2026-10-24",
                     "2026-10-20T12:00:00Z",
                     {"2026-10-25T00:30:00Z", "2026-10-31T01:30:00Z"}},
        BlackoutCase{"BerlinFallBackDay",
                     "Europe/Berlin",
                     {"sun"},
                     {"02:30"},
                     "2026-10-25",
                     "2026-10-25",
                     "2026-10-20T12:00:00Z",
                     {"2026-11-01T01:30:00Z"}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(AssignSlots, BlackoutCoveringTheHorizonLeavesItemsUnscheduled) {
    PublishingSettings s = Settings(kEveryDay, {"09:00"});
    s.blackout_dates = {{Day("2026-01-01"), Day("2027-12-31"), "sabbatical"}};
    EXPECT_EQ(Assign(s, "UTC", {}, 1, At("2026-01-05T00:00:00Z")), Instants{});
}

TEST(AssignSlots, SeveralBlackoutsInAnyOrder) {
    PublishingSettings s = Settings(kEveryDay, {"09:00"});
    s.blackout_dates = {{Day("2026-01-08"), Day("2026-01-08"), "b"},
                        {Day("2026-01-06"), Day("2026-01-06"), "a"}};
    EXPECT_EQ(Assign(s, "UTC", {}, 3, At("2026-01-05T10:00:00Z")),
              (Instants{"2026-01-07T09:00:00Z", "2026-01-09T09:00:00Z", "2026-01-10T09:00:00Z"}));
}

// ---------------------------------------------------------------------------------------------
// Minimum spacing: on instants, against scheduled, publishing and published items and what
// the same call assigns.

struct SpacingCase {
    const char* name;
    const char* zone;
    std::vector<std::string> days;
    std::vector<std::string> slots;
    int spacing;
    Instants scheduled;
    Instants published;
    const char* now;
    Instants expected;
};

void PrintTo(const SpacingCase& c, std::ostream* os) { *os << c.name; }

class SpacingTest : public testing::TestWithParam<SpacingCase> {};

TEST_P(SpacingTest, AssignsSpacedSlots) {
    const SpacingCase& c = GetParam();
    PublishingSettings s = Settings(c.days, c.slots);
    s.min_spacing_minutes = c.spacing;
    SiteCalendar calendar;
    for (const auto& t : c.scheduled) calendar.scheduled.push_back(At(t.c_str()));
    for (const auto& t : c.published) calendar.published.push_back(At(t.c_str()));
    EXPECT_EQ(Assign(s, c.zone, calendar, static_cast<int>(c.expected.size()), At(c.now)),
              c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Planner, SpacingTest,
    testing::Values(
        // 23:30 and 00:15 are 45 minutes apart across midnight.
        SpacingCase{"AcrossMidnightWithAssigned",
                    "UTC",
                    kEveryDay,
                    {"00:15", "23:30"},
                    60,
                    {},
                    {},
                    "2026-01-05T12:00:00Z",
                    {"2026-01-05T23:30:00Z", "2026-01-06T23:30:00Z", "2026-01-07T23:30:00Z"}},
        SpacingCase{"AcrossMidnightExactSpacingFits",
                    "UTC",
                    kEveryDay,
                    {"00:15", "23:30"},
                    45,
                    {},
                    {},
                    "2026-01-05T12:00:00Z",
                    {"2026-01-05T23:30:00Z", "2026-01-06T00:15:00Z", "2026-01-06T23:30:00Z"}},
        SpacingCase{"AcrossMidnightWithScheduled",
                    "UTC",
                    kEveryDay,
                    {"00:15"},
                    60,
                    {"2026-01-05T23:50:00Z"},
                    {},
                    "2026-01-05T12:00:00Z",
                    {"2026-01-07T00:15:00Z"}},
        // A published item before now still keeps the next slot away.
        SpacingCase{"PublishedBeforeNowCounts",
                    "UTC",
                    kEveryDay,
                    {"00:15", "06:00"},
                    30,
                    {},
                    {"2026-01-05T23:50:00Z"},
                    "2026-01-06T00:00:00Z",
                    {"2026-01-06T06:00:00Z"}},
        SpacingCase{"ItemAfterTheSlotCounts",
                    "UTC",
                    kEveryDay,
                    {"09:00", "12:00"},
                    120,
                    {"2026-01-05T10:30:00Z"},
                    {},
                    "2026-01-05T00:00:00Z",
                    {"2026-01-06T09:00:00Z"}},
        SpacingCase{"ItemExactlySpacingAfterSlotFits",
                    "UTC",
                    kEveryDay,
                    {"09:00"},
                    90,
                    {"2026-01-05T10:30:00Z"},
                    {},
                    "2026-01-05T00:00:00Z",
                    {"2026-01-05T09:00:00Z"}},
        // Spring forward in New York (2026-03-08): 01:30 EST = 06:30Z and 03:00 EDT = 07:00Z
        // are 90 minutes apart on the wall but 30 in fact; spacing counts the instants.
        SpacingCase{"NewYorkSpringForwardMeasuresInstants",
                    "America/New_York",
                    {"sun"},
                    {"01:30", "03:00"},
                    60,
                    {},
                    {},
                    "2026-03-07T12:00:00Z",
                    {"2026-03-08T06:30:00Z", "2026-03-15T05:30:00Z"}},
        SpacingCase{"NewYorkSpringForwardUnderGap",
                    "America/New_York",
                    {"sun"},
                    {"01:30", "03:00"},
                    30,
                    {},
                    {},
                    "2026-03-07T12:00:00Z",
                    {"2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z"}},
        // Fall back in New York (2026-11-01): 01:30 (first, EDT) = 05:30Z, 01:45 → 05:45Z.
        SpacingCase{"NewYorkFallBack",
                    "America/New_York",
                    {"sun"},
                    {"01:30", "01:45"},
                    20,
                    {},
                    {},
                    "2026-10-31T12:00:00Z",
                    {"2026-11-01T05:30:00Z", "2026-11-08T06:30:00Z"}},
        // Fall back in Berlin (2026-10-25): 02:30 (first, CEST) = 00:30Z and 03:00 CET =
        // 02:00Z are 30 minutes apart on the wall but 90 in fact.
        SpacingCase{"BerlinFallBackMeasuresInstants",
                    "Europe/Berlin",
                    {"sun"},
                    {"02:30", "03:00"},
                    60,
                    {},
                    {},
                    "2026-10-24T12:00:00Z",
                    {"2026-10-25T00:30:00Z", "2026-10-25T02:00:00Z"}},
        SpacingCase{"BerlinSpringForward",
                    "Europe/Berlin",
                    {"sun"},
                    {"01:30", "03:00"},
                    60,
                    {},
                    {},
                    "2026-03-28T12:00:00Z",
                    {"2026-03-29T00:30:00Z", "2026-04-04T23:30:00Z"}}),
    [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------------------------
// ClassifySlots: the calendar's states, with reasons.

TEST(ClassifySlots, ShowsBlackoutTooCloseFullTakenAndFree) {
    PublishingSettings s = Settings(kEveryDay, {"09:00", "12:00", "18:00"});
    s.blackout_dates = {{Day("2026-01-07"), Day("2026-01-07"), "Company offsite"}};
    s.min_spacing_minutes = 120;
    s.daily_publish_limit = 2;
    SiteCalendar calendar;
    calendar.scheduled = {At("2026-01-05T09:00:00Z"), At("2026-01-06T11:00:00Z")};
    calendar.published = {At("2026-01-05T12:00:00Z")};
    EXPECT_EQ(
        States(s, "UTC", calendar, At("2026-01-05T00:00:00Z"), At("2026-01-07T23:00:00Z"),
               At("2026-01-05T10:00:00Z")),
        (Instants{"2026-01-05T09:00:00Z past", "2026-01-05T12:00:00Z full",
                  "2026-01-05T18:00:00Z full", "2026-01-06T09:00:00Z free",
                  "2026-01-06T12:00:00Z too_close: less than 120 minutes from the item at "
                  "2026-01-06T11:00:00Z",
                  "2026-01-06T18:00:00Z free", "2026-01-07T09:00:00Z blackout: Company offsite",
                  "2026-01-07T12:00:00Z blackout: Company offsite",
                  "2026-01-07T18:00:00Z blackout: Company offsite"}));
}

TEST(ClassifySlots, TakenBeforeBlackoutAndUnnamedBlackoutSaysItsDates) {
    PublishingSettings s = Settings(kEveryDay, {"09:00"});
    s.blackout_dates = {{Day("2026-01-06"), Day("2026-01-07"), ""}};
    SiteCalendar calendar;
    calendar.scheduled = {At("2026-01-06T09:00:00Z")};
    EXPECT_EQ(States(s, "UTC", calendar, At("2026-01-06T00:00:00Z"), At("2026-01-07T23:00:00Z"),
                     At("2026-01-05T00:00:00Z")),
              (Instants{"2026-01-06T09:00:00Z taken",
                        "2026-01-07T09:00:00Z blackout: blackout from 2026-01-06 to 2026-01-07"}));
}

// ---------------------------------------------------------------------------------------------
// AssignSlots and ClassifySlots agree: on random settings and calendars, the slot AssignSlots
// gives one item is the first slot ClassifySlots calls free, item after item.

struct RandomSite {
    PublishingSettings settings;
    std::string zone;
    SiteCalendar calendar;
    TimePoint now;
};

RandomSite MakeRandomSite(std::mt19937& rng) {
    const auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    static const char* kZones[] = {"UTC",
                                   "America/New_York",
                                   "Europe/Berlin",
                                   "Pacific/Auckland",
                                   "Australia/Lord_Howe",
                                   "Asia/Kolkata"};
    // Around DST changes of 2026 in both hemispheres, and plain days.
    static const char* kNows[] = {"2026-03-06T10:00:00Z", "2026-03-27T22:10:00Z",
                                  "2026-10-23T05:00:00Z", "2026-10-30T23:59:00Z",
                                  "2026-04-03T12:00:00Z", "2026-01-28T18:45:00Z",
                                  "2026-09-25T13:00:00Z", "2026-06-15T00:00:00Z"};
    RandomSite r;
    r.zone = kZones[pick(6)];
    r.now = At(kNows[pick(8)]) + std::chrono::minutes{pick(24 * 60)};
    PublishingSettings& s = r.settings;
    s.publish_days.clear();
    for (int d = 0; d < 7; ++d)
        if (pick(2) == 0) s.publish_days.push_back(d);
    if (s.publish_days.empty()) s.publish_days.push_back(pick(7));
    s.publish_time_slots.clear();
    const int n_slots = 1 + pick(4);
    for (int i = 0; i < n_slots; ++i) {
        const int m = pick(96) * 15;  // quarter hours, so DST gaps make collisions
        if (std::find(s.publish_time_slots.begin(), s.publish_time_slots.end(), m) ==
            s.publish_time_slots.end())
            s.publish_time_slots.push_back(m);
    }
    const auto limit = [&]() -> std::optional<int> {
        return pick(3) == 0 ? std::optional<int>(pick(4)) : std::nullopt;
    };
    s.daily_publish_limit = limit();
    s.weekly_publish_limit = limit();
    s.monthly_publish_limit = pick(2) == 0 ? std::optional<int>(3 + pick(10)) : std::nullopt;
    static const int kSpacings[] = {0, 0, 15, 30, 45, 60, 90, 240, 1440};
    s.min_spacing_minutes = kSpacings[pick(9)];
    const int64_t today = std::chrono::floor<std::chrono::days>(r.now).time_since_epoch().count();
    int64_t day = today - 3;
    for (int i = pick(4); i > 0; --i) {
        day += pick(10);
        const int64_t to = day + pick(5);
        s.blackout_dates.push_back({day, to, "r" + std::to_string(i)});
        day = to + 1;
    }
    for (int i = pick(12); i > 0; --i) {
        // Within three weeks either side of now, on the quarter hour.
        const TimePoint t = r.now + std::chrono::minutes{(pick(6 * 7 * 96) - 3 * 7 * 96) * 15};
        if (pick(3) == 0)
            r.calendar.published.push_back(t);
        else if (std::find(r.calendar.scheduled.begin(), r.calendar.scheduled.end(), t) ==
                 r.calendar.scheduled.end())
            r.calendar.scheduled.push_back(t);
    }
    return r;
}

TEST(PlannerAgreement, AssignSlotsTakesTheFirstSlotClassifySlotsCallsFree) {
    constexpr int kSites = 400;
    constexpr int kItems = 4;
    constexpr auto kWindow = std::chrono::days{70};
    int compared = 0;
    for (int seed = 1; seed <= kSites; ++seed) {
        std::mt19937 rng(static_cast<unsigned>(seed));
        RandomSite site = MakeRandomSite(rng);
        ASSERT_TRUE(ValidateSettings(site.settings).ok()) << "seed " << seed;
        const auto slots = ListSlotInstants(site.settings, site.zone, site.now, site.now + kWindow);
        ASSERT_TRUE(slots.ok());
        SiteCalendar calendar = site.calendar;
        std::vector<TimePoint> one_by_one;
        for (int item = 0; item < kItems; ++item) {
            const auto states = ClassifySlots(site.settings, site.zone, calendar, *slots, site.now);
            ASSERT_TRUE(states.ok());
            std::optional<TimePoint> first_free;
            for (size_t i = 0; i < slots->size() && !first_free; ++i)
                if ((*states)[i].state == SlotState::kFree) first_free = (*slots)[i];
            const ContentId id[] = {item + 1};
            const auto assigned = AssignSlots(site.settings, site.zone, calendar, id, site.now);
            ASSERT_TRUE(assigned.ok());
            if (!first_free) {
                // Nothing free in the window: AssignSlots finds nothing in it either.
                ASSERT_TRUE(assigned->empty() || assigned->front().at > site.now + kWindow)
                    << "seed " << seed << " item " << item;
                break;
            }
            ASSERT_EQ(assigned->size(), 1u) << "seed " << seed << " item " << item;
            ASSERT_EQ(FormatIso(assigned->front().at), FormatIso(*first_free))
                << "seed " << seed << " zone " << site.zone << " item " << item;
            ++compared;
            calendar.scheduled.push_back(*first_free);
            one_by_one.push_back(*first_free);
        }
        // Placing the items one call at a time gives what one call gives them all.
        std::vector<ContentId> queue(one_by_one.size());
        std::iota(queue.begin(), queue.end(), ContentId{1});
        const auto together = AssignSlots(site.settings, site.zone, site.calendar, queue, site.now);
        ASSERT_TRUE(together.ok());
        ASSERT_EQ(together->size(), one_by_one.size()) << "seed " << seed;
        for (size_t i = 0; i < one_by_one.size(); ++i)
            EXPECT_EQ((*together)[i].at, one_by_one[i]) << "seed " << seed << " item " << i;
    }
    // The generator must exercise the rules, not just empty calendars.
    EXPECT_GT(compared, kSites * 2);
}

}  // namespace
}  // namespace herald::domain
