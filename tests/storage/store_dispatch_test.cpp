// The scheduler's and dispatcher's side of the store, on every backend: queue, calendar,
// assignments, claims (including two processes' worth of connections racing), leases on the
// database's clock, finishing attempts, releases, records, overdue counts and the next
// wake-up.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "storage/store_fixture.hpp"

namespace herald::storage::test {
namespace {

constexpr Milliseconds kLease = herald::testing::kTestLease;

/// The database's clock as this process reads it. Leases are set on it: PostgreSQL's is the
/// server's, SQLite's this machine's; the test server runs on this machine, so the two agree
/// up to the slack a comparison allows.
TimePoint ClockNow() { return SystemTimeSource().Now(); }
constexpr Milliseconds kClockSlack = std::chrono::seconds{1};

// --- slot scheduler -----------------------------------------------------------------------------

constexpr unsigned kAllFields = kContentText | kContentSite | kContentEditorial | kContentSchedule;

using SchedulerStoreTest = StoreTest;
HERALD_ON_EVERY_BACKEND(SchedulerStoreTest);

/// A ScheduleSites request for one site, as an explicit per-site run makes it.
ScheduleRequest OneSite(SiteId site, TimePoint now, bool dry_run) {
    ScheduleRequest request;
    request.sites = {site};
    request.now = now;
    request.calendar_from = now - kCalendarLookBack;
    request.dry_run = dry_run;
    request.require_auto_publish = false;
    return request;
}

TEST_P(SchedulerStoreTest, AutoPublishSitesAreActiveAndEnabledOnly) {
    const AccountId account = NewAccount();
    PublishingSettings on;
    on.auto_publish_enabled = true;
    on.publish_time_slots = {600};
    const Site s1 = NewSite(account, "on", true, on);
    NewSite(account, "off", true, {});
    NewSite(account, "inactive", false, on);
    const Site s4 = NewSite(NewAccount("b"), "other account", true, on);
    EXPECT_EQ(store().ListAutoPublishSiteIds(), (std::vector<SiteId>{s1.id, s4.id}));
    // Switching auto-publish off (or the site inactive) takes a site off the list.
    on.site_id = s1.id;
    on.auto_publish_enabled = false;
    ASSERT_TRUE(store().PutSettings(account, on, std::nullopt).applied());
    EXPECT_EQ(store().ListAutoPublishSiteIds(), (std::vector<SiteId>{s4.id}));
}

TEST_P(SchedulerStoreTest, QueueIsApprovedUnscheduledByApprovedAtThenId) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    const Site other = NewSite(account, "other");
    const Content late = NewApproved(site, At("2026-01-20T10:00:00Z"));
    const Content early = NewApproved(site, At("2026-01-20T09:00:00Z"));
    const Content tie = NewApproved(site, At("2026-01-20T10:00:00Z"));
    NewContent(site);                                // draft
    NewScheduled(site, At("2026-02-01T09:00:00Z"));  // already scheduled
    NewContent(site, [](Content& c) {                // failed
        c.status = EditorialStatus::kApproved;
        c.site_status = SiteStatus::kFailed;
    });
    NewContent(site, [](Content& c) {  // time set, not scheduled
        c.status = EditorialStatus::kApproved;
        c.scheduled_publish_at = At("2026-02-01T09:00:00Z");
    });
    NewApproved(other, At("2026-01-19T00:00:00Z"));  // another site
    // The queue is what ScheduleSites hands the planner.
    std::vector<ContentId> queue;
    int planned = 0;
    const auto outcomes = store().ScheduleSites(
        OneSite(site.id, kNow, /*dry_run=*/true), [&](const SiteSchedulingInput& in) {
            ++planned;
            EXPECT_EQ(in.site.id, site.id);
            queue.assign(in.queue.begin(), in.queue.end());
            return Result<std::vector<SlotAssignment>>(std::vector<SlotAssignment>{});
        });
    EXPECT_EQ(planned, 1);
    EXPECT_EQ(queue, (std::vector<ContentId>{early.id, late.id, tie.id}));
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0].queued, 3u);
}

