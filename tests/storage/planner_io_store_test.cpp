// The store's planner I/O on every backend: the all-or-nothing batch insert of an import,
// the duplicate rule's candidate window, and the calendar feed's one live token per site.
#include <vector>

#include "storage/store_fixture.hpp"

namespace herald::storage::test {
namespace {

using herald::testing::Scheduled;
using Hours = std::chrono::hours;
using Days = std::chrono::days;

using PlannerIoStoreTest = StoreTest;
HERALD_ON_EVERY_BACKEND(PlannerIoStoreTest);

TEST_P(PlannerIoStoreTest, BatchInsertsEveryItemInOrder) {
    const AccountId a = NewAccount();
    const Site site = NewSite(a);
    std::vector<Content> items;
    for (int i = 0; i < 2500; ++i) items.push_back(MakeContent(site, "item " + std::to_string(i)));
    items[7].categories = {"a", "b"};
    const auto result = store().CreateContentBatch(a, site.id, items);
    ASSERT_FALSE(result.slot_taken);
    ASSERT_EQ(result.ids.size(), items.size());
    for (size_t i = 1; i < result.ids.size(); ++i) EXPECT_GT(result.ids[i], result.ids[i - 1]);
    const auto seventh = store().GetContent(a, result.ids[7]);
    ASSERT_TRUE(seventh);
    EXPECT_EQ(seventh->title, "item 7");
    EXPECT_EQ(seventh->categories, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(seventh->version, 1);
    ContentFilter filter;
    filter.account_id = a;
    EXPECT_EQ(store().ListContent(filter).count, 2500);
}

TEST_P(PlannerIoStoreTest, BatchWithATakenInstantWritesNothing) {
    const AccountId a = NewAccount();
    const Site site = NewSite(a);
    const TimePoint at = At("2026-02-01T09:00:00Z");
    NewScheduled(site, at);
    std::vector<Content> items = {MakeContent(site, "free"),
                                  Scheduled(MakeContent(site, "ok"), kNow, at + Hours{1}),
                                  Scheduled(MakeContent(site, "taken"), kNow, at)};
    auto result = store().CreateContentBatch(a, site.id, items);
    ASSERT_TRUE(result.slot_taken);
    EXPECT_EQ(*result.slot_taken, 2u);
    EXPECT_TRUE(result.ids.empty());
    ContentFilter filter;
    filter.account_id = a;
    EXPECT_EQ(store().ListContent(filter).count, 1) << "nothing of the batch was written";
    // Two items of one batch at one instant: the second is named.
    items = {Scheduled(MakeContent(site, "x"), kNow, at + Hours{2}),
             Scheduled(MakeContent(site, "y"), kNow, at + Hours{2})};
    result = store().CreateContentBatch(a, site.id, items);
    ASSERT_TRUE(result.slot_taken);
    EXPECT_EQ(*result.slot_taken, 1u);
    EXPECT_EQ(store().ListContent(filter).count, 1);
}

TEST_P(PlannerIoStoreTest, BatchOnAnotherAccountsSiteThrows) {
    const AccountId a = NewAccount("a");
    const AccountId b = NewAccount("b");
    const Site site = NewSite(a);
    Content c = MakeContent(site);
    c.account_id = b;
    const std::vector<Content> items = {c};
    EXPECT_THROW(store().CreateContentBatch(b, site.id, items), StorageError);
    const std::vector<Content> mixed = {MakeContent(site), c};
    EXPECT_THROW(store().CreateContentBatch(a, site.id, mixed), StorageError);
    ContentFilter filter;
    filter.account_id = a;
    EXPECT_EQ(store().ListContent(filter).count, 0);
}

TEST_P(PlannerIoStoreTest, DuplicateCandidatesByDateWindowAndSite) {
    const AccountId a = NewAccount();
    const Site site = NewSite(a);
    const Site other = NewSite(a, "other");
    const Content created = NewContent(site, [](Content& c) { c.slug = "s-1"; });  // kNow
    const Content later = NewScheduled(site, kNow + Days{40});
    NewContent(other);
    const auto near = store().ListDuplicateCandidates(a, site.id, kNow - Days{30}, kNow + Days{30});
    ASSERT_EQ(near.size(), 1u);
    EXPECT_EQ(near[0].id, created.id);
    EXPECT_EQ(near[0].title, created.title);
    EXPECT_EQ(near[0].slug, "s-1");
    EXPECT_EQ(near[0].at, kNow);
    const auto all = store().ListDuplicateCandidates(a, site.id, kNow, kNow + Days{40});
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].id, later.id);
    EXPECT_EQ(all[1].at, kNow + Days{40}) << "dated by its schedule";
    EXPECT_TRUE(store().ListDuplicateCandidates(NewAccount("b"), site.id, kNow, kNow).empty());
}

TEST_P(PlannerIoStoreTest, OneLiveCalendarTokenPerSite) {
    const AccountId a = NewAccount("a");
    const AccountId b = NewAccount("b");
    const Site site = NewSite(a);
    EXPECT_FALSE(store().FindSiteByCalendarToken(site.id, "h1"));
    EXPECT_FALSE(store().SetCalendarToken(b, site.id, "h1", kNow)) << "another account's site";
    EXPECT_FALSE(store().FindSiteByCalendarToken(site.id, "h1"));
    ASSERT_TRUE(store().SetCalendarToken(a, site.id, "h1", kNow));
    const auto found = store().FindSiteByCalendarToken(site.id, "h1");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->name, site.name);
    EXPECT_FALSE(store().FindSiteByCalendarToken(site.id + 1, "h1")) << "bound to its site";
    ASSERT_TRUE(store().SetCalendarToken(a, site.id, "h2", kNow));
    EXPECT_FALSE(store().FindSiteByCalendarToken(site.id, "h1")) << "a new token revokes the old";
    EXPECT_TRUE(store().FindSiteByCalendarToken(site.id, "h2"));
    EXPECT_FALSE(store().DeleteCalendarToken(b, site.id));
    EXPECT_TRUE(store().DeleteCalendarToken(a, site.id));
    EXPECT_FALSE(store().DeleteCalendarToken(a, site.id));
    EXPECT_FALSE(store().FindSiteByCalendarToken(site.id, "h2"));
    // A deleted site takes its token with it.
    ASSERT_TRUE(store().SetCalendarToken(a, site.id, "h3", kNow));
    ASSERT_EQ(store().DeleteSite(a, site.id, std::nullopt), WriteOutcome::kApplied);
    EXPECT_FALSE(store().FindSiteByCalendarToken(site.id, "h3"));
}

}  // namespace
}  // namespace herald::storage::test
