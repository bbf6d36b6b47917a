// Pins, evergreen recurrence and queue operations in the store, on every backend: the new
// columns round-trip, a settled publication of an evergreen item places it again under the
// site's rules, and ReplanQueue writes a plan whole or not at all.

#include <gtest/gtest.h>

#include "domain/queue_plan.hpp"
#include "domain/settlement.hpp"
#include "storage/store_fixture.hpp"

namespace herald::storage::test {
namespace {

using QueueStoreTest = StoreTest;
HERALD_ON_EVERY_BACKEND(QueueStoreTest);

constexpr int k0900 = 9 * 60;

/// Claims the item due at `now` and settles it as published, the way the dispatcher does.
Content PublishDue(Store& store, TimePoint now, const std::string& external_id = "post-1") {
    auto claimed = ClaimBatch(store, now, 10, "tok");
    EXPECT_EQ(claimed.size(), 1u);
    if (claimed.empty()) return {};
    domain::AttemptReport report;
    report.result = domain::AttemptResult::kPublished;
    report.external_id = external_id;
    report.started = now;
    report.finished = now + Seconds{1};
    const domain::Settlement s =
        domain::Settle(claimed[0].content, claimed[0].due_at, report, {}, 0);
    const std::vector<FinishedAttempt> attempts = {{s.content, s.record}};
    EXPECT_TRUE(store.FinishAttempts(attempts, "tok", domain::HealthPolicy{}).record_ids.at(0));
    return s.content;
}

TEST_P(QueueStoreTest, PinnedAndRecurrenceRoundTrip) {
    const Site site = NewSite(NewAccount());
    const Content created = NewContent(site, [](Content& c) {
        c.pinned = true;
        c.recurrence = Recurrence{3, "2026-12-31", 5};
    });
    Content read = *store().GetContent(site.account_id, created.id);
    EXPECT_TRUE(read.pinned);
    EXPECT_EQ(read.recurrence, (Recurrence{3, "2026-12-31", 5}));
    EXPECT_EQ(read.publication_count, 0);

    read.pinned = false;
    read.recurrence = Recurrence{7, std::nullopt, std::nullopt};
    ASSERT_TRUE(store().UpdateContent(read, read.version, kContentText).applied());
    read = *store().GetContent(site.account_id, created.id);
    EXPECT_FALSE(read.pinned);
    EXPECT_EQ(read.recurrence, (Recurrence{7, std::nullopt, std::nullopt}));

    read.recurrence.reset();
    read.publication_count = 4;  // a schedule column: not written with the text
    ASSERT_TRUE(store().UpdateContent(read, read.version, kContentText).applied());
    read = *store().GetContent(site.account_id, created.id);
    EXPECT_FALSE(read.recurrence);
    EXPECT_EQ(read.publication_count, 0);
}

TEST_P(QueueStoreTest, APublishedEvergreenItemIsPlacedAgain) {
    PublishingSettings settings = herald::testing::AutoPublishEveryDay({k0900});
    settings.daily_publish_limit = 1;
    const Site site = NewSite(NewAccount(), "blog", true, settings);
    // Every two days; the 22nd is taken, so the next free slot is the 23rd.
    const Content item = NewContent(site, [](Content& c) {
        c = herald::testing::Scheduled(c, kNow, At("2026-01-20T09:00:00Z"));
        c.recurrence = Recurrence{2, std::nullopt, 2};
    });
    const Content blocker = NewScheduled(site, At("2026-01-22T09:00:00Z"));

    PublishDue(store(), At("2026-01-20T09:00:00Z"));
    Content again = *store().GetContent(site.account_id, item.id);
    EXPECT_EQ(again.site_status, SiteStatus::kScheduled);
    EXPECT_EQ(FormatIso(*again.scheduled_publish_at), "2026-01-23T09:00:00Z");
    EXPECT_EQ(FormatIso(*again.published_at), "2026-01-20T09:00:01Z");
    EXPECT_EQ(again.external_id, "post-1");  // the next publication updates that post
    EXPECT_EQ(again.publication_count, 1);
    EXPECT_TRUE(again.publication_id.empty());
    // Its last publication still counts for the daily limit.
    const SiteCalendar calendar = store().LoadCalendar(site.id, At("2026-01-01T00:00:00Z"));
    EXPECT_EQ(calendar.published, std::vector<TimePoint>{At("2026-01-20T09:00:01Z")});

    // The second publication is the last (count 2): it stays published.
    ASSERT_EQ(store().DeleteContent(site.account_id, blocker.id, blocker.version),
              WriteOutcome::kApplied);
    PublishDue(store(), At("2026-01-23T09:00:00Z"), "post-1");
    const Content last = *store().GetContent(site.account_id, item.id);
    EXPECT_EQ(last.site_status, SiteStatus::kPublished);
    EXPECT_EQ(last.publication_count, 2);
}

TEST_P(QueueStoreTest, AnItemWithoutRecurrenceStaysPublished) {
    const Site site =
        NewSite(NewAccount(), "blog", true, herald::testing::AutoPublishEveryDay({k0900}));
    const Content item = NewScheduled(site, At("2026-01-20T09:00:00Z"));
    PublishDue(store(), At("2026-01-20T09:00:00Z"));
    const Content read = *store().GetContent(site.account_id, item.id);
    EXPECT_EQ(read.site_status, SiteStatus::kPublished);
    EXPECT_EQ(read.publication_count, 1);
}

/// A rebalance planned by the domain, as the API plans it.
QueuePlanner Rebalance(TimePoint now) {
    return [now](const QueueInput& in) -> Result<std::vector<domain::QueueMove>> {
        std::vector<domain::QueueEntry> entries;
        for (const Content& c : in.items)
            entries.push_back({c.id, *c.scheduled_publish_at, domain::IsMovable(c, now)});
        return domain::PlanQueue(in.settings, in.site.timezone, entries, in.published,
                                 {domain::QueueOperation::kRebalance, 0, 0, now});
    };
}

TEST_P(QueueStoreTest, ReplanQueueWritesTheMovesAndADryRunNothing) {
    const Site site =
        NewSite(NewAccount(), "blog", true, herald::testing::AutoPublishEveryDay({k0900}));
    const Content a = NewScheduled(site, At("2026-01-22T09:00:00Z"));
    const Content pinned = NewContent(site, [](Content& c) {
        c = herald::testing::Scheduled(c, kNow, At("2026-01-21T09:00:00Z"));
        c.pinned = true;
    });
    const Content b = NewScheduled(site, At("2026-01-25T09:00:00Z"));

    QueueRequest request{site.account_id, site.id, kNow, kNow - kCalendarLookBack, true};
    const QueueOutcome dry = store().ReplanQueue(request, Rebalance(kNow));
    ASSERT_EQ(dry.kind, QueueOutcome::Kind::kDone);
    ASSERT_EQ(dry.moves.size(), 1u);  // a is already first after the pin; b closes the gap
    EXPECT_EQ(dry.moves[0].id, b.id);
    EXPECT_EQ(FormatIso(*dry.moves[0].to), "2026-01-23T09:00:00Z");
    EXPECT_EQ(store().GetContent(site.account_id, b.id)->version, b.version);

    request.dry_run = false;
    const QueueOutcome real = store().ReplanQueue(request, Rebalance(kNow));
    ASSERT_EQ(real.kind, QueueOutcome::Kind::kDone);
    ASSERT_EQ(real.moves.size(), 1u);
    const Content moved = *store().GetContent(site.account_id, b.id);
    EXPECT_EQ(FormatIso(*moved.scheduled_publish_at), "2026-01-23T09:00:00Z");
    EXPECT_EQ(moved.site_status, SiteStatus::kScheduled);
    EXPECT_EQ(moved.version, b.version + 1);
    EXPECT_EQ(store().GetContent(site.account_id, a.id)->version, a.version);
    EXPECT_EQ(store().GetContent(site.account_id, pinned.id)->scheduled_publish_at,
              pinned.scheduled_publish_at);
}

TEST_P(QueueStoreTest, ReplanQueueSwapsInstantsAndUnschedulesWhatFindsNoSlot) {
    const Site site =
        NewSite(NewAccount(), "blog", true, herald::testing::AutoPublishEveryDay({k0900}));
    const Content a = NewScheduled(site, At("2026-01-21T09:00:00Z"));
    const Content b = NewScheduled(site, At("2026-01-22T09:00:00Z"));
    const Content c = NewScheduled(site, At("2026-01-23T09:00:00Z"));
    // a and b trade places; c finds no slot.
    const QueuePlanner swap = [&](const QueueInput&) -> Result<std::vector<domain::QueueMove>> {
        return std::vector<domain::QueueMove>{
            {a.id, *a.scheduled_publish_at, b.scheduled_publish_at},
            {b.id, *b.scheduled_publish_at, a.scheduled_publish_at},
            {c.id, *c.scheduled_publish_at, std::nullopt}};
    };
    const QueueOutcome out = store().ReplanQueue(
        {site.account_id, site.id, kNow, kNow - kCalendarLookBack, false}, swap);
    ASSERT_EQ(out.kind, QueueOutcome::Kind::kDone);
    EXPECT_EQ(store().GetContent(site.account_id, a.id)->scheduled_publish_at,
              b.scheduled_publish_at);
    EXPECT_EQ(store().GetContent(site.account_id, b.id)->scheduled_publish_at,
              a.scheduled_publish_at);
    const Content unplaced = *store().GetContent(site.account_id, c.id);
    EXPECT_EQ(unplaced.site_status, SiteStatus::kNotPublished);
    EXPECT_FALSE(unplaced.scheduled_publish_at);
}

TEST_P(QueueStoreTest, ReplanQueueWritesNothingWhenOneMoveNoLongerHolds) {
    const Site site =
        NewSite(NewAccount(), "blog", true, herald::testing::AutoPublishEveryDay({k0900}));
    const Content a = NewScheduled(site, At("2026-01-23T09:00:00Z"));
    const Content pinned = NewContent(site, [](Content& c) {
        c = herald::testing::Scheduled(c, kNow, At("2026-01-25T09:00:00Z"));
        c.pinned = true;
    });
    // A planner that (wrongly) moves the pinned item too: the store's guard refuses it, and
    // the other move is not written either.
    const QueuePlanner bad = [&](const QueueInput&) -> Result<std::vector<domain::QueueMove>> {
        return std::vector<domain::QueueMove>{
            {a.id, *a.scheduled_publish_at, At("2026-01-21T09:00:00Z")},
            {pinned.id, *pinned.scheduled_publish_at, At("2026-01-22T09:00:00Z")}};
    };
    const QueueOutcome out =
        store().ReplanQueue({site.account_id, site.id, kNow, kNow - kCalendarLookBack, false}, bad);
    EXPECT_EQ(out.kind, QueueOutcome::Kind::kConflict);
    EXPECT_TRUE(out.moves.empty());
    EXPECT_EQ(*store().GetContent(site.account_id, a.id)->scheduled_publish_at,
              *a.scheduled_publish_at);
    EXPECT_EQ(store().GetContent(site.account_id, a.id)->version, a.version);
    EXPECT_EQ(*store().GetContent(site.account_id, pinned.id)->scheduled_publish_at,
              *pinned.scheduled_publish_at);
}

TEST_P(QueueStoreTest, ReplanQueueOfAnotherAccountsSiteIsNotFound) {
    const Site site = NewSite(NewAccount());
    const AccountId other = NewAccount("other");
    int planned = 0;
    const QueuePlanner count = [&](const QueueInput&) -> Result<std::vector<domain::QueueMove>> {
        ++planned;
        return std::vector<domain::QueueMove>{};
    };
    for (const bool dry : {true, false}) {
        EXPECT_EQ(store().ReplanQueue({other, site.id, kNow, kNow, dry}, count).kind,
                  QueueOutcome::Kind::kNotFound);
        EXPECT_EQ(
            store().ReplanQueue({site.account_id, site.id + 1000, kNow, kNow, dry}, count).kind,
            QueueOutcome::Kind::kNotFound);
    }
    EXPECT_EQ(planned, 0);
}

}  // namespace
}  // namespace herald::storage::test