TEST_P(SchedulerStoreTest, CalendarHasScheduledPublishingAndPublishedFromInstant) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    const TimePoint from = At("2026-01-20T00:00:00Z");
    NewScheduled(site, At("2026-01-21T09:00:00Z"));
    NewScheduled(site, At("2026-01-19T09:00:00Z"));  // before `from`
    NewContent(site, [](Content& c) {
        c.status = EditorialStatus::kApproved;
        c.site_status = SiteStatus::kPublishing;
        c.scheduled_publish_at = At("2026-01-20T14:00:00Z");
    });
    NewContent(site, [](Content& c) {
        c.status = EditorialStatus::kApproved;
        c.site_status = SiteStatus::kPublished;
        c.scheduled_publish_at = At("2026-01-10T09:00:00Z");  // not counted as scheduled
        c.published_at = At("2026-01-20T09:05:00Z");
    });
    NewContent(site, [](Content& c) {
        c.site_status = SiteStatus::kPublished;
        c.published_at = At("2026-01-19T09:05:00Z");  // before `from`
    });
    NewContent(site, [](Content& c) {
        c.site_status = SiteStatus::kFailed;
        c.scheduled_publish_at = At("2026-01-22T09:00:00Z");
    });
    NewScheduled(NewSite(account, "other"), At("2026-01-21T18:00:00Z"));

    SiteCalendar calendar = store().LoadCalendar(site.id, from);
    EXPECT_EQ(calendar.scheduled,
              (std::vector<TimePoint>{At("2026-01-20T14:00:00Z"), At("2026-01-21T09:00:00Z")}));
    EXPECT_EQ(calendar.published, (std::vector<TimePoint>{At("2026-01-20T09:05:00Z")}));
}

TEST_P(SchedulerStoreTest, ScheduleSitesSetsOnlyItemsStillQueued) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    const Content ok = NewApproved(site, kNow);
    Content unapproved = NewApproved(site, kNow);
    Content scheduled_by_hand = NewApproved(site, kNow);
    Content timed = NewApproved(site, kNow);
    // The API moved three of them out of the queue.
    unapproved.status = EditorialStatus::kDraft;
    ASSERT_TRUE(store().UpdateContent(unapproved, unapproved.version, kAllFields).applied());
    scheduled_by_hand.site_status = SiteStatus::kScheduled;
    scheduled_by_hand.scheduled_publish_at = At("2026-03-01T09:00:00Z");
    ASSERT_TRUE(
        store().UpdateContent(scheduled_by_hand, scheduled_by_hand.version, kAllFields).applied());
    timed.scheduled_publish_at = At("2026-03-02T09:00:00Z");
    ASSERT_TRUE(store().UpdateContent(timed, timed.version, kAllFields).applied());

    const TimePoint slot = At("2026-01-21T09:00:00Z");
    const TimePoint now = At("2026-01-20T12:30:00Z");
    // A planner that places items outside the queue too: the store's own guard (approved,
    // not_published, unscheduled) must keep every one of them as it is.
    std::vector<SlotAssignment> assignments = {{ok.id, slot},
                                               {unapproved.id, slot + Seconds{1}},
                                               {scheduled_by_hand.id, slot + Seconds{2}},
                                               {timed.id, slot + Seconds{3}},
                                               {999999, slot + Seconds{4}}};
    const SlotPlanner plan = [&](const SiteSchedulingInput& in) {
        EXPECT_EQ(std::vector<ContentId>(in.queue.begin(), in.queue.end()),
                  std::vector<ContentId>{ok.id});
        return Result<std::vector<SlotAssignment>>(assignments);
    };
    auto outcomes = store().ScheduleSites(OneSite(site.id, now, false), plan);
    ASSERT_EQ(outcomes.size(), 1u);
    ASSERT_EQ(outcomes[0].assignments.size(), 1u);
    EXPECT_EQ(outcomes[0].assignments[0].content_id, ok.id);
    EXPECT_EQ(outcomes[0].assignments[0].at, slot);

    auto got = store().GetContent(account, ok.id);
    EXPECT_EQ(got->site_status, SiteStatus::kScheduled);
    EXPECT_EQ(got->scheduled_publish_at, slot);
    EXPECT_EQ(got->site_status_updated_at, now);
    EXPECT_EQ(got->updated_at, now);
    EXPECT_EQ(store().GetContent(account, unapproved.id)->site_status, SiteStatus::kNotPublished);
    EXPECT_EQ(store().GetContent(account, scheduled_by_hand.id)->scheduled_publish_at,
              At("2026-03-01T09:00:00Z"));
    EXPECT_EQ(store().GetContent(account, timed.id)->site_status, SiteStatus::kNotPublished);
    EXPECT_EQ(store().GetContent(account, timed.id)->scheduled_publish_at,
              At("2026-03-02T09:00:00Z"));
    // Applying again changes nothing: the queue is empty, so the planner is not asked.
    outcomes = store().ScheduleSites(OneSite(site.id, now, false), plan);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_TRUE(outcomes[0].assignments.empty());
    EXPECT_EQ(store().GetContent(account, ok.id)->version, ok.version + 1);
}

