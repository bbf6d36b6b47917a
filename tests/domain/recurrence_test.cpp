// Evergreen recurrence (API.md §9): the next occurrence's target across DST changes in New
// York and Berlin, its placement by the slot calculator, count and until, and validation.
// Every expectation is an exact UTC instant worked out by hand from the zones' rules.
#include "domain/recurrence.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "domain/settlement.hpp"
#include "domain/status_machine.hpp"
#include "domain/validation.hpp"

namespace herald::domain {
namespace {

TimePoint At(const char* iso) {
    const auto t = ParseIso(iso);
    if (!t) ADD_FAILURE() << "bad test instant " << iso;
    return t.value_or(TimePoint{});
}

PublishingSettings Settings(std::vector<std::string> days, std::vector<std::string> slots) {
    PublishingSettings s;
    s.publish_days.clear();
    for (const std::string& d : days) s.publish_days.push_back(*ParseWeekday(d));
    s.publish_time_slots.clear();
    for (const std::string& t : slots) s.publish_time_slots.push_back(*ParseTimeSlot(t));
    return s;
}

const std::vector<std::string> kEveryDay = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// ---------------------------------------------------------------------------------------------
// The target: same local wall-clock time, N local days later.

struct TargetCase {
    const char* name;
    const char* zone;
    const char* last;  // the last publication slot
    int every_days;
    const char* expected;
};

void PrintTo(const TargetCase& c, std::ostream* os) { *os << c.name; }

class TargetTest : public testing::TestWithParam<TargetCase> {};

TEST_P(TargetTest, IsTheSameLocalTime) {
    const TargetCase& c = GetParam();
    const auto target = NextOccurrenceTarget(At(c.last), c.every_days, c.zone);
    ASSERT_TRUE(target.ok()) << target.error().message;
    EXPECT_EQ(FormatIso(*target), c.expected);
}

// 2026: New York springs forward on 8 March (02:00 EST → 03:00 EDT) and falls back on
// 1 November (02:00 EDT → 01:00 EST); Berlin on 29 March (02:00 CET → 03:00 CEST) and
// 25 October (03:00 CEST → 02:00 CET).
INSTANTIATE_TEST_SUITE_P(
    Zones, TargetTest,
    testing::Values(
        TargetCase{"Utc30Days", "UTC", "2026-01-20T14:00:00Z", 30, "2026-02-19T14:00:00Z"},
        // 09:00 EST (14:00Z) → 09:00 EDT (13:00Z): one hour earlier in UTC, same on the wall.
        TargetCase{"NewYorkSpringForwardDaily", "America/New_York", "2026-03-07T14:00:00Z", 1,
                   "2026-03-08T13:00:00Z"},
        TargetCase{"NewYorkSpringForwardWeekly", "America/New_York", "2026-03-02T14:00:00Z", 7,
                   "2026-03-09T13:00:00Z"},
        TargetCase{"NewYorkFallBackDaily", "America/New_York", "2026-10-31T13:00:00Z", 1,
                   "2026-11-01T14:00:00Z"},
        // 02:30 does not exist on 8 March: moved forward by the gap, 03:30 EDT.
        TargetCase{"NewYorkIntoTheGap", "America/New_York", "2026-03-07T07:30:00Z", 1,
                   "2026-03-08T07:30:00Z"},
        // 01:30 happens twice on 1 November: the first one, EDT.
        TargetCase{"NewYorkIntoTheOverlap", "America/New_York", "2026-10-31T05:30:00Z", 1,
                   "2026-11-01T05:30:00Z"},
        TargetCase{"NewYorkFromTheOverlapsSecondHalf", "America/New_York", "2026-11-01T06:30:00Z",
                   1, "2026-11-02T06:30:00Z"},
        TargetCase{"BerlinSpringForwardDaily", "Europe/Berlin", "2026-03-28T08:00:00Z", 1,
                   "2026-03-29T07:00:00Z"},
        TargetCase{"BerlinFallBackDaily", "Europe/Berlin", "2026-10-24T07:00:00Z", 1,
                   "2026-10-25T08:00:00Z"},
        TargetCase{"BerlinIntoTheGap", "Europe/Berlin", "2026-03-28T01:30:00Z", 1,
                   "2026-03-29T01:30:00Z"},
        TargetCase{"BerlinIntoTheOverlap", "Europe/Berlin", "2026-10-24T00:30:00Z", 1,
                   "2026-10-25T00:30:00Z"},
        TargetCase{"BerlinAcrossAWholeSeason", "Europe/Berlin", "2026-01-10T08:00:00Z", 90,
                   "2026-04-10T07:00:00Z"},
        TargetCase{"KeepsSecondsAndMillis", "Europe/Berlin", "2026-03-28T08:00:05.250Z", 1,
                   "2026-03-29T07:00:05.250Z"}),
    [](const testing::TestParamInfo<TargetCase>& info) { return info.param.name; });

TEST(NextOccurrenceTarget, UnknownZoneIsInvalid) {
    const auto target = NextOccurrenceTarget(At("2026-01-20T14:00:00Z"), 1, "Mars/Olympus");
    ASSERT_FALSE(target.ok());
    EXPECT_EQ(target.error().kind, ErrorKind::kInvalid);
}

// ---------------------------------------------------------------------------------------------
// Placement: the earliest free slot at or after the target.

Content Published(const char* slot, int every_days, int publications = 1) {
    Content c;
    c.id = 7;
    c.site_id = 1;
    c.status = EditorialStatus::kApproved;
    c.site_status = SiteStatus::kPublished;
    c.scheduled_publish_at = At(slot);
    c.published_at = At(slot);
    c.publication_count = publications;
    c.recurrence = Recurrence{every_days, std::nullopt, std::nullopt};
    return c;
}

struct PlanCase {
    const char* name;
    const char* zone;
    std::vector<std::string> days;
    std::vector<std::string> slots;
    std::optional<int> daily_limit;
    Content item;
    std::vector<const char*> scheduled;  // other items' instants
    std::vector<const char*> published;  // published_at of published items (the item's own too)
    const char* now;
    const char* expected;  // or a RecurrenceStop name
};

void PrintTo(const PlanCase& c, std::ostream* os) { *os << c.name; }

class PlanTest : public testing::TestWithParam<PlanCase> {};

TEST_P(PlanTest, PlacesOrStops) {
    const PlanCase& c = GetParam();
    PublishingSettings settings = Settings(c.days, c.slots);
    settings.daily_publish_limit = c.daily_limit;
    SiteCalendar calendar;
    for (const char* t : c.scheduled) calendar.scheduled.push_back(At(t));
    for (const char* t : c.published) calendar.published.push_back(At(t));
    const auto next = PlanNextOccurrence(c.item, settings, c.zone, calendar, At(c.now));
    ASSERT_TRUE(next.ok()) << next.error().message;
    if (next->at) {
        EXPECT_EQ(next->stop, RecurrenceStop::kNone);
        EXPECT_EQ(FormatIso(*next->at), c.expected);
    } else {
        EXPECT_EQ(ToString(next->stop), c.expected);
    }
}

Content WithUntil(Content c, const char* until) {
    c.recurrence->until = until;
    return c;
}
Content WithCount(Content c, int count) {
    c.recurrence->count = count;
    return c;
}
Content Manual(Content c) {
    c.scheduled_publish_at.reset();  // published with "publish now": its publication time
    return c;
}
Content Draft(Content c) {
    c.status = EditorialStatus::kDraft;
    return c;
}
Content NoRecurrence(Content c) {
    c.recurrence.reset();
    return c;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PlanTest,
    testing::Values(
        PlanCase{"TargetSlotIsFree",
                 "Europe/Berlin",
                 kEveryDay,
                 {"09:00"},
                 {},
                 Published("2026-03-28T08:00:00Z", 1),
                 {},
                 {"2026-03-28T08:00:00Z"},
                 "2026-03-28T08:00:03Z",
                 "2026-03-29T07:00:00Z"},
        PlanCase{"NewYorkWeeklyAcrossSpringForward",
                 "America/New_York",
                 kEveryDay,
                 {"09:00"},
                 {},
                 Published("2026-03-02T14:00:00Z", 7),
                 {},
                 {},
                 "2026-03-02T14:00:01Z",
                 "2026-03-09T13:00:00Z"},
        PlanCase{"TakenTargetGoesToTheNextSlot",
                 "Europe/Berlin",
                 kEveryDay,
                 {"09:00", "14:00"},
                 {},
                 Published("2026-03-28T08:00:00Z", 1),
                 {"2026-03-29T07:00:00Z"},
                 {},
                 "2026-03-28T08:00:03Z",
                 "2026-03-29T12:00:00Z"},
        PlanCase{"DailyLimitCountsPublishedItems",
                 "UTC",
                 kEveryDay,
                 {"09:00", "14:00"},
                 1,
                 Published("2026-01-20T09:00:00Z", 1),
                 {},
                 {"2026-01-21T06:00:00Z"},
                 "2026-01-20T09:00:01Z",
                 "2026-01-22T09:00:00Z"},
        PlanCase{"NotAPublishDayWaitsForOne",
                 "UTC",
                 {"mon", "tue", "wed", "thu", "fri"},
                 {"09:00"},
                 {},
                 Published("2026-01-23T09:00:00Z", 1),
                 {},
                 {},
                 "2026-01-23T09:00:01Z",
                 "2026-01-26T09:00:00Z"},
        PlanCase{"ManualTimeTakesTheNextSlotAfterIt",
                 "UTC",
                 kEveryDay,
                 {"09:00", "14:00"},
                 {},
                 [] {
                     Content c = Published("2026-01-20T10:30:00Z", 2);
                     c.scheduled_publish_at = At("2026-01-20T10:30:00Z");
                     return c;
                 }(),
                 {},
                 {},
                 "2026-01-20T10:30:01Z",
                 "2026-01-22T14:00:00Z"},
        PlanCase{"PublishNowCountsFromItsPublication",
                 "UTC",
                 kEveryDay,
                 {"09:00", "14:00"},
                 {},
                 Manual(Published("2026-01-20T11:00:00Z", 1)),
                 {},
                 {},
                 "2026-01-20T11:00:01Z",
                 "2026-01-21T14:00:00Z"},
        PlanCase{"TargetAlreadyPastTakesTheNextSlotAfterNow",
                 "UTC",
                 kEveryDay,
                 {"09:00"},
                 {},
                 Published("2026-01-20T09:00:00Z", 1),
                 {},
                 {},
                 "2026-01-23T12:00:00Z",
                 "2026-01-24T09:00:00Z"},
        PlanCase{"CountReached",
                 "UTC",
                 kEveryDay,
                 {"09:00"},
                 {},
                 WithCount(Published("2026-01-20T09:00:00Z", 1, 3), 3),
                 {},
                 {},
                 "2026-01-20T09:00:01Z",
                 "count_reached"},
        PlanCase{"CountNotYetReached",
                 "UTC",
                 kEveryDay,
                 {"09:00"},
                 {},
                 WithCount(Published("2026-01-20T09:00:00Z", 1, 2), 3),
                 {},
                 {},
                 "2026-01-20T09:00:01Z",
                 "2026-01-21T09:00:00Z"},
        PlanCase{"UntilIsInclusive",
                 "UTC",
                 kEveryDay,
                 {"09:00"},
                 {},
                 WithUntil(Published("2026-01-20T09:00:00Z", 1), "2026-01-21"),
                 {},
                 {},
                 "2026-01-20T09:00:01Z",
                 "2026-01-21T09:00:00Z"},
        PlanCase{"UntilPassed",
                 "UTC",
                 kEveryDay,
                 {"09:00"},
                 {},
                 WithUntil(Published("2026-01-20T09:00:00Z", 1), "2026-01-20"),
                 {},
                 {},
                 "2026-01-20T09:00:01Z",
                 "until_passed"},
        // 23:30 New York on the 21st is the 22nd in UTC: until is read in the site's zone.
        PlanCase{"UntilIsALocalDate",
                 "America/New_York",
                 kEveryDay,
                 {"23:30"},
                 {},
                 WithUntil(Published("2026-01-21T04:30:00Z", 1), "2026-01-21"),
                 {},
                 {},
                 "2026-01-21T04:30:01Z",
                 "2026-01-22T04:30:00Z"},
        PlanCase{"UntilPassedBecauseTheTargetWasTaken",
                 "UTC",
                 kEveryDay,
                 {"09:00"},
                 {},
                 WithUntil(Published("2026-01-20T09:00:00Z", 1), "2026-01-21"),
                 {"2026-01-21T09:00:00Z"},
                 {},
                 "2026-01-20T09:00:01Z",
                 "until_passed"},
        PlanCase{"NoPublishDaysNoSlot",
                 "UTC",
                 {},
                 {"09:00"},
                 {},
                 Published("2026-01-20T09:00:00Z", 1),
                 {},
                 {},
                 "2026-01-20T09:00:01Z",
                 "no_free_slot"},
        PlanCase{"NotRecurring",
                 "UTC",
                 kEveryDay,
                 {"09:00"},
                 {},
                 NoRecurrence(Published("2026-01-20T09:00:00Z", 1)),
                 {},
                 {},
                 "2026-01-20T09:00:01Z",
                 "not_recurring"},
        PlanCase{"NotApprovedNotPlaced",
                 "UTC",
                 kEveryDay,
                 {"09:00"},
                 {},
                 Draft(Published("2026-01-20T09:00:00Z", 1)),
                 {},
                 {},
                 "2026-01-20T09:00:01Z",
                 "not_recurring"}),
    [](const testing::TestParamInfo<PlanCase>& info) { return info.param.name; });

TEST(Recur, IsANewPublicationThatKeepsTheRemotePost) {
    Content c = Published("2026-01-20T09:00:00Z", 1);
    c.external_id = "post-9";
    c.attempts = 2;
    c.publication_id = "abc";
    c.last_error = "old";
    const Content next = Recur(c, At("2026-01-21T09:00:00Z"), At("2026-01-20T09:00:01Z"));
    EXPECT_EQ(next.site_status, SiteStatus::kScheduled);
    EXPECT_EQ(FormatIso(*next.scheduled_publish_at), "2026-01-21T09:00:00Z");
    EXPECT_EQ(next.external_id, "post-9");
    EXPECT_EQ(next.published_at, c.published_at);
    EXPECT_EQ(next.attempts, 0);
    EXPECT_TRUE(next.publication_id.empty());
    EXPECT_TRUE(next.last_error.empty());
}

TEST(Settle, APublicationIsCounted) {
    Content claimed = Published("2026-01-20T09:00:00Z", 1, 4);
    claimed.site_status = SiteStatus::kPublishing;
    claimed.attempts = 1;
    AttemptReport report;
    report.result = AttemptResult::kPublished;
    report.finished = At("2026-01-20T09:00:01Z");
    EXPECT_EQ(Settle(claimed, At("2026-01-20T09:00:00Z"), report, {}, 0).content.publication_count,
              5);
    report.result = AttemptResult::kRejected;
    EXPECT_EQ(Settle(claimed, At("2026-01-20T09:00:00Z"), report, {}, 0).content.publication_count,
              4);
}

// ---------------------------------------------------------------------------------------------
// Validation.

struct ShapeCase {
    const char* name;
    Recurrence recurrence;
    const char* field;  // "" when valid
};

void PrintTo(const ShapeCase& c, std::ostream* os) { *os << c.name; }

class ShapeTest : public testing::TestWithParam<ShapeCase> {};

TEST_P(ShapeTest, NamesTheField) {
    const ShapeCase& c = GetParam();
    const Status s = ValidateRecurrence(c.recurrence);
    EXPECT_EQ(s.ok() ? "" : s.error().field, std::string(c.field));
    if (!s.ok()) {
        EXPECT_EQ(s.error().kind, ErrorKind::kInvalid);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ShapeTest,
    testing::Values(
        ShapeCase{"Daily", {1, std::nullopt, std::nullopt}, ""},
        ShapeCase{"TenYears", {3660, "2030-02-28", 100000}, ""},
        ShapeCase{"Zero", {0, std::nullopt, std::nullopt}, "recurrence.every_days"},
        ShapeCase{"Negative", {-7, std::nullopt, std::nullopt}, "recurrence.every_days"},
        ShapeCase{"TooRare", {3661, std::nullopt, std::nullopt}, "recurrence.every_days"},
        ShapeCase{"CountZero", {1, std::nullopt, 0}, "recurrence.count"},
        ShapeCase{"CountHuge", {1, std::nullopt, 100001}, "recurrence.count"},
        ShapeCase{"NoSuchDay", {1, "2026-02-30", std::nullopt}, "recurrence.until"},
        ShapeCase{"NotADate", {1, "next week", std::nullopt}, "recurrence.until"},
        ShapeCase{"ShortYear", {1, "26-01-01", std::nullopt}, "recurrence.until"},
        ShapeCase{"WithTime", {1, "2026-01-01T00:00", std::nullopt}, "recurrence.until"}),
    [](const testing::TestParamInfo<ShapeCase>& info) { return info.param.name; });

TEST(ValidateContent, ChecksTheRecurrence) {
    Content c;
    c.site_id = 1;
    c.title = "t";
    c.content_html = "<p>b</p>";  // a body is required too; only the recurrence is at issue
    c.recurrence = Recurrence{0, std::nullopt, std::nullopt};
    EXPECT_EQ(ValidateContent(c).error().field, "recurrence.every_days");
    c.recurrence->every_days = 2;
    EXPECT_TRUE(ValidateContent(c).ok());
}

TEST(CheckRecurrenceLeft, CountAlreadyReached) {
    const Recurrence r{1, std::nullopt, 2};
    EXPECT_TRUE(CheckRecurrenceLeft(r, 1, At("2026-01-20T09:00:00Z"), "UTC").ok());
    const Status s = CheckRecurrenceLeft(r, 2, At("2026-01-20T09:00:00Z"), "UTC");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, "recurrence_exhausted");
    EXPECT_EQ(s.error().field, "recurrence.count");
}

TEST(CheckRecurrenceLeft, UntilInThePastOfTheSitesZone) {
    const Recurrence r{1, "2026-03-28", std::nullopt};
    // 23:30Z on the 28th is already the 29th in Berlin, still the 28th in UTC.
    const TimePoint now = At("2026-03-28T23:30:00Z");
    EXPECT_TRUE(CheckRecurrenceLeft(r, 0, now, "UTC").ok());
    const Status s = CheckRecurrenceLeft(r, 0, now, "Europe/Berlin");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().field, "recurrence.until");
    EXPECT_EQ(s.error().kind, ErrorKind::kInvalid);
}

}  // namespace
}  // namespace herald::domain
