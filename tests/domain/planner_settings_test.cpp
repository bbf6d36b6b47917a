// API.md §9's planner settings: what validation refuses (naming the field), and the
// dispatcher's missed-slot decision, as tables.
#include "domain/planner_settings.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/missed_slot.hpp"
#include "domain/validation.hpp"

namespace herald::domain {
namespace {

TimePoint At(const char* iso) { return ParseIso(iso).value(); }
int64_t Day(const char* date) { return ParseLocalDate(date, "test").value(); }

TEST(ParseLocalDate, AcceptsCalendarDates) {
    EXPECT_EQ(Day("1970-01-01"), 0);
    EXPECT_EQ(Day("2026-01-31") + 1, Day("2026-02-01"));
    EXPECT_EQ(Day("2028-02-29") + 1, Day("2028-03-01"));
    EXPECT_EQ(FormatLocalDate(Day("2026-12-31")), "2026-12-31");
}

TEST(ParseLocalDate, RefusesOthersNamingTheField) {
    for (const char* bad : {"2026-02-30", "2027-02-29", "2026-13-01", "2026-1-5", "26-01-05",
                            "2026/01/05", "2026-01-05T00:00", "", "1969-12-31", "abcd-ef-gh"}) {
        const auto r = ParseLocalDate(bad, "blackout_dates[1].from");
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().code, "invalid_date") << bad;
        EXPECT_EQ(r.error().field, "blackout_dates[1].from") << bad;
    }
}

struct SettingsCase {
    const char* name;
    void (*change)(PublishingSettings&);
    const char* code;  // "" = valid
    const char* field;
};

void PrintTo(const SettingsCase& c, std::ostream* os) { *os << c.name; }

class PlannerValidationTest : public testing::TestWithParam<SettingsCase> {};

TEST_P(PlannerValidationTest, RefusesWithFieldOrAccepts) {
    PublishingSettings s;
    GetParam().change(s);
    const Status status = ValidateSettings(s);
    if (std::string(GetParam().code).empty()) {
        EXPECT_TRUE(status.ok()) << status.error().message;
        return;
    }
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, GetParam().code);
    EXPECT_EQ(status.error().field, GetParam().field);
}

BlackoutRange Range(const char* from, const char* to, std::string reason = "") {
    return {Day(from), Day(to), std::move(reason)};
}

