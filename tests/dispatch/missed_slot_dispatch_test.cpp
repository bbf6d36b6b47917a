// API.md §9's missed_slot_policy in the dispatcher, on both backends, with the run's clock
// given (RunDueOnce(now)): an item first reached more than 5 minutes after its time is
// published late, moved to the next free slot (the slot scheduler's path), or held.
#include <gtest/gtest.h>

#include "dispatch/dispatch_fixture.hpp"
#include "dispatch/slot_scheduler.hpp"
#include "domain/missed_slot.hpp"
#include "domain/slots.hpp"
#include "domain/validation.hpp"

namespace herald::dispatch::testing {
namespace {

using namespace std::chrono_literals;

class MissedSlotDispatchTest : public DispatchTest {
protected:
    // Every day at 00:00, 06:00, 12:00 and 18:00 UTC.
    PublishingSettings Planner(MissedSlotPolicy policy, int max_lateness = 60) {
        PublishingSettings s;
        s.site_id = site_.id;
        s.publish_days = {0, 1, 2, 3, 4, 5, 6};
        s.publish_time_slots = {0, 6 * 60, 12 * 60, 18 * 60};
        s.missed_slot_policy = policy;
        s.max_lateness_minutes = max_lateness;
        s.updated_at = now_;
        return s;
    }

    void Put(const PublishingSettings& s) {
        ASSERT_TRUE(ValidateSettings(s).ok());
        ASSERT_TRUE(store_->PutSettings(account_, s, std::nullopt).applied());
    }

    // The slot the calculator gives one item on this calendar: what "next free slot" means.
    TimePoint NextFreeSlot(const PublishingSettings& s, const SiteCalendar& calendar) {
        const ContentId one[] = {999};
        const auto assigned = AssignSlots(s, "UTC", calendar, one, now_);
        EXPECT_TRUE(assigned.ok() && assigned->size() == 1u);
        return assigned->front().at;
    }
};

HERALD_ON_EVERY_BACKEND(MissedSlotDispatchTest);

TEST_P(MissedSlotDispatchTest, PublishLateWithinMaxPublishesAndRecordsTheLateness) {
    Put(Planner(MissedSlotPolicy::kPublishLate, 60));
    const Content c = AddScheduled(site_, now_ - 45min);
    const RunSummary s = MakeDispatcher(clock_).RunDueOnce(now_);
    EXPECT_EQ(s.published, 1);
    const Content after = Get(c.id);
    EXPECT_EQ(after.site_status, SiteStatus::kPublished);
    EXPECT_EQ(after.scheduled_publish_at, c.scheduled_publish_at);
    const auto records = Records(c.id);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].due_at, c.scheduled_publish_at);
    EXPECT_GE(records[0].started_at - *records[0].due_at, 45min);
    EXPECT_EQ(receiver_.RequestCount(), 1u);
}

TEST_P(MissedSlotDispatchTest, WithinFiveMinutesIsOnTimeEvenForHold) {
    Put(Planner(MissedSlotPolicy::kHold));
    const Content c = AddScheduled(site_, now_ - 4min);
    EXPECT_EQ(MakeDispatcher(clock_).RunDueOnce(now_).published, 1);
    EXPECT_EQ(Get(c.id).site_status, SiteStatus::kPublished);
}

TEST_P(MissedSlotDispatchTest, PublishLateBeyondMaxMovesToTheNextFreeSlot) {
    const PublishingSettings settings = Planner(MissedSlotPolicy::kPublishLate, 60);
    Put(settings);
    const Content c = AddScheduled(site_, now_ - 61min);
    const RunSummary s = MakeDispatcher(clock_).RunDueOnce(now_);
    EXPECT_EQ(s.published + s.failed + s.retry, 0);
    const Content after = Get(c.id);
    EXPECT_EQ(after.site_status, SiteStatus::kScheduled);
    EXPECT_EQ(after.status, EditorialStatus::kApproved);
    ASSERT_TRUE(after.scheduled_publish_at);
    EXPECT_EQ(*after.scheduled_publish_at, NextFreeSlot(settings, {}));
    EXPECT_GT(*after.scheduled_publish_at, now_);
    EXPECT_NE(after.last_error.find("max_lateness_minutes (60)"), std::string::npos)
        << after.last_error;
    EXPECT_FALSE(after.held);
    EXPECT_TRUE(after.claim_token.empty());
    EXPECT_EQ(after.attempts, 0);
    EXPECT_TRUE(Records(c.id).empty());
    EXPECT_EQ(receiver_.RequestCount(), 0u);
    // Not due again until its new slot.
    EXPECT_EQ(MakeDispatcher(clock_).RunDueOnce(now_ + 1min).published, 0);
}

