// The write contract of the reworked Store, on every backend: content writes name the column
// groups they change and the version they were computed from; every write (the dispatcher's
// too) moves the version by one; one item per site and instant; sites and their settings
// share one version; deleted ids stay retired.

#include <gtest/gtest.h>

#include "storage/store_fixture.hpp"

namespace herald::storage::test {
namespace {

constexpr Milliseconds kLease = std::chrono::minutes{2};

using VersionedWritesTest = StoreTest;
HERALD_ON_EVERY_BACKEND(VersionedWritesTest);

/// Every column of a content row, for "nothing changed" checks.
void ExpectSameRow(const Content& got, const Content& want) {
    EXPECT_EQ(got.site_id, want.site_id);
    EXPECT_EQ(got.title, want.title);
    EXPECT_EQ(got.content_html, want.content_html);
    EXPECT_EQ(got.excerpt, want.excerpt);
    EXPECT_EQ(got.status, want.status);
    EXPECT_EQ(got.approved_at, want.approved_at);
    EXPECT_EQ(got.site_status, want.site_status);
    EXPECT_EQ(got.site_status_updated_at, want.site_status_updated_at);
    EXPECT_EQ(got.scheduled_publish_at, want.scheduled_publish_at);
    EXPECT_EQ(got.published_at, want.published_at);
    EXPECT_EQ(got.attempts, want.attempts);
    EXPECT_EQ(got.publication_id, want.publication_id);
    EXPECT_EQ(got.claim_token, want.claim_token);
    EXPECT_EQ(got.lease_until, want.lease_until);
    EXPECT_EQ(got.updated_at, want.updated_at);
    EXPECT_EQ(got.version, want.version);
}

TEST_P(VersionedWritesTest, UpdateContentWritesOnlyTheNamedGroups) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    const Site other = NewSite(account, "other");
    // The API read the item while it was scheduled; the dispatcher then claimed it, which
    // rewrote the schedule columns underneath the API's copy.
    const Content read = NewScheduled(site, At("2026-01-20T11:00:00Z"));
    auto claimed = ClaimBatch(store(), kNow, 10, "tok");
    ASSERT_EQ(claimed.size(), 1u);
    const Content held = *store().GetContent(account, read.id);
    ASSERT_EQ(held.site_status, SiteStatus::kPublishing);

    // A title edit from the stale copy, against the current version: the copy's every other
    // column is stale too (schedule, editorial, site), and none of them may be written.
    Content edit = read;
    edit.title = "new title";
    edit.excerpt = "new excerpt";
    edit.status = EditorialStatus::kDraft;
    edit.approved_at.reset();
    edit.site_id = other.id;
    edit.updated_at = kNow + Seconds{7};
    const WriteResult text = store().UpdateContent(edit, held.version, kContentText);
    ASSERT_EQ(text.outcome, WriteOutcome::kApplied);
    EXPECT_EQ(text.version, held.version + 1);

    Content want = held;
    want.title = "new title";
    want.excerpt = "new excerpt";
    want.updated_at = kNow + Seconds{7};
    want.version = held.version + 1;
    ExpectSameRow(*store().GetContent(account, read.id), want);

    // The claim still settles: its token, lease and attempts were left alone.
    Content done = claimed[0].content;
    done.site_status = SiteStatus::kPublished;
    done.published_at = kNow;
    done.claim_token.clear();
    done.lease_until.reset();
    PublishRecord record;
    record.outcome = AttemptOutcome::kPublished;
    EXPECT_TRUE(Finish(done, "tok", record));
    // … and settling wrote the schedule group only: the new title stays.
    const Content settled = *store().GetContent(account, read.id);
    EXPECT_EQ(settled.site_status, SiteStatus::kPublished);
    EXPECT_EQ(settled.title, "new title");
    EXPECT_EQ(settled.version, held.version + 2);

    // The editorial group alone: status moves, the title of the (stale) copy does not.
    Content editorial = read;
    editorial.title = "stale title";
    editorial.status = EditorialStatus::kReview;
    ASSERT_TRUE(store().UpdateContent(editorial, settled.version, kContentEditorial).applied());
    const Content after = *store().GetContent(account, read.id);
    EXPECT_EQ(after.status, EditorialStatus::kReview);
    EXPECT_EQ(after.title, "new title");
    EXPECT_EQ(after.site_status, SiteStatus::kPublished);
    EXPECT_EQ(after.site_id, site.id);
}

TEST_P(VersionedWritesTest, EveryWriteMovesTheVersionByOne) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    Content c = NewScheduled(site, At("2026-01-20T11:00:00Z"));
    EXPECT_EQ(c.version, 1);
    auto version = [&] { return store().GetContent(account, c.id)->version; };
    ASSERT_EQ(version(), 1);

