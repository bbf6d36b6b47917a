// PostgresStore under concurrency and the dispatcher's life cycle: claims from several
// threads never overlap, scheduler runs from several threads never double-book, and a
// claim lost to another dispatcher writes nothing. Skipped unless HERALD_TEST_PG_URL is set.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "domain/slots.hpp"
#include "storage/postgres_fixture.hpp"

namespace herald::storage::test {
namespace {

using PgConcurrencyTest = PgStoreTest;

bool IsHex32(const std::string& s) {
    return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

TEST_F(PgConcurrencyTest, ClaimFromTwoThreadsNeverDoubleClaims) {
    const AccountId acme = NewAccount();
    std::vector<Site> sites;
    for (int s = 0; s < 5; ++s) sites.push_back(NewSite(acme, "site" + std::to_string(s)));
    constexpr int kItems = 300;
    for (int i = 0; i < kItems; ++i)
        NewScheduled(sites[static_cast<size_t>(i) % sites.size()], kNow - Seconds{i});
    NewScheduled(sites[0], kNow + Seconds{3600});  // not due yet

    std::mutex mutex;
    std::vector<ContentId> claimed;
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            const std::string token = "dispatcher-" + std::to_string(t);
            for (;;) {
                auto batch = ClaimBatch(store(), kNow, 7, token, Seconds{60});
                if (batch.empty()) return;
                std::lock_guard lock(mutex);
                for (const ClaimedItem& item : batch) {
                    EXPECT_EQ(item.content.claim_token, token);
                    EXPECT_EQ(item.content.site_status, SiteStatus::kPublishing);
                    EXPECT_EQ(item.content.attempts, 1);
                    EXPECT_EQ(item.content.version, 2);
                    EXPECT_TRUE(IsHex32(item.content.publication_id))
                        << item.content.publication_id;
                    EXPECT_EQ(item.site.id, item.content.site_id);
                    claimed.push_back(item.content.id);
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(claimed.size(), static_cast<size_t>(kItems));
    EXPECT_EQ(std::set<ContentId>(claimed.begin(), claimed.end()).size(), claimed.size());
    // The leases end first (the next item is due in an hour): a minute on the server's clock.
    const auto next = store().NextWorkIn(kNow);
    ASSERT_TRUE(next);
    EXPECT_GT(*next, Seconds{30});
    EXPECT_LE(*next, Seconds{61});
}

TEST_F(PgConcurrencyTest, ClaimOrderSkipListAndAbandonedLeases) {
    const AccountId acme = NewAccount();
    const Site a = NewSite(acme, "a");
    const Site b = NewSite(acme, "b");
    const Site off = NewSite(acme, "off", /*active=*/false);
    const Content a2 = NewScheduled(a, kNow - Seconds{10});
    const Content a1 = NewScheduled(a, kNow - Seconds{20});
    const Content b1 = NewScheduled(b, kNow - Seconds{30});
    NewScheduled(off, kNow - Seconds{40});
    EXPECT_EQ(store().CountOverdue(kNow).count, 3);

    const SiteId skip[] = {b.id};
    // "one" dies holding short leases.
    auto first = ClaimBatch(store(), kNow, 10, "one", Milliseconds{50}, skip);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].content.id, a1.id);  // oldest due first
    EXPECT_EQ(first[0].due_at, kNow - Seconds{20});
    EXPECT_EQ(first[1].content.id, a2.id);
    // A dead dispatcher's claims come back once its lease ends on the server's clock, with
    // their publication id.
    ASSERT_TRUE(WaitForEndedLease(store(), kNow - std::chrono::hours{1}));
    auto second = ClaimBatch(store(), kNow, 10, "two", Seconds{120});
    ASSERT_EQ(second.size(), 3u);
    EXPECT_EQ(second[0].content.id, b1.id);
    EXPECT_EQ(second[1].content.publication_id, first[0].content.publication_id);
    EXPECT_EQ(second[1].content.attempts, 2);

    // The first dispatcher's settle is refused: its claim is lost.
    Content done = first[0].content;
    done.site_status = SiteStatus::kPublished;
    done.published_at = kNow;
    PublishRecord record;
    record.outcome = AttemptOutcome::kPublished;
    record.started_at = record.finished_at = kNow;
    const FinishedAttempt lost[] = {{done, record}};
    EXPECT_EQ(store().FinishAttempts(lost, "one", domain::HealthPolicy{}).record_ids,
              std::vector<std::optional<RecordId>>{std::nullopt});
    EXPECT_EQ(store().ListClaimTokens(), std::vector<std::string>{"two"});

    // The second one settles a1 (schedule columns only) and gives the others back.
    done = second[1].content;
    done.site_status = SiteStatus::kPublished;
    done.published_at = kNow + Seconds{62};
    done.claim_token.clear();
    done.lease_until.reset();
    done.title = "not written by a settle";
    const FinishedAttempt won[] = {{done, record}};
    const auto ids = store().FinishAttempts(won, "two", domain::HealthPolicy{}).record_ids;
    ASSERT_TRUE(ids[0]);
    const auto settled = store().GetContent(acme, a1.id);
    EXPECT_EQ(settled->site_status, SiteStatus::kPublished);
    EXPECT_EQ(settled->title, a1.title);
    EXPECT_EQ(settled->version, second[1].content.version + 1);
    RecordFilter records;
    records.account_id = acme;
    records.content_id = a1.id;
    EXPECT_EQ(store().ListRecords(records).count, 1);

    EXPECT_TRUE(store().RenewLease(b1.id, "two", Seconds{300}));
    EXPECT_FALSE(store().RenewLease(b1.id, "one", Seconds{300}));
    const ContentId back[] = {b1.id};
    store().ReleaseClaims(back, "two", kNow + Seconds{63});
    EXPECT_EQ(store().GetContent(acme, b1.id)->attempts, 0);
    EXPECT_EQ(store().GetContent(acme, b1.id)->site_status, SiteStatus::kScheduled);
    const std::string tokens[] = {"two"};
    EXPECT_EQ(store().ExpireClaims(tokens), 1);  // a2
    EXPECT_EQ(store().GetContent(acme, a2.id)->lease_until, TimePoint{});
}

TEST_F(PgConcurrencyTest, ScheduleSitesFromSeveralThreadsNeverDoubleBooks) {
    const AccountId acme = NewAccount();
    const PublishingSettings settings =
        herald::testing::AutoPublishEveryDay({6 * 60, 9 * 60, 12 * 60, 15 * 60, 18 * 60});
    std::vector<Site> sites;
    for (int s = 0; s < 4; ++s)
        sites.push_back(NewSite(acme, "site" + std::to_string(s), true, settings));
    sites.push_back(NewSite(acme, "manual", true, PublishingSettings{}));  // not auto: skipped
    constexpr int kPerSite = 40;
    for (const Site& site : sites)
        for (int i = 0; i < kPerSite; ++i) NewApproved(site, kNow - Seconds{kPerSite - i});

    ScheduleRequest request;
    for (const Site& site : sites) request.sites.push_back(site.id);
    std::reverse(request.sites.begin(), request.sites.end());  // any order is fine
    request.now = kNow;
    request.calendar_from = kNow - std::chrono::days{40};
    const SlotPlanner plan = [&](const SiteSchedulingInput& in) {
        return AssignSlots(in.settings, in.site.timezone, in.calendar, in.queue, request.now);
    };

    std::atomic<size_t> assigned{0};
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            ++ready;
            while (ready < 4) std::this_thread::yield();
            for (const SiteScheduleOutcome& out : store().ScheduleSites(request, plan)) {
                EXPECT_FALSE(out.error) << out.error->message;
                assigned += out.assignments.size();
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(assigned, 4u * kPerSite);  // each item placed by exactly one run

    ContentFilter f;
    f.account_id = acme;
    f.page.page_size = 500;
    std::map<SiteId, std::set<TimePoint>> instants;
    size_t scheduled = 0;
    for (const Content& c : store().ListContent(f).items) {
        if (c.site_id == sites.back().id) {
            EXPECT_EQ(c.site_status, SiteStatus::kNotPublished);
            continue;
        }
        ASSERT_EQ(c.site_status, SiteStatus::kScheduled);
        EXPECT_EQ(c.version, 2);
        EXPECT_GT(*c.scheduled_publish_at, kNow);
        EXPECT_TRUE(instants[c.site_id].insert(*c.scheduled_publish_at).second);
        ++scheduled;
    }
    EXPECT_EQ(scheduled, 4u * kPerSite);

    // A dry run of an explicit per-site run plans without writing.
    const Content more = NewApproved(sites[0], kNow);
    ScheduleRequest dry = request;
    dry.sites = {sites[0].id, sites.back().id};
    dry.dry_run = true;
    dry.require_auto_publish = false;
    const auto outcomes = store().ScheduleSites(dry, plan);
    ASSERT_EQ(outcomes.size(), 2u);
    EXPECT_EQ(outcomes[0].assignments.size(), 1u);
    EXPECT_EQ(outcomes[1].assignments.size(), static_cast<size_t>(kPerSite));
    EXPECT_FALSE(outcomes[1].skipped);
    EXPECT_EQ(store().GetContent(acme, more.id)->site_status, SiteStatus::kNotPublished);
    const SiteCalendar calendar = store().LoadCalendar(sites[0].id, kNow);
    EXPECT_EQ(calendar.scheduled.size(), static_cast<size_t>(kPerSite));
    EXPECT_TRUE(std::is_sorted(calendar.scheduled.begin(), calendar.scheduled.end()));
}

}  // namespace
}  // namespace herald::storage::test
