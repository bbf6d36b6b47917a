// Queue operations (API.md §9): rebalance, shuffle and move-to-top over a site's scheduled
// items; pinned and due items stay; the answer lists exactly the items that move.
#include "domain/queue_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
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

PublishingSettings Daily(std::vector<std::string> slots = {"09:00"}) {
    PublishingSettings s;
    s.publish_days = {0, 1, 2, 3, 4, 5, 6};
    s.publish_time_slots.clear();
    for (const std::string& t : slots) s.publish_time_slots.push_back(*ParseTimeSlot(t));
    return s;
}

const TimePoint kNow = At("2026-01-20T12:00:00Z");

QueueEntry Movable(ContentId id, const char* at) { return {id, At(at), true}; }
QueueEntry Fixed(ContentId id, const char* at) { return {id, At(at), false}; }

// "id:old->new" per move, new "none" when it found no slot.
std::vector<std::string> Plan(const PublishingSettings& settings,
                              const std::vector<QueueEntry>& entries, QueueOperation op,
                              ContentId target = 0, uint64_t seed = 0,
                              const std::vector<TimePoint>& published = {}) {
    const auto moves =
        PlanQueue(settings, "UTC", entries, published, {op, target, seed, kNow});
    if (!moves.ok()) {
        ADD_FAILURE() << moves.error().message;
        return {};
    }
    std::vector<std::string> out;
    for (const QueueMove& m : *moves)
        out.push_back(std::to_string(m.id) + ":" + FormatIso(m.from).substr(5, 11) + "->" +
                      (m.to ? FormatIso(*m.to).substr(5, 11) : "none"));
    return out;
}

using Moves = std::vector<std::string>;

TEST(Rebalance, ClosesGapsInTimeOrder) {
    EXPECT_EQ(Plan(Daily(),
                   {Movable(3, "2026-01-25T09:00:00Z"), Movable(1, "2026-01-21T09:00:00Z"),
                    Movable(2, "2026-01-23T09:00:00Z")},
                   QueueOperation::kRebalance),
              (Moves{"2:01-23T09:00->01-22T09:00", "3:01-25T09:00->01-23T09:00"}));
}

TEST(Rebalance, PinnedAndDueItemsStayAndOccupyTheirSlots) {
    // 5 is pinned on the 22nd, 6 is due (in the past, waiting for the dispatcher).
    EXPECT_EQ(Plan(Daily(),
                   {Movable(1, "2026-01-24T09:00:00Z"), Fixed(5, "2026-01-22T09:00:00Z"),
                    Movable(2, "2026-01-26T09:00:00Z"), Fixed(6, "2026-01-20T09:00:00Z")},
                   QueueOperation::kRebalance),
              (Moves{"1:01-24T09:00->01-21T09:00", "2:01-26T09:00->01-23T09:00"}));
}

TEST(Rebalance, AppliesTheCurrentLimits) {
    PublishingSettings settings = Daily({"09:00", "14:00"});
    settings.daily_publish_limit = 1;
    // One already published on the 21st fills that day; the 22nd takes one of the two.
    EXPECT_EQ(Plan(settings,
                   {Movable(1, "2026-01-21T14:00:00Z"), Movable(2, "2026-01-22T09:00:00Z"),
                    Movable(3, "2026-01-22T14:00:00Z")},
                   QueueOperation::kRebalance, 0, 0, {At("2026-01-21T08:00:00Z")}),
              (Moves{"1:01-21T14:00->01-20T14:00", "3:01-22T14:00->01-23T09:00"}));
}

TEST(Rebalance, AnOrderlyQueueDoesNotMove) {
    EXPECT_TRUE(Plan(Daily(), {Movable(1, "2026-01-21T09:00:00Z"), Movable(2, "2026-01-22T09:00:00Z")},
                     QueueOperation::kRebalance)
                    .empty());
}

TEST(Rebalance, ItemsWithoutASlotAreListedLastWithNone) {
    PublishingSettings settings = Daily();
    settings.publish_days.clear();
    EXPECT_EQ(Plan(settings, {Movable(1, "2026-01-21T09:00:00Z"), Movable(2, "2026-01-22T09:00:00Z")},
                   QueueOperation::kRebalance),
              (Moves{"1:01-21T09:00->none", "2:01-22T09:00->none"}));
}

