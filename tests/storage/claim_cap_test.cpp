// Claims and the per-site cap, on every backend: a claim passes over the due items of
// sites at their cap (or skipped by the caller) to the sites that still have room, and
// takes nothing once every site is full. SQLite's claim stops reading candidates at that
// point; these pin that it never stops before a site with room.

#include <gtest/gtest.h>

#include <vector>

#include "storage/store_fixture.hpp"

namespace herald::storage::test {
namespace {

constexpr Milliseconds kLease = herald::testing::kTestLease;

using ClaimCapTest = StoreTest;
HERALD_ON_EVERY_BACKEND(ClaimCapTest);

TEST_P(ClaimCapTest, ASiteWithRoomIsFoundPastTheBacklogOfSitesAtTheirCap) {
    // `full` has 5 items due first, `later` one item due after all of them, `skipped` one
    // due first of all but left alone by the caller; the cap is one call per site.
    const AccountId account = NewAccount();
    const Site full = NewSite(account, "full");
    const Site later = NewSite(account, "later");
    const Site skipped = NewSite(account, "skipped");
    const Content s1 = NewScheduled(skipped, At("2026-01-20T10:59:00Z"));
    std::vector<Content> backlog;
    for (int i = 0; i < 5; ++i)
        backlog.push_back(NewScheduled(full, At("2026-01-20T11:00:00Z") + std::chrono::minutes{i}));
    const Content l1 = NewScheduled(later, At("2026-01-20T12:00:00Z"));
    const std::vector<SiteId> skip = {skipped.id};
    const auto claim = [&](int limit) {
        std::vector<ContentId> ids;
        for (const auto& item : ClaimBatch(store(), kNow, limit, "tok", kLease, skip, 1))
            ids.push_back(item.content.id);
        return ids;
    };
    EXPECT_EQ(claim(1), (std::vector<ContentId>{backlog[0].id}));
    // `full` is at its cap and `skipped` is skipped, but `later` still has room: the claim
    // reads on past the backlog to it.
    EXPECT_EQ(claim(10), (std::vector<ContentId>{l1.id}));
    EXPECT_TRUE(claim(10).empty());  // every site at its cap or skipped
    // Without the skip and the cap the rest goes, oldest due first.
    std::vector<ContentId> rest;
    for (const auto& item : ClaimBatch(store(), kNow, 10, "tok", kLease))
        rest.push_back(item.content.id);
    EXPECT_EQ(rest, (std::vector<ContentId>{s1.id, backlog[1].id, backlog[2].id, backlog[3].id,
                                            backlog[4].id}));
}

}  // namespace
}  // namespace herald::storage::test