TEST_P(MissedSlotDispatchTest, NextFreeSlotHonoursTakenSlotsAndSpacing) {
    PublishingSettings settings = Planner(MissedSlotPolicy::kNextFreeSlot);
    settings.min_spacing_minutes = 6 * 60 + 1;  // every other slot at most
    Put(settings);
    const TimePoint first = NextFreeSlot(settings, {});
    const Content blocker = AddScheduled(site_, first);
    const Content late = AddScheduled(site_, now_ - 10min);
    EXPECT_EQ(MakeDispatcher(clock_).RunDueOnce(now_).published, 0);
    const Content after = Get(late.id);
    ASSERT_TRUE(after.scheduled_publish_at);
    // The slot after `first` is too close to it: the one after that.
    EXPECT_EQ(*after.scheduled_publish_at, first + 12h);
    SiteCalendar calendar;
    calendar.scheduled = {first};
    EXPECT_EQ(*after.scheduled_publish_at, NextFreeSlot(settings, calendar));
    EXPECT_EQ(Get(blocker.id).scheduled_publish_at, first);
    EXPECT_NE(after.last_error.find("next_free_slot"), std::string::npos) << after.last_error;
}

TEST_P(MissedSlotDispatchTest, NextFreeSlotWithNoSlotLeftWaitsUnscheduledAndSaysSo) {
    PublishingSettings settings = Planner(MissedSlotPolicy::kNextFreeSlot);
    settings.blackout_dates = {{0, 2932896, "closed for good"}};  // 1970 … 9999
    Put(settings);
    const Content c = AddScheduled(site_, now_ - 10min);
    EXPECT_EQ(MakeDispatcher(clock_).RunDueOnce(now_).published, 0);
    const Content after = Get(c.id);
    EXPECT_EQ(after.site_status, SiteStatus::kNotPublished);
    EXPECT_FALSE(after.scheduled_publish_at);
    EXPECT_NE(after.last_error.find("no free slot"), std::string::npos) << after.last_error;
    EXPECT_EQ(receiver_.RequestCount(), 0u);
}

TEST_P(MissedSlotDispatchTest, HoldGivesItBackApprovedAndUnscheduled) {
    Put(Planner(MissedSlotPolicy::kHold));
    const Content c = AddScheduled(site_, now_ - 6min);
    const Content on_time = AddScheduled(site_, now_ - 1min);
    const RunSummary s = MakeDispatcher(clock_).RunDueOnce(now_ + 1min);
    EXPECT_EQ(s.published, 1);
    const Content after = Get(c.id);
    EXPECT_EQ(after.status, EditorialStatus::kApproved);
    EXPECT_EQ(after.site_status, SiteStatus::kNotPublished);
    EXPECT_FALSE(after.scheduled_publish_at);
    EXPECT_FALSE(after.next_attempt_at);
    EXPECT_TRUE(after.claim_token.empty());
    EXPECT_TRUE(after.publication_id.empty());
    EXPECT_EQ(after.attempts, 0);
    EXPECT_EQ(after.site_status_updated_at, now_ + 1min);  // the run's clock
    EXPECT_NE(after.last_error.find("held for a person to decide"), std::string::npos)
        << after.last_error;
    EXPECT_TRUE(after.held);
    EXPECT_TRUE(Records(c.id).empty());
    EXPECT_EQ(Get(on_time.id).site_status, SiteStatus::kPublished);
    EXPECT_EQ(receiver_.RequestCount(), 1u);
    // Nothing more happens to it by itself.
    EXPECT_EQ(MakeDispatcher(clock_).RunDueOnce(now_ + 1h).published, 0);
    EXPECT_EQ(Get(c.id).site_status, SiteStatus::kNotPublished);
}

// On an auto-publishing site the slot scheduler places every approved, unscheduled item:
// a held one must stay out of its queue until a person decides (API.md §9).
TEST_P(MissedSlotDispatchTest, HeldItemStaysUnscheduledUntilAPersonApprovesItAgain) {
    PublishingSettings settings = Planner(MissedSlotPolicy::kHold);
    settings.auto_publish_enabled = true;
    Put(settings);
    const Content c = AddScheduled(site_, now_ - 10min);
    EXPECT_EQ(MakeDispatcher(clock_).RunDueOnce(now_).published, 0);
    ASSERT_TRUE(Get(c.id).held);

    SlotScheduler scheduler(*store_, clock_);
    EXPECT_EQ(scheduler.RunOnce(now_ + 1min, false).assigned, 0);
    EXPECT_EQ(ScheduleSites(*store_, {site_.id}, now_ + 1min, false, true).at(0).assignments.size(),
              0u);
    Content held = Get(c.id);
    EXPECT_TRUE(held.held);
    EXPECT_EQ(held.site_status, SiteStatus::kNotPublished);
    EXPECT_FALSE(held.scheduled_publish_at);

    // A person sets its status again, as PATCH {"status": "approved"} does.
    ASSERT_TRUE(EndsHold(PersonAction::kSetStatus));
    held.held = false;
    held.updated_at = now_ + 2min;
    ASSERT_TRUE(store_->UpdateContent(held, held.version, storage::kContentEditorial).applied());
    EXPECT_FALSE(Get(c.id).held);
    EXPECT_EQ(scheduler.RunOnce(now_ + 2min, false).assigned, 1);
    const Content placed = Get(c.id);
    EXPECT_EQ(placed.site_status, SiteStatus::kScheduled);
    ASSERT_TRUE(placed.scheduled_publish_at);
    EXPECT_GT(*placed.scheduled_publish_at, now_ + 2min);
}