    c.title = "edited";
    const WriteResult edited = store().UpdateContent(c, 1, kContentText);
    ASSERT_TRUE(edited.applied());
    EXPECT_EQ(edited.version, 2);
    EXPECT_EQ(version(), 2);

    auto claimed = ClaimBatch(store(), kNow, 1, "tok");
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_EQ(version(), 3);
    EXPECT_EQ(claimed[0].content.version, 3);  // the claimed copy is the stored row

    ASSERT_TRUE(store().RenewLease(c.id, "tok", kLease * 2));
    EXPECT_EQ(version(), 4);

    Content retry = claimed[0].content;  // back to scheduled, to be tried again
    retry.site_status = SiteStatus::kScheduled;
    retry.claim_token.clear();
    retry.lease_until.reset();
    retry.next_attempt_at = kNow + Seconds{30};
    PublishRecord record;
    record.outcome = AttemptOutcome::kRetry;
    ASSERT_TRUE(Finish(retry, "tok", record));
    EXPECT_EQ(version(), 5);

    const TimePoint later = kNow + std::chrono::minutes{1};
    ASSERT_EQ(ClaimBatch(store(), later, 1, "tok2").size(), 1u);
    EXPECT_EQ(version(), 6);
    const std::vector<ContentId> ids = {c.id};
    store().ReleaseClaims(ids, "tok2", later);
    EXPECT_EQ(version(), 7);
    ASSERT_EQ(ClaimBatch(store(), later, 1, "tok3").size(), 1u);
    EXPECT_EQ(version(), 8);
    const std::vector<std::string> tokens = {"tok3"};
    EXPECT_EQ(store().ExpireClaims(tokens), 1);
    EXPECT_EQ(version(), 9);
    ASSERT_EQ(ClaimBatch(store(), later, 1, "tok4").size(), 1u);
    EXPECT_EQ(version(), 10);
    store().AbandonClaims(ids, "tok4", later);
    EXPECT_EQ(version(), 11);

    // A write that does not apply moves nothing.
    EXPECT_FALSE(store().RenewLease(c.id, "tok4", kLease));
    store().ReleaseClaims(ids, "tok4", later);
    EXPECT_EQ(store().UpdateContent(c, 1, kContentText).outcome, WriteOutcome::kConflict);
    EXPECT_EQ(version(), 11);

    // Publish now and the scheduler's assignment count as writes too.
    const Content queued = NewApproved(site, kNow);
    auto now_claim = store().ClaimOne(account, queued.id, "now", kNow, kNow + kLease);
    ASSERT_TRUE(now_claim && now_claim->ok());
    EXPECT_EQ(store().GetContent(account, queued.id)->version, 2);
    const Content to_place = NewApproved(site, kNow);
    ScheduleRequest request;
    request.sites = {site.id};
    request.now = kNow;
    request.calendar_from = kNow - kCalendarLookBack;
    request.require_auto_publish = false;
    const auto outcomes = store().ScheduleSites(request, [&](const SiteSchedulingInput&) {
        return Result<std::vector<SlotAssignment>>(
            std::vector<SlotAssignment>{{to_place.id, At("2026-01-21T09:00:00Z")}});
    });
    ASSERT_EQ(outcomes.size(), 1u);
    ASSERT_EQ(outcomes[0].assignments.size(), 1u);
    EXPECT_EQ(store().GetContent(account, to_place.id)->version, 2);
}

TEST_P(VersionedWritesTest, StaleVersionIsConflictAndChangesNothing) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    const Content read = NewScheduled(site, At("2026-01-20T11:00:00Z"));
    // The dispatcher's claim moves the version after the API read the row.
    ASSERT_EQ(ClaimBatch(store(), kNow, 1, "tok").size(), 1u);
    const Content before = *store().GetContent(account, read.id);
    ASSERT_EQ(before.version, read.version + 1);

    for (unsigned fields : {unsigned{kContentText}, unsigned{kContentEditorial},
                            unsigned{kContentSchedule}, unsigned{kContentSite}}) {
        Content edit = read;
        edit.title = "lost";
        edit.status = EditorialStatus::kDraft;
        edit.site_status = SiteStatus::kScheduled;
        edit.scheduled_publish_at = At("2026-03-01T09:00:00Z");
        edit.updated_at = kNow + Seconds{1};
        const WriteResult r = store().UpdateContent(edit, read.version, fields);
        EXPECT_EQ(r.outcome, WriteOutcome::kConflict) << "fields " << fields;
        ExpectSameRow(*store().GetContent(account, read.id), before);
    }
    EXPECT_EQ(store().DeleteContent(account, read.id, read.version), WriteOutcome::kConflict);
    ExpectSameRow(*store().GetContent(account, read.id), before);
}