// --- Claim
// ------------------------------------------------------------------------------------------

class ClaimTest : public StoreTest {
protected:
    void SetUp() override {
        account_ = NewAccount();
        site_ = NewSite(account_);
    }
    std::vector<ContentId> ClaimIds(TimePoint now, int limit, const std::string& token = "tok") {
        std::vector<ContentId> ids;
        for (const auto& item : ClaimBatch(store(), now, limit, token))
            ids.push_back(item.content.id);
        return ids;
    }
    AccountId account_ = 0;
    Site site_;
};
HERALD_ON_EVERY_BACKEND(ClaimTest);

TEST_P(ClaimTest, ClaimsDueItemsOnlyAndMarksThem) {
    const Content due = NewScheduled(site_, At("2026-01-20T11:59:00Z"));
    const Content exactly_now = NewScheduled(site_, kNow);
    const Content future = NewScheduled(site_, At("2026-01-20T12:00:01Z"));
    const Content draft = NewContent(site_);

    const TimePoint before = ClockNow();
    auto claimed = ClaimBatch(store(), kNow, 10, "tok-1");
    const TimePoint after = ClockNow();
    ASSERT_EQ(claimed.size(), 2u);
    EXPECT_EQ(claimed[0].content.id, due.id);
    EXPECT_EQ(claimed[1].content.id, exactly_now.id);
    const ClaimedItem& item = claimed[0];
    EXPECT_EQ(item.content.site_status, SiteStatus::kPublishing);
    EXPECT_EQ(item.content.claim_token, "tok-1");
    // The lease runs on the database's clock, not from the `now` the claim was given.
    ASSERT_TRUE(item.content.lease_until);
    EXPECT_GE(*item.content.lease_until, before + kLease - kClockSlack);
    EXPECT_LE(*item.content.lease_until, after + kLease + kClockSlack);
    EXPECT_EQ(item.content.attempts, 1);
    EXPECT_EQ(item.content.publication_id.size(), 32u);
    EXPECT_EQ(item.content.site_status_updated_at, kNow);
    EXPECT_EQ(item.due_at, At("2026-01-20T11:59:00Z"));
    EXPECT_EQ(item.site.id, site_.id);
    EXPECT_EQ(item.site.api_key, "whsec_secret");
    EXPECT_NE(claimed[0].content.publication_id, claimed[1].content.publication_id);

    // The stored row matches what was returned.
    auto stored = store().GetContent(account_, due.id);
    EXPECT_EQ(stored->site_status, SiteStatus::kPublishing);
    EXPECT_EQ(stored->claim_token, "tok-1");
    EXPECT_EQ(stored->publication_id, item.content.publication_id);

    EXPECT_EQ(store().GetContent(account_, future.id)->site_status, SiteStatus::kScheduled);
    EXPECT_EQ(store().GetContent(account_, draft.id)->site_status, SiteStatus::kNotPublished);
    // A held lease is not claimed again.
    EXPECT_TRUE(ClaimIds(kNow + Seconds{1}, 10).size() == 1);  // only `future`, now due
}

TEST_P(ClaimTest, InactiveSitesAreExcluded) {
    const Site inactive = NewSite(account_, "off", false);
    NewScheduled(inactive, At("2026-01-20T11:00:00Z"));
    const Content active = NewScheduled(site_, At("2026-01-20T11:30:00Z"));
    EXPECT_EQ(ClaimIds(kNow, 10), (std::vector<ContentId>{active.id}));
}