// A person's "schedule it into a free slot" (the CLI without --at) takes a held item and
// ends its hold; the dispatcher's own move of a missed item never takes a held one.
TEST_P(MissedSlotDispatchTest, APersonSchedulingAHeldItemIntoASlotEndsItsHold) {
    PublishingSettings settings = Planner(MissedSlotPolicy::kHold);
    settings.auto_publish_enabled = true;
    Put(settings);
    const Content c = AddScheduled(site_, now_ - 10min);
    EXPECT_EQ(MakeDispatcher(clock_).RunDueOnce(now_).published, 0);
    ASSERT_TRUE(Get(c.id).held);
    bool in_queue = true;
    EXPECT_TRUE(ScheduleOne(*store_, site_.id, c.id, now_ + 1min, /*by_person=*/false, in_queue)
                    .assignments.empty());
    EXPECT_FALSE(in_queue);
    EXPECT_TRUE(Get(c.id).held);
    const auto outcome =
        ScheduleOne(*store_, site_.id, c.id, now_ + 1min, /*by_person=*/true, in_queue);
    EXPECT_TRUE(in_queue);
    ASSERT_EQ(outcome.assignments.size(), 1u);
    const Content placed = Get(c.id);
    EXPECT_FALSE(placed.held);
    EXPECT_EQ(placed.site_status, SiteStatus::kScheduled);
    EXPECT_EQ(placed.scheduled_publish_at, outcome.assignments.front().at);
}

// Pinned: the scheduler never moves it, so next_free_slot holds it instead.
TEST_P(MissedSlotDispatchTest, APinnedItemIsHeldRatherThanMoved) {
    PublishingSettings settings = Planner(MissedSlotPolicy::kNextFreeSlot);
    settings.auto_publish_enabled = true;
    Put(settings);
    Content c = AddScheduled(site_, now_ - 10min);
    c.pinned = true;
    ASSERT_TRUE(store_->UpdateContent(c, c.version, storage::kContentText).applied());
    EXPECT_EQ(MakeDispatcher(clock_).RunDueOnce(now_).published, 0);
    EXPECT_EQ(SlotScheduler(*store_, clock_).RunOnce(now_ + 1min, false).assigned, 0);
    const Content after = Get(c.id);
    EXPECT_TRUE(after.held);
    EXPECT_EQ(after.site_status, SiteStatus::kNotPublished);
    EXPECT_FALSE(after.scheduled_publish_at);
    EXPECT_NE(after.last_error.find("pinned"), std::string::npos) << after.last_error;
}

TEST_P(MissedSlotDispatchTest, RetriesAreNeverTreatedAsMissedSlots) {
    Put(Planner(MissedSlotPolicy::kHold));
    receiver_.EnqueueReply(Answer(503));
    const Content c = AddScheduled(site_, now_ - 1min);
    auto dispatcher = MakeDispatcher(clock_);
    EXPECT_EQ(dispatcher.RunDueOnce(now_).retry, 1);
    // Its retry comes hours after the slot: still published, not held.
    EXPECT_EQ(dispatcher.RunDueOnce(now_ + 2h).published, 1);
    EXPECT_EQ(Get(c.id).site_status, SiteStatus::kPublished);
    EXPECT_EQ(Records(c.id).size(), 2u);
}

TEST_P(MissedSlotDispatchTest, ItemsOfAPausedSiteAreJudgedWhenItResumes) {
    Put(Planner(MissedSlotPolicy::kHold));
    const Content c = AddScheduled(site_, now_ + 1min);
    // Paused by a refusal of the credentials on another item, the site holds everything.
    receiver_.SetDefaultReply(Answer(401));
    const Content refused = AddScheduled(site_, now_ - 1min);
    auto dispatcher = MakeDispatcher(clock_);
    dispatcher.RunDueOnce(now_);
    ASSERT_EQ(store_->GetSite(account_, site_.id)->health.health, SiteHealth::kPaused);
    EXPECT_EQ(dispatcher.RunDueOnce(now_ + 3h).published, 0);  // paused: not even claimed
    EXPECT_EQ(Get(c.id).site_status, SiteStatus::kScheduled);
    // Resumed three hours later: c was never reached, so its slot is missed and it is held;
    // the refused item had its attempt and is published late.
    receiver_.SetDefaultReply(ReceiverReply{});
    ASSERT_TRUE(store_->ResumeSite(account_, site_.id, now_ + 3h));
    EXPECT_EQ(dispatcher.RunDueOnce(now_ + 3h).published, 1);
    EXPECT_EQ(Get(c.id).site_status, SiteStatus::kNotPublished);
    EXPECT_EQ(Get(refused.id).site_status, SiteStatus::kPublished);
}

}  // namespace
}  // namespace herald::dispatch::testing
