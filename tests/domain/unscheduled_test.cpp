// Why approved content stays unscheduled, against literal tables: the site-wide reasons in
// their order, and per item what the slot calculator itself left over (real AssignSlots
// answers, not hand-made ones, for the limits case).
#include "domain/unscheduled.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "common/time.hpp"

namespace herald::domain {
namespace {

PublishingSettings Settings(bool autopub, std::vector<WeekdayIndex> days, std::vector<int> slots) {
    PublishingSettings s;
    s.auto_publish_enabled = autopub;
    s.publish_days = std::move(days);
    s.publish_time_slots = std::move(slots);
    return s;
}

struct SiteWideCase {
    const char* name;
    bool active;
    bool auto_required;
    bool autopub;
    bool days;
    bool slots;
    std::optional<UnscheduledReason> expected;
};

constexpr SiteWideCase kSiteWide[] = {
    {"all fine", true, false, false, true, true, std::nullopt},
    {"all fine, auto run", true, true, true, true, true, std::nullopt},
    {"inactive first", false, true, false, false, false, UnscheduledReason::kSiteInactive},
    {"inactive alone", false, false, true, true, true, UnscheduledReason::kSiteInactive},
    {"auto off in an auto run", true, true, false, false, false,
     UnscheduledReason::kAutoPublishOff},
    {"auto off in an explicit run", true, false, false, true, true, std::nullopt},
    {"no days before no slots", true, false, true, false, false, UnscheduledReason::kNoPublishDays},
    {"no slots", true, true, true, true, false, UnscheduledReason::kNoTimeSlots},
};

TEST(Unscheduled, SiteWideReasonsInOrder) {
    for (const auto& c : kSiteWide) {
        const auto settings = Settings(
            c.autopub, c.days ? std::vector<WeekdayIndex>{0, 3} : std::vector<WeekdayIndex>{},
            c.slots ? std::vector<int>{540} : std::vector<int>{});
        EXPECT_EQ(SiteWideReason({c.active, c.auto_required}, settings), c.expected) << c.name;
    }
}

TEST(Unscheduled, CodesAndSentences) {
    const std::pair<UnscheduledReason, const char*> codes[] = {
        {UnscheduledReason::kSiteInactive, "site_inactive"},
        {UnscheduledReason::kAutoPublishOff, "auto_publish_off"},
        {UnscheduledReason::kNoPublishDays, "no_publish_days"},
        {UnscheduledReason::kNoTimeSlots, "no_time_slots"},
        {UnscheduledReason::kHeld, "held"},
        {UnscheduledReason::kLimitsFull, "limits_full"},
    };
    for (const auto& [reason, code] : codes) {
        EXPECT_EQ(ToString(reason), code);
        EXPECT_FALSE(Explain(reason).empty()) << code;
    }
}

TEST(Unscheduled, WhatTheCalculatorLeftIsFullWhenTheSiteCouldPublish) {
    // One slot a day, at most one a week: of three items only the first fits the first
    // week... and the horizon is under two weeks, so the third is left over.
    PublishingSettings s = Settings(true, {0, 1, 2, 3, 4, 5, 6}, {9 * 60});
    s.weekly_publish_limit = 1;
    const TimePoint now = *ParseIso("2026-03-02T00:00:00Z");  // a Monday
    const ContentId queue[] = {7, 8, 9};
    const auto assigned = AssignSlots(s, "UTC", {}, queue, now, /*horizon_days=*/13);
    ASSERT_TRUE(assigned.ok());
    ASSERT_EQ(assigned->size(), 2u);
    const auto left = ExplainUnscheduled({true, false}, s, queue, *assigned, {});
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].content_id, 9);
    EXPECT_EQ(left[0].reason, UnscheduledReason::kLimitsFull);
}

TEST(Unscheduled, EveryItemCarriesTheSiteWideReason) {
    const PublishingSettings s = Settings(true, {}, {9 * 60});
    const ContentId queue[] = {3, 1, 2};
    const auto assigned = AssignSlots(s, "UTC", {}, queue, *ParseIso("2026-03-02T00:00:00Z"));
    ASSERT_TRUE(assigned.ok());
    const auto left = ExplainUnscheduled({true, false}, s, queue, *assigned, {});
    ASSERT_EQ(left.size(), 3u);
    for (size_t i = 0; i < left.size(); ++i) {
        EXPECT_EQ(left[i].content_id, queue[i]) << "queue order";
        EXPECT_EQ(left[i].reason, UnscheduledReason::kNoPublishDays);
    }
    EXPECT_TRUE(ExplainUnscheduled({true, false}, s, {}, {}, {}).empty());
}

TEST(Unscheduled, HeldItemsFollowTheQueueAsHeldWhateverTheSettings) {
    // Held items never reach the calculator; each is `held` after the queue's leftovers,
    // in the order given, even when the site as a whole could place nothing either.
    struct Case {
        const char* name;
        bool active;
        bool days;
        std::vector<ContentId> queue;
        std::vector<ContentId> held;
        std::vector<std::pair<ContentId, UnscheduledReason>> expected;
    };
    const Case cases[] = {
        {"held alone",
         true,
         true,
         {},
         {5, 4},
         {{5, UnscheduledReason::kHeld}, {4, UnscheduledReason::kHeld}}},
        {"queue placed, held listed", true, true, {1}, {6}, {{6, UnscheduledReason::kHeld}}},
        {"no days: the queue says so, the held item is held",
         true,
         false,
         {1, 2},
         {3},
         {{1, UnscheduledReason::kNoPublishDays},
          {2, UnscheduledReason::kNoPublishDays},
          {3, UnscheduledReason::kHeld}}},
        {"inactive site", false, true, {}, {8}, {{8, UnscheduledReason::kHeld}}},
        {"nothing held", true, true, {1}, {}, {}},
    };
    const TimePoint now = *ParseIso("2026-03-02T00:00:00Z");
    for (const auto& c : cases) {
        const auto s = Settings(
            true, c.days ? std::vector<WeekdayIndex>{0} : std::vector<WeekdayIndex>{}, {9 * 60});
        const auto assigned = AssignSlots(s, "UTC", {}, c.queue, now);
        ASSERT_TRUE(assigned.ok()) << c.name;
        std::vector<std::pair<ContentId, UnscheduledReason>> got;
        for (const auto& item :
             ExplainUnscheduled({c.active, false}, s, c.queue, *assigned, c.held))
            got.emplace_back(item.content_id, item.reason);
        EXPECT_EQ(got, c.expected) << c.name;
    }
}

TEST(Unscheduled, SettingsWarnOnlyWhenAutoPublishingCouldPlaceNothing) {
    struct Case {
        bool autopub;
        bool days;
        bool slots;
        std::vector<UnscheduledReason> expected;
    };
    const Case cases[] = {
        {false, false, false, {}},
        {true, true, true, {}},
        {true, false, true, {UnscheduledReason::kNoPublishDays}},
        {true, true, false, {UnscheduledReason::kNoTimeSlots}},
        {true, false, false, {UnscheduledReason::kNoPublishDays, UnscheduledReason::kNoTimeSlots}},
    };
    for (const auto& c : cases) {
        const auto s =
            Settings(c.autopub, c.days ? std::vector<WeekdayIndex>{1} : std::vector<WeekdayIndex>{},
                     c.slots ? std::vector<int>{600} : std::vector<int>{});
        EXPECT_EQ(SettingsWarnings(s), c.expected) << c.autopub << c.days << c.slots;
    }
}

}  // namespace
}  // namespace herald::domain