TEST_P(ClaimTest, OldestDueFirstAndLimitRespected) {
    const Content c3 = NewScheduled(site_, At("2026-01-20T11:03:00Z"));
    const Content c1 = NewScheduled(site_, At("2026-01-20T11:01:00Z"));
    // A retry: next_attempt_at wins over scheduled_publish_at.
    const Content retry = NewContent(site_, [](Content& c) {
        c.status = EditorialStatus::kApproved;
        c.site_status = SiteStatus::kScheduled;
        c.scheduled_publish_at = At("2026-01-20T08:00:00Z");
        c.next_attempt_at = At("2026-01-20T11:02:00Z");
        c.attempts = 1;
        c.publication_id = "keep-me";
    });
    const Content later_retry = NewContent(site_, [](Content& c) {
        c.status = EditorialStatus::kApproved;
        c.site_status = SiteStatus::kScheduled;
        c.scheduled_publish_at = At("2026-01-20T08:01:00Z");  // one item per site instant
        c.next_attempt_at = At("2026-01-20T13:00:00Z");       // not yet
    });
    const Content c0 = NewScheduled(site_, At("2026-01-20T11:00:00Z"));

    // The final check's `now` of 13:00 decides due-ness only: the leases taken here run on
    // the database's clock, so it does not reclaim these.
    auto first = ClaimBatch(store(), kNow, 2, "tok");
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].content.id, c0.id);
    EXPECT_EQ(first[1].content.id, c1.id);
    auto second = ClaimBatch(store(), kNow, 2, "tok");
    ASSERT_EQ(second.size(), 2u);
    EXPECT_EQ(second[0].content.id, retry.id);
    EXPECT_EQ(second[0].content.attempts, 2);
    EXPECT_EQ(second[0].content.publication_id, "keep-me");
    EXPECT_EQ(second[0].due_at, At("2026-01-20T11:02:00Z"));
    EXPECT_EQ(second[1].content.id, c3.id);
    EXPECT_TRUE(ClaimBatch(store(), kNow, 2, "tok").empty());
    EXPECT_TRUE(ClaimBatch(store(), kNow, 0, "tok").empty());
    EXPECT_EQ(ClaimIds(At("2026-01-20T13:00:00Z"), 5), (std::vector<ContentId>{later_retry.id}));
}

TEST_P(ClaimTest, ExpiredLeaseIsReclaimedWithSamePublication) {
    const Content c = NewScheduled(site_, At("2026-01-20T11:00:00Z"));
    auto first = ClaimBatch(store(), kNow, 10, "dead");
    ASSERT_EQ(first.size(), 1u);
    // Lease still running: nothing to claim, whatever `now` the claimer passes (it says what
    // is due; leases end on the database's clock).
    EXPECT_TRUE(ClaimIds(kNow, 10, "live").empty());
    const TimePoint later = kNow + kLease + Seconds{1};
    EXPECT_TRUE(ClaimIds(later, 10, "live").empty());
    // The dead dispatcher's last renewal was a short one; once it has run out on the
    // database's clock, the item is taken over, attempts counted, publication kept.
    ASSERT_TRUE(store().RenewLease(c.id, "dead", Milliseconds{50}));
    auto second = ClaimOnceLeasesEnd(store(), later, 10, "live");
    ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(second[0].content.id, c.id);
    EXPECT_EQ(second[0].content.claim_token, "live");
    EXPECT_EQ(second[0].content.attempts, 2);
    EXPECT_EQ(second[0].content.publication_id, first[0].content.publication_id);
    EXPECT_EQ(second[0].due_at, At("2026-01-20T11:00:00Z"));

    // The dead dispatcher's late result is refused and writes nothing.
    Content late = first[0].content;
    late.site_status = SiteStatus::kPublished;
    late.external_id = "dup";
    late.claim_token.clear();
    PublishRecord record;
    record.outcome = AttemptOutcome::kPublished;
    EXPECT_FALSE(Finish(late, "dead", record));
    EXPECT_FALSE(store().RenewLease(c.id, "dead", kLease * 2));
    auto stored = store().GetContent(account_, c.id);
    EXPECT_EQ(stored->site_status, SiteStatus::kPublishing);
    EXPECT_EQ(stored->claim_token, "live");
    EXPECT_EQ(stored->external_id, "");
    EXPECT_EQ(store().ListRecords({account_, c.id, std::nullopt, {}}).count, 0);
}