TEST(MoveToTop, TakesTheFirstSlotAndTheItemsBeforeItMoveDown) {
    EXPECT_EQ(Plan(Daily(),
                   {Movable(1, "2026-01-21T09:00:00Z"), Movable(2, "2026-01-22T09:00:00Z"),
                    Movable(3, "2026-01-23T09:00:00Z"), Movable(4, "2026-01-25T09:00:00Z")},
                   QueueOperation::kMoveToTop, 3),
              (Moves{"3:01-23T09:00->01-21T09:00", "1:01-21T09:00->01-22T09:00",
                     "2:01-22T09:00->01-23T09:00"}));  // 4 keeps its gap and time
}

TEST(MoveToTop, SkipsPinnedSlotsAndCanMoveTheFirstItemUp) {
    EXPECT_EQ(Plan(Daily(), {Fixed(9, "2026-01-21T09:00:00Z"), Movable(1, "2026-01-24T09:00:00Z")},
                   QueueOperation::kMoveToTop, 1),
              (Moves{"1:01-24T09:00->01-22T09:00"}));
}

TEST(MoveToTop, OnlyAMovableItem) {
    for (const ContentId target : {ContentId{9}, ContentId{404}}) {
        const std::vector<QueueEntry> entries = {Fixed(9, "2026-01-21T09:00:00Z"),
                                                 Movable(1, "2026-01-24T09:00:00Z")};
        const auto moves = PlanQueue(Daily(), "UTC", entries, {},
                                     {QueueOperation::kMoveToTop, target, 0, kNow});
        ASSERT_FALSE(moves.ok());
        EXPECT_EQ(moves.error().kind, ErrorKind::kConflict);
        EXPECT_EQ(moves.error().code, "not_movable");
    }
}

TEST(Shuffle, UsesTheSameSlotsAsARebalanceInTheSeedsOrder) {
    std::vector<QueueEntry> entries;
    const char* times[] = {"2026-01-21T09:00:00Z", "2026-01-22T09:00:00Z", "2026-01-23T09:00:00Z",
                           "2026-01-24T09:00:00Z", "2026-01-25T09:00:00Z", "2026-01-26T09:00:00Z"};
    for (ContentId id = 1; id <= 6; ++id) entries.push_back(Movable(id, times[id - 1]));
    const auto a = Plan(Daily(), entries, QueueOperation::kShuffle, 0, 42);
    EXPECT_EQ(a, Plan(Daily(), entries, QueueOperation::kShuffle, 0, 42));
    EXPECT_NE(a, Plan(Daily(), entries, QueueOperation::kShuffle, 0, 43));
    // Every move lands on one of the six slots, each slot at most once.
    std::set<std::string> targets;
    for (const std::string& m : a) {
        const std::string to = m.substr(m.find("->") + 2);
        EXPECT_TRUE(targets.insert(to).second) << to;
        EXPECT_NE(to, "none");
    }
}

TEST(ShuffledOrder, IsAFixedPermutation) {
    const auto order = ShuffledOrder(8, 7);
    std::vector<size_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7}));
    EXPECT_EQ(order, ShuffledOrder(8, 7));
    EXPECT_TRUE(ShuffledOrder(0, 7).empty());
}

TEST(IsMovable, OnlyUnpinnedFutureScheduledItemsWithoutARetry) {
    Content c;
    c.site_status = SiteStatus::kScheduled;
    c.scheduled_publish_at = kNow + std::chrono::hours{1};
    EXPECT_TRUE(IsMovable(c, kNow));
    Content pinned = c;
    pinned.pinned = true;
    EXPECT_FALSE(IsMovable(pinned, kNow));
    Content due = c;
    due.scheduled_publish_at = kNow;
    EXPECT_FALSE(IsMovable(due, kNow));
    Content retrying = c;
    retrying.next_attempt_at = kNow + std::chrono::minutes{5};
    retrying.attempts = 1;
    EXPECT_FALSE(IsMovable(retrying, kNow));
    Content publishing = c;
    publishing.site_status = SiteStatus::kPublishing;
    EXPECT_FALSE(IsMovable(publishing, kNow));
}

}  // namespace
}  // namespace herald::domain