INSTANTIATE_TEST_SUITE_P(
    Planner, PlannerValidationTest,
    testing::Values(
        SettingsCase{"Defaults", [](PublishingSettings&) {}, "", ""},
        SettingsCase{"ZeroLatenessAndSpacing",
                     [](PublishingSettings& s) {
                         s.max_lateness_minutes = 0;
                         s.min_spacing_minutes = 0;
                     },
                     "", ""},
        SettingsCase{"NegativeLateness", [](PublishingSettings& s) { s.max_lateness_minutes = -1; },
                     "invalid_minutes", "max_lateness_minutes"},
        SettingsCase{
            "HugeLateness",
            [](PublishingSettings& s) { s.max_lateness_minutes = kMaxLatenessMinutes + 1; },
            "invalid_minutes", "max_lateness_minutes"},
        SettingsCase{"NegativeSpacing", [](PublishingSettings& s) { s.min_spacing_minutes = -5; },
                     "invalid_minutes", "min_spacing_minutes"},
        SettingsCase{"SpacingOverAWeek",
                     [](PublishingSettings& s) { s.min_spacing_minutes = kMaxSpacingMinutes + 1; },
                     "invalid_minutes", "min_spacing_minutes"},
        SettingsCase{"SpacingOfAWeek",
                     [](PublishingSettings& s) { s.min_spacing_minutes = kMaxSpacingMinutes; }, "",
                     ""},
        SettingsCase{"OneDayRange",
                     [](PublishingSettings& s) {
                         s.blackout_dates = {Range("2026-12-25", "2026-12-25", "Christmas")};
                     },
                     "", ""},
        SettingsCase{"FromAfterTo",
                     [](PublishingSettings& s) {
                         s.blackout_dates = {Range("2026-01-01", "2026-01-02"),
                                             Range("2026-02-10", "2026-02-09")};
                     },
                     "invalid_range", "blackout_dates[1].to"},
        SettingsCase{"Overlapping",
                     [](PublishingSettings& s) {
                         s.blackout_dates = {Range("2026-03-01", "2026-03-10"),
                                             Range("2026-01-01", "2026-01-02"),
                                             Range("2026-03-10", "2026-03-12")};
                     },
                     "overlapping_blackouts", "blackout_dates[2].from"},
        SettingsCase{"OverlappingReversedOrder",
                     [](PublishingSettings& s) {
                         s.blackout_dates = {Range("2026-03-05", "2026-03-06"),
                                             Range("2026-03-01", "2026-03-31")};
                     },
                     "overlapping_blackouts", "blackout_dates[1].from"},
        SettingsCase{"AdjacentIsFine",
                     [](PublishingSettings& s) {
                         s.blackout_dates = {Range("2026-03-01", "2026-03-10"),
                                             Range("2026-03-11", "2026-03-12")};
                     },
                     "", ""},
        SettingsCase{"ReasonTooLong",
                     [](PublishingSettings& s) {
                         s.blackout_dates = {Range("2026-03-01", "2026-03-01",
                                                   std::string(kMaxBlackoutReasonChars + 1, 'x'))};
                     },
                     "too_long", "blackout_dates[0].reason"},
        SettingsCase{"ReasonAtCapInUtf8",
                     [](PublishingSettings& s) {
                         std::string reason;
                         for (size_t i = 0; i < kMaxBlackoutReasonChars; ++i) reason += "é";
                         s.blackout_dates = {Range("2026-03-01", "2026-03-01", reason)};
                     },
                     "", ""},
        SettingsCase{"TooManyRanges",
                     [](PublishingSettings& s) {
                         for (size_t i = 0; i <= kMaxBlackoutRanges; ++i) {
                             const int64_t d = Day("2026-01-01") + static_cast<int64_t>(2 * i);
                             s.blackout_dates.push_back({d, d, ""});
                         }
                     },
                     "too_many_blackouts", "blackout_dates"}),
    [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------------------------
// DecideMissedSlot

struct MissedCase {
    const char* name;
    MissedSlotPolicy policy;
    int max_lateness;
    const char* reached;  // scheduled at 2026-01-05T09:00:00Z
    bool first_reach;
    MissedSlotAction action;
    const char* reason_has;  // "" = no reason
    bool pinned = false;
};

void PrintTo(const MissedCase& c, std::ostream* os) { *os << c.name; }

class MissedSlotTest : public testing::TestWithParam<MissedCase> {};

TEST_P(MissedSlotTest, Decides) {
    const MissedCase& c = GetParam();
    PublishingSettings s;
    s.missed_slot_policy = c.policy;
    s.max_lateness_minutes = c.max_lateness;
    const auto d =
        DecideMissedSlot(s, At("2026-01-05T09:00:00Z"), At(c.reached), c.first_reach, c.pinned);
    EXPECT_EQ(d.action, c.action);
    if (std::string(c.reason_has).empty())
        EXPECT_EQ(d.reason, "");
    else
        EXPECT_NE(d.reason.find(c.reason_has), std::string::npos) << d.reason;
}

using P = MissedSlotPolicy;
using A = MissedSlotAction;
INSTANTIATE_TEST_SUITE_P(
    Planner, MissedSlotTest,
    testing::Values(
        MissedCase{"OnTime", P::kHold, 60, "2026-01-05T09:00:00Z", true, A::kPublish, ""},
        MissedCase{"Early", P::kHold, 60, "2026-01-05T08:00:00Z", true, A::kPublish, ""},
        MissedCase{"FiveMinutesIsOnTime", P::kHold, 0, "2026-01-05T09:05:00Z", true, A::kPublish,
                   ""},
        MissedCase{"JustOverFiveMinutesHolds", P::kHold, 60, "2026-01-05T09:05:00.001Z", true,
                   A::kHold, "held for a person"},
        MissedCase{"RetryIsNeverMissed", P::kHold, 0, "2026-01-06T09:00:00Z", false, A::kPublish,
                   ""},
        MissedCase{"NextFreeSlot", P::kNextFreeSlot, 600, "2026-01-05T09:06:00Z", true,
                   A::kNextFreeSlot, "next free slot"},
        MissedCase{"PublishLateWithinMax", P::kPublishLate, 60, "2026-01-05T09:47:00Z", true,
                   A::kPublish, "by 47 minutes; published late"},
        MissedCase{"PublishLateAtMax", P::kPublishLate, 60, "2026-01-05T10:00:00Z", true,
                   A::kPublish, "published late"},
        MissedCase{"PublishLateBeyondMaxMoves", P::kPublishLate, 60, "2026-01-05T10:00:00.001Z",
                   true, A::kNextFreeSlot, "more than max_lateness_minutes (60)"},
        MissedCase{"PublishLateZeroMaxMovesAfterGrace", P::kPublishLate, 0, "2026-01-05T09:10:00Z",
                   true, A::kNextFreeSlot, "next free slot"},
        MissedCase{"PublishLateZeroMaxWithinGracePublishes", P::kPublishLate, 0,
                   "2026-01-05T09:04:00Z", true, A::kPublish, ""},
        MissedCase{"LongOutageSaysHours", P::kHold, 60, "2026-01-05T12:05:00Z", true, A::kHold,
                   "by 3 h 5 min"},
        // Pinned: the scheduler never moves it, so a move becomes a hold; the rest stays.
        MissedCase{"PinnedNextFreeSlotHolds", P::kNextFreeSlot, 600, "2026-01-05T09:06:00Z", true,
                   A::kHold, "since it is pinned (missed_slot_policy next_free_slot)", true},
        MissedCase{"PinnedPublishLateBeyondMaxHolds", P::kPublishLate, 60,
                   "2026-01-05T10:00:00.001Z", true, A::kHold,
                   "since it is pinned (missed_slot_policy publish_late)", true},
        MissedCase{"PinnedPublishLateWithinMaxPublishes", P::kPublishLate, 60,
                   "2026-01-05T09:47:00Z", true, A::kPublish, "published late", true},
        MissedCase{"PinnedHoldHolds", P::kHold, 60, "2026-01-05T09:06:00Z", true, A::kHold,
                   "held for a person", true},
        MissedCase{"PinnedOnTimePublishes", P::kNextFreeSlot, 60, "2026-01-05T09:05:00Z", true,
                   A::kPublish, "", true}),
    [](const auto& info) { return std::string(info.param.name); });

// The one list of what ends a hold: a person's decision about when or whether it goes out.
TEST(EndsHoldTest, APersonsDecisionEndsItAnEditDoesNot) {
    EXPECT_TRUE(EndsHold(PersonAction::kSchedule));
    EXPECT_TRUE(EndsHold(PersonAction::kUnschedule));
    EXPECT_TRUE(EndsHold(PersonAction::kPublishNow));
    EXPECT_TRUE(EndsHold(PersonAction::kSetStatus));
    EXPECT_FALSE(EndsHold(PersonAction::kEditFields));
}

TEST(GiveBackMissedTest, HoldSetsHeldNextFreeSlotDoesNot) {
    Content claimed;
    claimed.status = EditorialStatus::kApproved;
    claimed.site_status = SiteStatus::kPublishing;
    claimed.scheduled_publish_at = At("2026-01-05T09:00:00Z");
    MissedSlotDecision d;
    d.action = MissedSlotAction::kHold;
    d.reason = "held";
    const Content held = GiveBackMissed(claimed, d, At("2026-01-05T10:00:00Z"));
    EXPECT_TRUE(held.held);
    EXPECT_EQ(held.site_status, SiteStatus::kNotPublished);
    EXPECT_FALSE(held.scheduled_publish_at);
    d.action = MissedSlotAction::kNextFreeSlot;
    EXPECT_FALSE(GiveBackMissed(claimed, d, At("2026-01-05T10:00:00Z")).held);
}

}  // namespace
}  // namespace herald::domain