TEST_P(VersionedWritesTest, MissingRowsAreNotFound) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    Content ghost = MakeContent(site);
    ghost.id = 999999;
    EXPECT_EQ(store().UpdateContent(ghost, 1, kContentText).outcome, WriteOutcome::kNotFound);
    EXPECT_EQ(store().DeleteContent(account, 999999, 1), WriteOutcome::kNotFound);
    // Deleted meanwhile is missing too, not a conflict.
    const Content gone = NewContent(site);
    ASSERT_EQ(store().DeleteContent(account, gone.id, gone.version), WriteOutcome::kApplied);
    EXPECT_EQ(store().UpdateContent(gone, gone.version, kContentText).outcome,
              WriteOutcome::kNotFound);
    EXPECT_EQ(store().DeleteContent(account, gone.id, gone.version), WriteOutcome::kNotFound);

    Site ghost_site = site;
    ghost_site.id = site.id + 1000;
    EXPECT_EQ(store().UpdateSite(ghost_site, 1).outcome, WriteOutcome::kNotFound);
    EXPECT_EQ(store().DeleteSite(account, ghost_site.id, 1), WriteOutcome::kNotFound);
    PublishingSettings settings;
    settings.site_id = ghost_site.id;
    EXPECT_EQ(store().PutSettings(account, settings, 1).outcome, WriteOutcome::kNotFound);
}

TEST_P(VersionedWritesTest, OneItemPerSiteAndInstant) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    const Site other = NewSite(account, "other");
    const TimePoint taken = At("2026-01-21T09:00:00Z");
    const Content holder = NewScheduled(site, taken);

    // Scheduling a second item of the site at the instant: refused, nothing written.
    const Content b = NewApproved(site, kNow);
    Content move = b;
    move.site_status = SiteStatus::kScheduled;
    move.scheduled_publish_at = taken;
    move.title = "not written either";
    EXPECT_EQ(store().UpdateContent(move, b.version, kContentSchedule | kContentText).outcome,
              WriteOutcome::kSlotTaken);
    ExpectSameRow(*store().GetContent(account, b.id), b);

    // Moving a scheduled item of another site onto the site, at the taken instant.
    const Content c = NewScheduled(other, taken);  // another site: the instant is its own
    Content hop = c;
    hop.site_id = site.id;
    EXPECT_EQ(store().UpdateContent(hop, c.version, kContentSite).outcome,
              WriteOutcome::kSlotTaken);
    ExpectSameRow(*store().GetContent(account, c.id), c);

    // Creating one there is refused too, and leaves no row behind.
    Content create = MakeContent(site, "dup");
    create.status = EditorialStatus::kApproved;
    create.site_status = SiteStatus::kScheduled;
    create.scheduled_publish_at = taken;
    EXPECT_THROW(store().CreateContent(create), StorageError);
    ContentFilter filter;
    filter.account_id = account;
    filter.site_id = site.id;
    EXPECT_EQ(store().ListContent(filter).count, 2);

    // A millisecond apart is another instant; a time on an unscheduled item holds nothing.
    move.scheduled_publish_at = taken + Milliseconds{1};
    EXPECT_TRUE(store().UpdateContent(move, b.version, kContentSchedule).applied());
    const Content timed = NewContent(site, [&](Content& x) { x.scheduled_publish_at = taken; });
    EXPECT_EQ(timed.site_status, SiteStatus::kNotPublished);

    // While publishing the item still holds its instant; once published it frees it.
    const std::vector<SiteId> skip = {other.id};  // `c` is due then too
    auto claimed = ClaimBatch(store(), taken, 1, "tok", kLease, skip);
    ASSERT_EQ(claimed.size(), 1u);
    ASSERT_EQ(claimed[0].content.id, holder.id);
    Content again = *store().GetContent(account, b.id);
    again.scheduled_publish_at = taken;
    EXPECT_EQ(store().UpdateContent(again, again.version, kContentSchedule).outcome,
              WriteOutcome::kSlotTaken);
    Content done = claimed[0].content;
    done.site_status = SiteStatus::kPublished;
    done.published_at = taken;
    done.claim_token.clear();
    done.lease_until.reset();
    PublishRecord record;
    record.outcome = AttemptOutcome::kPublished;
    ASSERT_TRUE(Finish(done, "tok", record));
    EXPECT_TRUE(store().UpdateContent(again, again.version, kContentSchedule).applied());
    EXPECT_EQ(store().GetContent(account, b.id)->scheduled_publish_at, taken);
}