TEST_P(ClaimTest, TwoStoresRacingNeverClaimTheSameItemTwice) {
    constexpr int kItems = 500;
    std::set<ContentId> all;
    for (int i = 0; i < kItems; ++i) all.insert(NewScheduled(site_, kNow - Seconds{kItems - i}).id);

    // Two stores = two independent pools on one file, as two processes would have.
    StorePtr second = OpenStore(url());
    std::vector<ContentId> got_a, got_b;
    std::atomic<bool> go{false};
    auto worker = [&go](Store& store, std::string token, std::vector<ContentId>& out) {
        while (!go.load()) std::this_thread::yield();
        for (;;) {
            auto claimed = ClaimBatch(store, kNow, 7, token);
            if (claimed.empty()) break;
            for (const auto& item : claimed) {
                EXPECT_EQ(item.content.claim_token, token);
                out.push_back(item.content.id);
            }
        }
    };
    std::thread a(worker, std::ref(store()), "A", std::ref(got_a));
    std::thread b(worker, std::ref(*second), "B", std::ref(got_b));
    go = true;
    a.join();
    b.join();

    std::set<ContentId> set_a(got_a.begin(), got_a.end());
    std::set<ContentId> set_b(got_b.begin(), got_b.end());
    EXPECT_EQ(set_a.size(), got_a.size()) << "A claimed an item twice";
    EXPECT_EQ(set_b.size(), got_b.size()) << "B claimed an item twice";
    std::vector<ContentId> both;
    std::set_intersection(set_a.begin(), set_a.end(), set_b.begin(), set_b.end(),
                          std::back_inserter(both));
    EXPECT_TRUE(both.empty()) << both.size() << " items claimed by both";
    std::set<ContentId> together = set_a;
    together.insert(set_b.begin(), set_b.end());
    EXPECT_EQ(together, all);
    // Each stored row carries the token of the one store that claimed it.
    for (ContentId id : set_b) EXPECT_EQ(store().GetContent(account_, id)->claim_token, "B");
}

