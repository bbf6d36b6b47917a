// The slot calculator of API.md §4: DST gaps and overlaps, limits in local time, occupancy,
// ordering, horizon. Every expectation is an exact UTC instant.
#include "domain/slots.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <numeric>
#include <ostream>
#include <string>
#include <vector>

#include "domain/validation.hpp"

namespace herald::domain {
namespace {

TimePoint At(const char* iso) {
    const auto t = ParseIso(iso);
    if (!t) ADD_FAILURE() << "bad test instant " << iso;
    return t.value_or(TimePoint{});
}

// Settings from readable names: Settings({"sun"}, {"02:30"}).
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

std::vector<ContentId> Ids(int n, ContentId first = 1) {
    std::vector<ContentId> ids(static_cast<size_t>(n));
    std::iota(ids.begin(), ids.end(), first);
    return ids;
}

// Runs AssignSlots and returns the instants as ISO strings, checking ids follow queue order.
std::vector<std::string> Assign(const PublishingSettings& settings, std::string_view zone,
                                const SiteCalendar& calendar, const std::vector<ContentId>& queue,
                                TimePoint now, int horizon_days = kSlotHorizonDays) {
    const auto result = AssignSlots(settings, zone, calendar, queue, now, horizon_days);
    if (!result.ok()) {
        ADD_FAILURE() << result.error().message;
        return {};
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < result->size(); ++i) {
        EXPECT_EQ((*result)[i].content_id, queue[i]) << "assignment " << i << " out of order";
        out.push_back(FormatIso((*result)[i].at));
    }
    return out;
}

using Instants = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// One local slot → one exact instant, across DST transitions and unusual zones.

struct LocalSlotCase {
    const char* name;
    const char* zone;
    const char* day;   // the only publish day
    const char* slot;  // the only time slot
    const char* now;
    const char* expected;
};

void PrintTo(const LocalSlotCase& c, std::ostream* os) { *os << c.name; }

class LocalSlotTest : public testing::TestWithParam<LocalSlotCase> {};

TEST_P(LocalSlotTest, FirstAssignmentIsExactInstant) {
    const LocalSlotCase& c = GetParam();
    EXPECT_EQ(Assign(Settings({c.day}, {c.slot}), c.zone, {}, {42}, At(c.now)),
              Instants{c.expected});
}

TEST_P(LocalSlotTest, ListSlotInstantsAgrees) {
    const LocalSlotCase& c = GetParam();
    const TimePoint now = At(c.now);
    const auto listed =
        ListSlotInstants(Settings({c.day}, {c.slot}), c.zone, now, now + std::chrono::days{7});
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ(FormatIso(listed->front()), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Zones, LocalSlotTest,
    testing::Values(
        // New York, spring forward 2026-03-08 02:00 EST → 03:00 EDT.
        LocalSlotCase{"NewYork_gap_0230_moves_forward_by_the_gap", "America/New_York", "sun",
                      "02:30", "2026-03-07T12:00:00Z", "2026-03-08T07:30:00Z"},
        LocalSlotCase{"NewYork_gap_0200_is_0300_EDT", "America/New_York", "sun", "02:00",
                      "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z"},
        LocalSlotCase{"NewYork_before_gap_0159_EST", "America/New_York", "sun", "01:59",
                      "2026-03-07T12:00:00Z", "2026-03-08T06:59:00Z"},
        LocalSlotCase{"NewYork_after_gap_0330_EDT", "America/New_York", "sun", "03:30",
                      "2026-03-07T12:00:00Z", "2026-03-08T07:30:00Z"},
        LocalSlotCase{"NewYork_after_gap_0300_EDT", "America/New_York", "sun", "03:00",
                      "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z"},
        // New York, fall back 2026-11-01 02:00 EDT → 01:00 EST.
        LocalSlotCase{"NewYork_overlap_0130_first_occurrence_EDT", "America/New_York", "sun",
                      "01:30", "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z"},
        LocalSlotCase{"NewYork_overlap_0100_first_occurrence_EDT", "America/New_York", "sun",
                      "01:00", "2026-10-31T12:00:00Z", "2026-11-01T05:00:00Z"},
        LocalSlotCase{"NewYork_before_overlap_0030_EDT", "America/New_York", "sun", "00:30",
                      "2026-10-31T12:00:00Z", "2026-11-01T04:30:00Z"},
        LocalSlotCase{"NewYork_after_overlap_0200_EST", "America/New_York", "sun", "02:00",
                      "2026-10-31T12:00:00Z", "2026-11-01T07:00:00Z"},
        // Berlin, spring forward 2026-03-29 02:00 CET → 03:00 CEST.
        LocalSlotCase{"Berlin_gap_0230_moves_forward_by_the_gap", "Europe/Berlin", "sun", "02:30",
                      "2026-03-28T12:00:00Z", "2026-03-29T01:30:00Z"},
        LocalSlotCase{"Berlin_after_gap_0300_CEST", "Europe/Berlin", "sun", "03:00",
                      "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z"},
        LocalSlotCase{"Berlin_before_gap_0159_CET", "Europe/Berlin", "sun", "01:59",
                      "2026-03-28T12:00:00Z", "2026-03-29T00:59:00Z"},
        // Berlin, fall back 2026-10-25 03:00 CEST → 02:00 CET.
        LocalSlotCase{"Berlin_overlap_0230_first_occurrence_CEST", "Europe/Berlin", "sun", "02:30",
                      "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z"},
        LocalSlotCase{"Berlin_overlap_0200_first_occurrence_CEST", "Europe/Berlin", "sun", "02:00",
                      "2026-10-24T12:00:00Z", "2026-10-25T00:00:00Z"},
        LocalSlotCase{"Berlin_after_overlap_0300_CET", "Europe/Berlin", "sun", "03:00",
                      "2026-10-24T12:00:00Z", "2026-10-25T02:00:00Z"},
        LocalSlotCase{"Berlin_before_overlap_0159_CEST", "Europe/Berlin", "sun", "01:59",
                      "2026-10-24T12:00:00Z", "2026-10-24T23:59:00Z"},
        // Auckland: southern hemisphere, local weekday a day ahead of UTC.
        LocalSlotCase{"Auckland_monday_0900_is_sunday_in_utc", "Pacific/Auckland", "mon", "09:00",
                      "2026-01-01T00:00:00Z", "2026-01-04T20:00:00Z"},
        LocalSlotCase{"Auckland_gap_0230_moves_forward", "Pacific/Auckland", "sun", "02:30",
                      "2026-09-25T00:00:00Z", "2026-09-26T14:30:00Z"},
        LocalSlotCase{"Auckland_overlap_0230_first_occurrence_NZDT", "Pacific/Auckland", "sun",
                      "02:30", "2026-04-03T00:00:00Z", "2026-04-04T13:30:00Z"},
        // Kolkata: +05:30, no DST; local Monday 00:15 is Sunday evening in UTC.
        LocalSlotCase{"Kolkata_half_hour_offset", "Asia/Kolkata", "mon", "09:00",
                      "2026-01-01T00:00:00Z", "2026-01-05T03:30:00Z"},
        LocalSlotCase{"Kolkata_monday_0015_is_sunday_in_utc", "Asia/Kolkata", "mon", "00:15",
                      "2026-01-01T00:00:00Z", "2026-01-04T18:45:00Z"},
        // Kathmandu: +05:45.
        LocalSlotCase{"Kathmandu_quarter_hour_offset", "Asia/Kathmandu", "thu", "12:00",
                      "2026-01-01T00:00:00Z", "2026-01-01T06:15:00Z"},
        // Far west: local Sunday 20:00 is Monday in UTC.
        LocalSlotCase{"LosAngeles_sunday_evening_is_monday_in_utc", "America/Los_Angeles", "sun",
                      "20:00", "2026-01-01T00:00:00Z", "2026-01-05T04:00:00Z"},
        LocalSlotCase{"UTC_plain", "UTC", "thu", "09:00", "2026-01-01T00:00:00Z",
                      "2026-01-01T09:00:00Z"}),
    [](const testing::TestParamInfo<LocalSlotCase>& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------
// Two local slots on one instant count as one slot.

TEST(AssignSlots, TwoSlotsCollapsingInNewYorkGapGiveOneItem) {
    // 02:30 does not exist on 2026-03-08 and becomes 03:30 EDT = 07:30Z, the 03:30 slot.
    EXPECT_EQ(Assign(Settings({"sun"}, {"02:30", "03:30"}), "America/New_York", {}, Ids(3),
                     At("2026-03-07T12:00:00Z")),
              (Instants{"2026-03-08T07:30:00Z", "2026-03-15T06:30:00Z", "2026-03-15T07:30:00Z"}));
}

TEST(AssignSlots, TwoSlotsCollapsingInBerlinGapGiveOneItem) {
    EXPECT_EQ(Assign(Settings({"sun"}, {"02:30", "03:30"}), "Europe/Berlin", {}, Ids(2),
                     At("2026-03-28T12:00:00Z")),
              (Instants{"2026-03-29T01:30:00Z", "2026-04-05T00:30:00Z"}));
}

TEST(AssignSlots, GapSlotAfterLaterLocalSlotIsOrderedByInstant) {
    // 03:00 EDT (07:00Z) is earlier than 02:30 moved to 03:30 EDT (07:30Z).
    EXPECT_EQ(Assign(Settings({"sun"}, {"02:30", "03:00"}), "America/New_York", {}, Ids(3),
                     At("2026-03-07T12:00:00Z")),
              (Instants{"2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z", "2026-03-15T06:30:00Z"}));
}

TEST(AssignSlots, OverlapSlotsStayDistinct) {
    // 01:30 is the EDT occurrence; 02:00 is EST, 90 minutes later, not 30.
    EXPECT_EQ(Assign(Settings({"sun"}, {"01:00", "01:30", "02:00"}), "America/New_York", {}, Ids(3),
                     At("2026-10-31T12:00:00Z")),
              (Instants{"2026-11-01T05:00:00Z", "2026-11-01T05:30:00Z", "2026-11-01T07:00:00Z"}));
}

TEST(AssignSlots, OverlapResolvedTheSameWhateverWasLookedUpBefore) {
    // Counting a later calendar item first makes the zone's EST period the last one looked
    // up; 01:30 on the fall-back day must still be the EDT occurrence.
    PublishingSettings s = Settings({"sun"}, {"01:30"});
    s.monthly_publish_limit = 10;
    SiteCalendar calendar;
    calendar.published = {At("2026-11-20T12:00:00Z")};
    EXPECT_EQ(Assign(s, "America/New_York", calendar, Ids(1), At("2026-10-31T12:00:00Z")),
              Instants{"2026-11-01T05:30:00Z"});
}

TEST(ListSlotInstants, CollapsedGapSlotsListedOnce) {
    const auto listed =
        ListSlotInstants(Settings({"sun"}, {"02:30", "03:00", "03:30"}), "America/New_York",
                         At("2026-03-08T00:00:00Z"), At("2026-03-09T00:00:00Z"));
    ASSERT_TRUE(listed.ok());
    std::vector<std::string> got;
    for (const TimePoint t : *listed) got.push_back(FormatIso(t));
    EXPECT_EQ(got, (Instants{"2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z"}));
}

// ---------------------------------------------------------------------------------------------
// Ordering, now, occupancy.

TEST(AssignSlots, QueueOrderGetsEarliestSlots) {
    const std::vector<ContentId> queue = {30, 10, 20, 40};
    const auto result = AssignSlots(Settings({"mon", "wed"}, {"14:00", "09:00"}), "UTC", {}, queue,
                                    At("2026-01-05T10:00:00Z"));
    ASSERT_TRUE(result.ok());
    ASSERT_EQ(result->size(), 4u);
    EXPECT_EQ((*result)[0].content_id, 30);
    EXPECT_EQ(FormatIso((*result)[0].at), "2026-01-05T14:00:00Z");
    EXPECT_EQ((*result)[1].content_id, 10);
    EXPECT_EQ(FormatIso((*result)[1].at), "2026-01-07T09:00:00Z");
    EXPECT_EQ((*result)[2].content_id, 20);
    EXPECT_EQ(FormatIso((*result)[2].at), "2026-01-07T14:00:00Z");
    EXPECT_EQ((*result)[3].content_id, 40);
    EXPECT_EQ(FormatIso((*result)[3].at), "2026-01-12T09:00:00Z");
}

TEST(AssignSlots, SlotExactlyAtNowIsNotTaken) {
    EXPECT_EQ(Assign(Settings(kEveryDay, {"09:00", "14:00"}), "UTC", {}, Ids(1),
                     At("2026-01-05T09:00:00Z")),
              Instants{"2026-01-05T14:00:00Z"});
}

TEST(AssignSlots, SlotOneMillisecondAfterNowIsTaken) {
    EXPECT_EQ(Assign(Settings(kEveryDay, {"09:00", "14:00"}), "UTC", {}, Ids(1),
                     At("2026-01-05T08:59:59.999Z")),
              Instants{"2026-01-05T09:00:00Z"});
}

TEST(AssignSlots, SkipsOccupiedInstants) {
    SiteCalendar calendar;
    calendar.scheduled = {At("2026-01-05T09:00:00Z"), At("2026-01-06T09:00:00Z")};
    EXPECT_EQ(
        Assign(Settings(kEveryDay, {"09:00"}), "UTC", calendar, Ids(2), At("2026-01-05T00:00:00Z")),
        (Instants{"2026-01-07T09:00:00Z", "2026-01-08T09:00:00Z"}));
}

TEST(AssignSlots, OccupancyIsByExactInstant) {
    // Half a second past the slot is another instant: the slot itself is still free.
    SiteCalendar calendar;
    calendar.scheduled = {At("2026-01-05T09:00:00.500Z")};
    EXPECT_EQ(
        Assign(Settings(kEveryDay, {"09:00"}), "UTC", calendar, Ids(1), At("2026-01-05T00:00:00Z")),
        Instants{"2026-01-05T09:00:00Z"});
}

TEST(AssignSlots, PublishedItemsDoNotOccupy) {
    // Published items count against limits only (none set here), not occupancy.
    SiteCalendar calendar;
    calendar.published = {At("2026-01-05T09:00:00Z")};
    EXPECT_EQ(
        Assign(Settings(kEveryDay, {"09:00"}), "UTC", calendar, Ids(1), At("2026-01-05T00:00:00Z")),
        Instants{"2026-01-05T09:00:00Z"});
}

TEST(AssignSlots, DefaultWeekdaySchedule) {
    PublishingSettings defaults;  // mon–fri, 09:00 14:00 18:00
    // Friday 2026-01-09 15:00Z: 18:00 today, then Monday.
    EXPECT_EQ(Assign(defaults, "UTC", {}, Ids(5), At("2026-01-09T15:00:00Z")),
              (Instants{"2026-01-09T18:00:00Z", "2026-01-12T09:00:00Z", "2026-01-12T14:00:00Z",
                        "2026-01-12T18:00:00Z", "2026-01-13T09:00:00Z"}));
}

// ---------------------------------------------------------------------------------------------
// Limits, counted in local time, including items already on the calendar.

TEST(AssignSlots, DailyLimitSpreadsOverDays) {
    PublishingSettings s = Settings(kEveryDay, {"09:00", "14:00", "18:00"});
    s.daily_publish_limit = 2;
    SiteCalendar calendar;
    calendar.scheduled = {At("2026-01-05T20:00:00Z")};  // Monday already has one
    EXPECT_EQ(Assign(s, "UTC", calendar, Ids(4), At("2026-01-05T00:00:00Z")),
              (Instants{"2026-01-05T09:00:00Z", "2026-01-06T09:00:00Z", "2026-01-06T14:00:00Z",
                        "2026-01-07T09:00:00Z"}));
}

TEST(AssignSlots, DailyLimitCountsTheLocalDay) {
    // 2026-01-05T20:00Z is Tuesday 09:00 in Auckland (NZDT, +13): Tuesday is full.
    PublishingSettings s = Settings(kEveryDay, {"10:00", "15:00"});
    s.daily_publish_limit = 1;
    SiteCalendar calendar;
    calendar.published = {At("2026-01-05T20:00:00Z")};
    EXPECT_EQ(Assign(s, "Pacific/Auckland", calendar, Ids(2), At("2026-01-05T19:00:00Z")),
              (Instants{"2026-01-06T21:00:00Z", "2026-01-07T21:00:00Z"}));
}

TEST(AssignSlots, WeeklyLimitAcrossWeekBoundaryInLocalTime) {
    // New York, weekly limit 3, week Mon 2026-01-05 … Sun 2026-01-11. Already in that week:
    // one published Monday, and one scheduled at 2026-01-12T03:00Z, which is Sunday 22:00 EST
    // (it would be next week in UTC). One more fits this week, then three a week.
    PublishingSettings s = Settings(kEveryDay, {"09:00"});
    s.weekly_publish_limit = 3;
    SiteCalendar calendar;
    calendar.published = {At("2026-01-05T15:00:00Z")};
    calendar.scheduled = {At("2026-01-12T03:00:00Z")};
    EXPECT_EQ(Assign(s, "America/New_York", calendar, Ids(5), At("2026-01-07T20:00:00Z")),
              (Instants{"2026-01-08T14:00:00Z", "2026-01-12T14:00:00Z", "2026-01-13T14:00:00Z",
                        "2026-01-14T14:00:00Z", "2026-01-19T14:00:00Z"}));
}

TEST(AssignSlots, WeeklyLimitUsesIsoWeeksMondayToSunday) {
    // Limit 1 a week, slots on Sunday and Monday: Sunday and the next day are different weeks.
    PublishingSettings s = Settings({"sun", "mon"}, {"12:00"});
    s.weekly_publish_limit = 1;
    EXPECT_EQ(Assign(s, "UTC", {}, Ids(3), At("2026-01-10T00:00:00Z")),
              (Instants{"2026-01-11T12:00:00Z", "2026-01-12T12:00:00Z", "2026-01-19T12:00:00Z"}));
}

TEST(AssignSlots, MonthlyLimitAcrossMonthBoundaryInLocalTime) {
    // Berlin, limit 2 a month. January already has one published item; the scheduled one at
    // 2026-01-31T23:30Z is 1 February 00:30 CET, so it counts for February.
    PublishingSettings s = Settings(kEveryDay, {"10:00"});
    s.monthly_publish_limit = 2;
    SiteCalendar calendar;
    calendar.published = {At("2026-01-05T10:00:00Z")};
    calendar.scheduled = {At("2026-01-31T23:30:00Z")};
    EXPECT_EQ(Assign(s, "Europe/Berlin", calendar, Ids(5), At("2026-01-29T12:00:00Z")),
              (Instants{"2026-01-30T09:00:00Z", "2026-02-01T09:00:00Z", "2026-03-01T09:00:00Z",
                        "2026-03-02T09:00:00Z", "2026-04-01T08:00:00Z"}));
}

TEST(AssignSlots, AllThreeLimitsTogether) {
    // UTC, daily 2, weekly 4, monthly 3, from Thursday 2026-01-29; each limit binds once.
    PublishingSettings s = Settings(kEveryDay, {"09:00", "12:00", "15:00"});
    s.daily_publish_limit = 2;
    s.weekly_publish_limit = 4;
    s.monthly_publish_limit = 3;
    EXPECT_EQ(Assign(s, "UTC", {}, Ids(7), At("2026-01-29T00:00:00Z")),
              (Instants{"2026-01-29T09:00:00Z", "2026-01-29T12:00:00Z",  // daily: 2 on Thu
                        "2026-01-30T09:00:00Z",                          // monthly: Jan has 3
                        "2026-02-01T09:00:00Z",  // weekly: Sun ends week of Jan 26 with 4
                        "2026-02-02T09:00:00Z", "2026-02-02T12:00:00Z",  // Feb has 3
                        "2026-03-01T09:00:00Z"}));
}

TEST(AssignSlots, PreexistingItemsOverLimitBlockTheWholePeriod) {
    PublishingSettings s = Settings(kEveryDay, {"09:00", "18:00"});
    s.daily_publish_limit = 1;
    SiteCalendar calendar;
    calendar.published = {At("2026-01-05T01:00:00Z"), At("2026-01-05T02:00:00Z")};
    EXPECT_EQ(Assign(s, "UTC", calendar, Ids(1), At("2026-01-05T00:00:00Z")),
              Instants{"2026-01-06T09:00:00Z"});
}

TEST(AssignSlots, LimitCountsTheLocalDayOfAGapSlot) {
    // Daily limit 1 on New York's spring-forward day: 02:30 and 03:30 collapse, and 12:00 is
    // a second slot the same local day, so only one item that day.
    PublishingSettings s = Settings({"sun"}, {"02:30", "03:30", "12:00"});
    s.daily_publish_limit = 1;
    EXPECT_EQ(Assign(s, "America/New_York", {}, Ids(2), At("2026-03-07T12:00:00Z")),
              (Instants{"2026-03-08T07:30:00Z", "2026-03-15T06:30:00Z"}));
}

TEST(AssignSlots, SkippedDayCountsOnTheDayItLandsOn) {
    // Samoa skipped Friday 2011-12-30 (UTC-10 → UTC+14). Friday 09:00 moves forward a whole
    // day to Saturday 09:00 (2011-12-30T19:00Z), so with one a day Saturday is then full and
    // the Saturday 09:00 slot is the same instant anyway: next is Friday 2012-01-06.
    PublishingSettings s = Settings({"fri", "sat"}, {"09:00", "10:00"});
    s.daily_publish_limit = 1;
    EXPECT_EQ(Assign(s, "Pacific/Apia", {}, Ids(2), At("2011-12-28T00:00:00Z")),
              (Instants{"2011-12-30T19:00:00Z", "2012-01-05T19:00:00Z"}));
}

TEST(AssignSlots, ZeroLimitSchedulesNothing) {
    for (int which = 0; which < 3; ++which) {
        PublishingSettings s = Settings(kEveryDay, {"09:00"});
        (which == 0   ? s.daily_publish_limit
         : which == 1 ? s.weekly_publish_limit
                      : s.monthly_publish_limit) = 0;
        EXPECT_EQ(Assign(s, "UTC", {}, Ids(3), At("2026-01-05T00:00:00Z")), Instants{}) << which;
    }
}

TEST(AssignSlots, NullLimitsAreUnlimited) {
    SiteCalendar calendar;
    for (int d = 0; d < 20; ++d) calendar.published.push_back(At("2026-01-05T01:00:00Z"));
    EXPECT_EQ(Assign(Settings({"mon"}, {"09:00", "10:00"}), "UTC", calendar, Ids(2),
                     At("2026-01-05T00:00:00Z")),
              (Instants{"2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"}));
}

// ---------------------------------------------------------------------------------------------
// Horizon and empty schedules.

TEST(AssignSlots, HorizonLeavesOutItemsThatDoNotFit) {
    // One a month from Sunday 2026-01-11; the last local date searched is 2027-01-11.
    PublishingSettings s = Settings(kEveryDay, {"09:00"});
    s.monthly_publish_limit = 1;
    const Instants got = Assign(s, "UTC", {}, Ids(20), At("2026-01-10T12:00:00Z"));
    ASSERT_EQ(got.size(), 13u);
    EXPECT_EQ(got.front(), "2026-01-11T09:00:00Z");
    EXPECT_EQ(got[1], "2026-02-01T09:00:00Z");
    EXPECT_EQ(got.back(), "2027-01-01T09:00:00Z");
}

TEST(AssignSlots, HorizonIncludesItsLastLocalDate) {
    // Now is Saturday 2026-01-10; with 2 days ahead, Monday 2026-01-12 is the last date.
    EXPECT_EQ(
        Assign(Settings({"mon"}, {"23:00"}), "UTC", {}, Ids(1), At("2026-01-10T12:00:00Z"), 2),
        Instants{"2026-01-12T23:00:00Z"});
    EXPECT_EQ(
        Assign(Settings({"tue"}, {"00:00"}), "UTC", {}, Ids(1), At("2026-01-10T12:00:00Z"), 2),
        Instants{});
}

TEST(AssignSlots, HorizonOfTenDays) {
    const Instants got =
        Assign(Settings(kEveryDay, {"09:00"}), "UTC", {}, Ids(20), At("2026-01-10T12:00:00Z"), 10);
    ASSERT_EQ(got.size(), 10u);
    EXPECT_EQ(got.front(), "2026-01-11T09:00:00Z");
    EXPECT_EQ(got.back(), "2026-01-20T09:00:00Z");
}

TEST(AssignSlots, HorizonDaysAreLocalDates) {
    // Auckland: now is Sunday 2026-01-11 01:00 NZDT, so the last date with 1 day is Monday.
    EXPECT_EQ(Assign(Settings({"mon"}, {"23:00"}), "Pacific/Auckland", {}, Ids(1),
                     At("2026-01-10T12:00:00Z"), 1),
              Instants{"2026-01-12T10:00:00Z"});
}

TEST(AssignSlots, NoDaysOrNoSlotsOrNoQueueGiveNothing) {
    const TimePoint now = At("2026-01-05T00:00:00Z");
    EXPECT_EQ(Assign(Settings({}, {"09:00"}), "UTC", {}, Ids(3), now), Instants{});
    EXPECT_EQ(Assign(Settings(kEveryDay, {}), "UTC", {}, Ids(3), now), Instants{});
    EXPECT_EQ(Assign(Settings(kEveryDay, {"09:00"}), "UTC", {}, {}, now), Instants{});
}

TEST(AssignSlots, UnknownTimeZoneIsInvalid) {
    for (const char* zone : {"Mars/Olympus_Mons", "", "europe/berlin", "../../etc/passwd"}) {
        const auto r = AssignSlots(Settings(kEveryDay, {"09:00"}), zone, {},
                                   std::vector<ContentId>{1}, At("2026-01-05T00:00:00Z"));
        ASSERT_FALSE(r.ok()) << zone;
        EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);
        EXPECT_EQ(r.error().code, "unknown_timezone");
        EXPECT_EQ(r.error().field, "timezone");
    }
}

TEST(AssignSlots, LongRunMatchesListedInstants) {
    // Across a whole year of Berlin and New York DST changes, with no limits, assignments are
    // exactly the first N listed slot instants.
    const PublishingSettings s = Settings(kEveryDay, {"01:30", "02:30", "03:00", "09:00"});
    for (const char* zone : {"Europe/Berlin", "America/New_York", "Pacific/Auckland"}) {
        const TimePoint now = At("2026-01-01T00:00:00Z");
        const auto listed = ListSlotInstants(s, zone, now, now + std::chrono::days{370});
        ASSERT_TRUE(listed.ok());
        const auto assigned = AssignSlots(s, zone, {}, Ids(1200), now);
        ASSERT_TRUE(assigned.ok());
        ASSERT_EQ(assigned->size(), 1200u);
        for (size_t i = 0; i < assigned->size(); ++i) {
            ASSERT_EQ((*assigned)[i].at, (*listed)[i]) << zone << " #" << i;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ListSlotInstants and IsKnownTimeZone.

TEST(ListSlotInstants, FromExclusiveToInclusive) {
    const auto listed = ListSlotInstants(Settings(kEveryDay, {"09:00"}), "UTC",
                                         At("2026-01-05T09:00:00Z"), At("2026-01-07T09:00:00Z"));
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 2u);
    EXPECT_EQ(FormatIso((*listed)[0]), "2026-01-06T09:00:00Z");
    EXPECT_EQ(FormatIso((*listed)[1]), "2026-01-07T09:00:00Z");
}

TEST(ListSlotInstants, EmptyWhenRangeEmptyOrNoSchedule) {
    const TimePoint t = At("2026-01-05T00:00:00Z");
    EXPECT_TRUE(ListSlotInstants(Settings(kEveryDay, {"09:00"}), "UTC", t, t)->empty());
    EXPECT_TRUE(
        ListSlotInstants(Settings({}, {"09:00"}), "UTC", t, t + std::chrono::days{9})->empty());
    EXPECT_TRUE(
        ListSlotInstants(Settings(kEveryDay, {}), "UTC", t, t + std::chrono::days{9})->empty());
}

TEST(ListSlotInstants, UnknownZoneIsInvalid) {
    const auto r = ListSlotInstants(Settings(kEveryDay, {"09:00"}), "Nowhere/Nothing",
                                    At("2026-01-05T00:00:00Z"), At("2026-01-06T00:00:00Z"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "timezone");
}

TEST(IsKnownTimeZone, KnownAndUnknownNames) {
    for (const char* zone : {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata",
                             "Pacific/Auckland", "Etc/GMT+5"}) {
        EXPECT_TRUE(IsKnownTimeZone(zone)) << zone;
    }
    for (const char* zone : {"", "Mars/Olympus_Mons", "europe/berlin", "Europe/", "/etc/passwd",
                             "Europe/Berlin ", "+02:00"}) {
        EXPECT_FALSE(IsKnownTimeZone(zone)) << zone;
    }
}

// ---------------------------------------------------------------------------------------------
// Speed: the benchmark assigns ~100 items per site for 1,000 sites in one run.

TEST(AssignSlotsSpeed, ThousandSitesOfHundredItems) {
    PublishingSettings s;  // mon–fri × 3 slots
    s.daily_publish_limit = 3;
    s.weekly_publish_limit = 12;
    s.monthly_publish_limit = 40;
    SiteCalendar calendar;
    for (int i = 0; i < 30; ++i) {
        calendar.scheduled.push_back(At("2026-01-05T09:00:00Z") + std::chrono::days{i});
        calendar.published.push_back(At("2025-12-20T09:00:00Z") + std::chrono::hours{i * 7});
    }
    const std::vector<ContentId> queue = Ids(100);
    const char* zones[] = {"Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland",
                           "UTC"};
    const auto start = std::chrono::steady_clock::now();
    size_t assigned = 0;
    for (int site = 0; site < 1000; ++site) {
        const auto r = AssignSlots(s, zones[site % 5], calendar, queue,
                                   At("2026-01-04T00:00:00Z") + std::chrono::minutes{site});
        ASSERT_TRUE(r.ok());
        assigned += r->size();
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(assigned, 100'000u);
    // Target is far below this (a few tens of ms); the bound only catches gross regressions
    // on a loaded shared machine.
    EXPECT_LT(elapsed, std::chrono::milliseconds{1000})
        << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms";
    RecordProperty(
        "elapsed_ms",
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
}

}  // namespace
}  // namespace herald::domain