TEST_P(VersionedWritesTest, SitesAndTheirSettingsShareOneVersion) {
    const AccountId account = NewAccount();
    Site site = NewSite(account);
    EXPECT_EQ(site.version, 1);
    EXPECT_EQ(store().GetSite(account, site.id)->version, 1);

    site.name = "renamed";
    const WriteResult renamed = store().UpdateSite(site, 1);
    ASSERT_EQ(renamed.outcome, WriteOutcome::kApplied);
    EXPECT_EQ(renamed.version, 2);
    site.name = "lost";
    EXPECT_EQ(store().UpdateSite(site, 1).outcome, WriteOutcome::kConflict);
    EXPECT_EQ(store().GetSite(account, site.id)->name, "renamed");
    EXPECT_EQ(store().GetSite(account, site.id)->version, 2);

    PublishingSettings settings = *store().GetSettings(account, site.id);
    settings.daily_publish_limit = 3;
    const WriteResult put = store().PutSettings(account, settings, 2);
    ASSERT_EQ(put.outcome, WriteOutcome::kApplied);
    EXPECT_EQ(put.version, 3);
    EXPECT_EQ(store().GetSite(account, site.id)->version, 3);
    // Settings computed from the older site: refused, the settings stay.
    settings.daily_publish_limit = 9;
    EXPECT_EQ(store().PutSettings(account, settings, 2).outcome, WriteOutcome::kConflict);
    EXPECT_EQ(store().GetSettings(account, site.id)->daily_publish_limit, 3);
    EXPECT_EQ(store().GetSite(account, site.id)->version, 3);
    // … and a site edit computed before the settings change is stale as well.
    site.name = "also lost";
    EXPECT_EQ(store().UpdateSite(site, 2).outcome, WriteOutcome::kConflict);
    EXPECT_EQ(store().GetSite(account, site.id)->name, "renamed");
    // No expectation: applies over whatever is stored.
    const WriteResult blind = store().PutSettings(account, settings, std::nullopt);
    ASSERT_TRUE(blind.applied());
    EXPECT_EQ(blind.version, 4);
    EXPECT_EQ(store().GetSettings(account, site.id)->daily_publish_limit, 9);

    // Deleting: a stale version is a conflict, an item in flight makes it busy; neither
    // deletes anything.
    const Content item = NewScheduled(site, At("2026-01-20T11:00:00Z"));
    EXPECT_EQ(store().DeleteSite(account, site.id, 3), WriteOutcome::kConflict);
    auto claimed = ClaimBatch(store(), kNow, 1, "tok");
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_EQ(store().DeleteSite(account, site.id, 4), WriteOutcome::kBusy);
    EXPECT_EQ(store().DeleteSite(account, site.id, std::nullopt), WriteOutcome::kBusy);
    EXPECT_TRUE(store().GetSite(account, site.id));
    EXPECT_TRUE(store().GetContent(account, item.id));
    EXPECT_EQ(store().GetSite(account, site.id)->version, 4);  // content moves don't count

    Content done = claimed[0].content;
    done.site_status = SiteStatus::kPublished;
    done.claim_token.clear();
    done.lease_until.reset();
    PublishRecord record;
    record.outcome = AttemptOutcome::kPublished;
    ASSERT_TRUE(Finish(done, "tok", record));
    EXPECT_EQ(store().DeleteSite(account, site.id, 4), WriteOutcome::kApplied);
    EXPECT_FALSE(store().GetSite(account, site.id));
    EXPECT_FALSE(store().GetContent(account, item.id));
}

TEST_P(VersionedWritesTest, IdsOfDeletedContentAreNotReused) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    const Content first = NewContent(site);
    const Content last = NewContent(site);
    ASSERT_EQ(store().DeleteContent(account, last.id, last.version), WriteOutcome::kApplied);
    // A reused id would let a stale client (or record) address a different item.
    const Content next = NewContent(site);
    EXPECT_GT(next.id, last.id);
    ASSERT_EQ(store().DeleteContent(account, next.id, next.version), WriteOutcome::kApplied);
    Reopen();  // the high-water mark is stored, not kept in memory
    const Content after_reopen = NewContent(site);
    EXPECT_GT(after_reopen.id, next.id);
    EXPECT_GT(after_reopen.id, first.id);
}

}  // namespace
}  // namespace herald::storage::test