TEST_P(ClaimTest, ManyThreadsOnOneStoreShareThePool) {
    constexpr int kItems = 300;
    for (int i = 0; i < kItems; ++i) NewScheduled(site_, kNow - Seconds{i + 1});
    std::vector<std::vector<ContentId>> got(6);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < got.size(); ++t) {
        threads.emplace_back([this, t, &got] {
            const std::string token = "T" + std::to_string(t);
            for (;;) {
                auto claimed = ClaimBatch(store(), kNow, 5, token);
                if (claimed.empty()) break;
                for (const auto& item : claimed) {
                    got[t].push_back(item.content.id);
                    // Interleave reads with the writes to exercise the pool.
                    EXPECT_TRUE(store().GetContent(account_, item.content.id));
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    std::multiset<ContentId> all;
    for (const auto& ids : got) all.insert(ids.begin(), ids.end());
    EXPECT_EQ(all.size(), static_cast<size_t>(kItems));
    EXPECT_EQ(std::set<ContentId>(all.begin(), all.end()).size(), static_cast<size_t>(kItems));
}

// --- ClaimOne
// ----------------------------------------------------------------------------------------

TEST_P(ClaimTest, ClaimOneForPublishNow) {
    const Content draft = NewContent(site_);
    const Content approved = NewApproved(site_, kNow);
    const Site off = NewSite(account_, "off", false);
    const Content on_inactive = NewApproved(off, kNow);

    auto missing = store().ClaimOne(account_, 999999, "now", kNow, kNow + kLease);
    EXPECT_EQ(missing, std::nullopt);

    auto refused = store().ClaimOne(account_, draft.id, "now", kNow, kNow + kLease);
    ASSERT_TRUE(refused);
    ASSERT_FALSE(refused->ok());
    EXPECT_EQ(refused->error().kind, ErrorKind::kConflict);
    EXPECT_EQ(refused->error().code, "not_approved");

    auto inactive = store().ClaimOne(account_, on_inactive.id, "now", kNow, kNow + kLease);
    ASSERT_TRUE(inactive);
    ASSERT_FALSE(inactive->ok());
    EXPECT_EQ(inactive->error().code, "site_inactive");
    EXPECT_EQ(store().GetContent(account_, on_inactive.id)->site_status, SiteStatus::kNotPublished);

    auto ok = store().ClaimOne(account_, approved.id, "now", kNow, kNow + kLease);
    ASSERT_TRUE(ok);
    ASSERT_TRUE(ok->ok());
    EXPECT_EQ((*ok)->content.site_status, SiteStatus::kPublishing);
    EXPECT_EQ((*ok)->content.claim_token, "now");
    EXPECT_EQ((*ok)->content.attempts, 1);
    EXPECT_EQ((*ok)->content.site_status_updated_at, kNow);
    EXPECT_FALSE((*ok)->content.publication_id.empty());
    EXPECT_EQ((*ok)->site.id, site_.id);

    auto again = store().ClaimOne(account_, approved.id, "other", kNow, kNow + kLease);
    ASSERT_TRUE(again);
    ASSERT_FALSE(again->ok());
    EXPECT_EQ(again->error().code, "already_publishing");
    EXPECT_EQ(store().GetContent(account_, approved.id)->claim_token, "now");
}

// --- FinishAttempt, RenewLease, ReleaseClaims
// --------------------------------------------------------

TEST_P(ClaimTest, FinishAttemptWritesRecordAndContentTogether) {
    const Content c = NewScheduled(site_, At("2026-01-20T11:00:00Z"));
    auto claimed = ClaimBatch(store(), kNow, 1, "tok");
    ASSERT_EQ(claimed.size(), 1u);
    Content done = claimed[0].content;
    done.site_status = SiteStatus::kPublished;
    done.site_status_updated_at = kNow + Seconds{3};
    done.published_at = kNow + Seconds{3};
    done.external_id = "42";
    done.external_url = "https://example.com/42";
    done.claim_token.clear();
    done.lease_until.reset();
    PublishRecord record;
    record.attempt = 1;
    record.started_at = kNow;
    record.finished_at = kNow + Seconds{3};
    record.outcome = AttemptOutcome::kPublished;
    record.http_status = 201;
    record.external_id = "42";
    record.external_url = "https://example.com/42";
    record.due_at = claimed[0].due_at;

    auto id = Finish(done, "tok", record);
    ASSERT_TRUE(id);
    auto stored = store().GetContent(account_, c.id);
    EXPECT_EQ(stored->site_status, SiteStatus::kPublished);
    EXPECT_EQ(stored->external_id, "42");
    EXPECT_EQ(stored->published_at, kNow + Seconds{3});
    EXPECT_EQ(stored->claim_token, "");
    EXPECT_FALSE(stored->lease_until);

    auto records = store().ListRecords({account_, c.id, std::nullopt, {}});
    ASSERT_EQ(records.count, 1);
    const PublishRecord& r = records.items[0];
    EXPECT_EQ(r.id, *id);
    EXPECT_EQ(r.content_id, c.id);
    EXPECT_EQ(r.site_id, site_.id);
    EXPECT_EQ(r.account_id, account_);
    EXPECT_EQ(r.attempt, 1);
    EXPECT_EQ(r.started_at, kNow);
    EXPECT_EQ(r.finished_at, kNow + Seconds{3});
    EXPECT_EQ(r.outcome, AttemptOutcome::kPublished);
    EXPECT_EQ(r.http_status, 201);
    EXPECT_EQ(r.external_url, "https://example.com/42");
    EXPECT_EQ(r.due_at, At("2026-01-20T11:00:00Z"));

    // The claim is spent: finishing again with the same token writes nothing.
    EXPECT_FALSE(Finish(done, "tok", record));
    EXPECT_FALSE(Finish(done, "", record));
    EXPECT_EQ(store().ListRecords({account_, c.id, std::nullopt, {}}).count, 1);
}

TEST_P(ClaimTest, RenewLeaseOnlyWhileHeld) {
    const Content c = NewScheduled(site_, At("2026-01-20T11:00:00Z"));
    ASSERT_EQ(ClaimIds(kNow, 1).size(), 1u);
    // The renewed lease runs from the database's now.
    const TimePoint before = ClockNow();
    EXPECT_TRUE(store().RenewLease(c.id, "tok", kLease * 3));
    const TimePoint after = ClockNow();
    const auto renewed = store().GetContent(account_, c.id)->lease_until;
    ASSERT_TRUE(renewed);
    EXPECT_GE(*renewed, before + kLease * 3 - kClockSlack);
    EXPECT_LE(*renewed, after + kLease * 3 + kClockSlack);
    EXPECT_FALSE(store().RenewLease(c.id, "wrong", kLease));
    EXPECT_FALSE(store().RenewLease(c.id + 1000, "tok", kLease));
    EXPECT_FALSE(store().RenewLease(c.id, "", kLease));
    EXPECT_EQ(store().GetContent(account_, c.id)->lease_until, renewed);
    // The renewal is honoured by the next claimer.
    EXPECT_TRUE(ClaimIds(kNow + kLease * 2, 10, "other").empty());
    // A renewal sets the end (shorter too); once that end has passed the item is taken over.
    EXPECT_TRUE(store().RenewLease(c.id, "tok", Milliseconds{50}));
    auto taken = ClaimOnceLeasesEnd(store(), kNow, 10, "other");
    ASSERT_EQ(taken.size(), 1u);
    EXPECT_EQ(taken[0].content.id, c.id);
    EXPECT_FALSE(store().RenewLease(c.id, "tok", kLease));  // lost with the claim
}

TEST_P(ClaimTest, ReleaseClaimsPutsItemsBack) {
    const Content a = NewScheduled(site_, At("2026-01-20T11:00:00Z"));
    const Content b = NewScheduled(site_, At("2026-01-20T11:01:00Z"));
    const Content c = NewScheduled(site_, At("2026-01-20T11:02:00Z"));
    ASSERT_EQ(ClaimIds(kNow, 2, "mine").size(), 2u);
    ASSERT_EQ(ClaimIds(kNow, 1, "theirs").size(), 1u);
    std::vector<ContentId> ids = {a.id, b.id, c.id};
    const TimePoint released_at = kNow + Seconds{5};
    store().ReleaseClaims(ids, "mine", released_at);  // c is not mine: untouched
    for (ContentId id : {a.id, b.id}) {
        auto got = store().GetContent(account_, id);
        EXPECT_EQ(got->site_status, SiteStatus::kScheduled);
        EXPECT_EQ(got->attempts, 0);
        EXPECT_EQ(got->claim_token, "");
        EXPECT_FALSE(got->lease_until);
        EXPECT_EQ(got->site_status_updated_at, released_at);  // stamped with `now`
    }
    EXPECT_EQ(store().GetContent(account_, c.id)->claim_token, "theirs");
    // Released items are due again.
    EXPECT_EQ(ClaimIds(kNow, 10, "again"), (std::vector<ContentId>{a.id, b.id}));
}

// --- records list
// ------------------------------------------------------------------------------------

TEST_P(ClaimTest, RecordsListFiltersAndPaginates) {
    const Site other_site = NewSite(account_, "other");
    const AccountId stranger = NewAccount("stranger");
    const Site stranger_site = NewSite(stranger, "theirs");
    std::vector<Content> items = {NewScheduled(site_, kNow - Seconds{30}),
                                  NewScheduled(site_, kNow - Seconds{20}),
                                  NewScheduled(other_site, kNow - Seconds{10}),
                                  NewScheduled(stranger_site, kNow - Seconds{5})};
    // Two attempts for items[0] (retry, then published), one for each of the others.
    auto finish = [&](AttemptOutcome outcome) {
        auto claimed = ClaimBatch(store(), kNow, 10, "t");
        for (auto& item : claimed) {
            Content c = item.content;
            c.claim_token.clear();
            c.lease_until.reset();
            const bool retry = outcome == AttemptOutcome::kRetry && c.id == items[0].id;
            c.site_status = retry ? SiteStatus::kScheduled : SiteStatus::kPublished;
            PublishRecord r;
            r.attempt = c.attempts;
            r.outcome = retry ? AttemptOutcome::kRetry : AttemptOutcome::kPublished;
            if (outcome == AttemptOutcome::kRetry && !retry) continue;  // leave held
            ASSERT_TRUE(Finish(c, "t", r));
        }
    };
    finish(AttemptOutcome::kRetry);
    // Re-open the held ones: release them, then publish everything.
    std::vector<ContentId> held = {items[1].id, items[2].id, items[3].id};
    store().ReleaseClaims(held, "t", kNow);
    finish(AttemptOutcome::kPublished);

    auto all = store().ListRecords({account_, std::nullopt, std::nullopt, {}});
    EXPECT_EQ(all.count, 4);  // the stranger's record is not listed
    ASSERT_EQ(all.items.size(), 4u);
    EXPECT_TRUE(std::is_sorted(all.items.begin(), all.items.end(),
                               [](const auto& x, const auto& y) { return x.id < y.id; }));
    auto first = store().ListRecords({account_, items[0].id, std::nullopt, {}});
    ASSERT_EQ(first.count, 2);
    EXPECT_EQ(first.items[0].outcome, AttemptOutcome::kRetry);
    EXPECT_EQ(first.items[0].attempt, 1);
    EXPECT_EQ(first.items[1].outcome, AttemptOutcome::kPublished);
    EXPECT_EQ(first.items[1].attempt, 2);
    EXPECT_EQ(store().ListRecords({account_, std::nullopt, site_.id, {}}).count, 3);
    EXPECT_EQ(store().ListRecords({account_, std::nullopt, other_site.id, {}}).count, 1);
    EXPECT_EQ(store().ListRecords({account_, items[0].id, other_site.id, {}}).count, 0);
    EXPECT_EQ(store().ListRecords({account_, items[3].id, std::nullopt, {}}).count, 0);
    EXPECT_EQ(store().ListRecords({stranger, std::nullopt, std::nullopt, {}}).count, 1);

    auto page2 = store().ListRecords({account_, std::nullopt, std::nullopt, {2, 3}});
    EXPECT_EQ(page2.count, 4);
    ASSERT_EQ(page2.items.size(), 1u);
    EXPECT_EQ(page2.items[0].id, all.items[3].id);
}

// --- health: CountOverdue and NextWorkIn
// -------------------------------------------------------------

TEST_P(ClaimTest, CountOverdueCountsScheduledDueBeforeNowOnActiveSites) {
    EXPECT_EQ(store().CountOverdue(kNow).count, 0);
    EXPECT_FALSE(store().CountOverdue(kNow).oldest_due_at);
    NewScheduled(site_, At("2026-01-20T11:00:00Z"));
    NewScheduled(site_, At("2026-01-20T11:30:00Z"));
    NewScheduled(site_, kNow);                        // due now, not before
    NewScheduled(site_, At("2026-01-20T13:00:00Z"));  // future
    NewScheduled(NewSite(account_, "off", false), At("2026-01-20T10:00:00Z"));
    NewContent(site_, [](Content& c) {  // retry pending: not overdue yet
        c.status = EditorialStatus::kApproved;
        c.site_status = SiteStatus::kScheduled;
        c.scheduled_publish_at = At("2026-01-20T09:00:00Z");
        c.next_attempt_at = At("2026-01-20T12:10:00Z");
    });
    auto overdue = store().CountOverdue(kNow);
    EXPECT_EQ(overdue.count, 2);
    EXPECT_EQ(overdue.oldest_due_at, At("2026-01-20T11:00:00Z"));
}

TEST_P(ClaimTest, NextWorkInIsFirstDueOrLeaseEnd) {
    EXPECT_EQ(store().NextWorkIn(kNow), std::nullopt);
    NewScheduled(NewSite(account_, "off", false), At("2026-01-20T08:00:00Z"));
    EXPECT_EQ(store().NextWorkIn(kNow), std::nullopt);  // inactive sites never wake us
    NewScheduled(site_, At("2026-01-20T15:00:00Z"));
    NewContent(site_, [](Content& c) {
        c.status = EditorialStatus::kApproved;
        c.site_status = SiteStatus::kScheduled;
        c.scheduled_publish_at = At("2026-01-20T09:00:00Z");
        c.next_attempt_at = At("2026-01-20T14:00:00Z");
    });
    // Due-ness is measured from the caller's `now`.
    EXPECT_EQ(store().NextWorkIn(kNow), std::chrono::hours{2});  // the retry at 14:00
    const Content soon = NewScheduled(site_, At("2026-01-20T11:00:00Z"));
    EXPECT_EQ(store().NextWorkIn(kNow), -std::chrono::hours{1});  // overdue: negative
    // Once claimed, its lease end is what matters, measured on the database's clock (so
    // whatever `now` is passed).
    ASSERT_EQ(ClaimIds(kNow, 1), (std::vector<ContentId>{soon.id}));
    for (const TimePoint now : {kNow, At("2026-01-20T13:00:00Z")}) {
        const auto next = store().NextWorkIn(now);
        ASSERT_TRUE(next);
        EXPECT_GT(*next, kLease - std::chrono::seconds{30});
        EXPECT_LE(*next, kLease + kClockSlack);
    }
    // An expired claim (ExpireClaims) is work now.
    const std::vector<std::string> tokens = {"tok"};
    ASSERT_EQ(store().ExpireClaims(tokens), 1);
    const auto next = store().NextWorkIn(kNow);
    ASSERT_TRUE(next);
    EXPECT_LT(*next, Milliseconds{0});
}

}  // namespace
}  // namespace herald::storage::test
