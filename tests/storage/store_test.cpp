// The store's resources on every backend: accounts, sites, settings, content; isolation
// between accounts; list filters, ordering and pagination; OpenStore URLs; reopening.

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "storage/store_fixture.hpp"

namespace herald::storage::test {
namespace {

constexpr unsigned kAllFields = kContentText | kContentSite | kContentEditorial | kContentSchedule;

std::vector<ContentId> Ids(const Page<Content>& page) {
    std::vector<ContentId> ids;
    for (const Content& c : page.items) ids.push_back(c.id);
    return ids;
}

// --- OpenStore ------------------------------------------------------------------------------

TEST(OpenStoreTest, AcceptsSqliteUrlAndBarePath) {
    herald::testing::TempDir dir;
    const std::string a = dir.File("a.db");
    const std::string b = dir.File("b.db");
    {
        StorePtr store = OpenStore("sqlite:" + a);
        store->CreateAccount("one", "h1", At("2026-01-01T00:00:00Z"));
    }
    StorePtr store_b = OpenStore(b);
    EXPECT_TRUE(std::filesystem::exists(a));
    EXPECT_TRUE(std::filesystem::exists(b));
    EXPECT_EQ(OpenStore("sqlite:" + a)->CountAccounts(), 1);
    EXPECT_EQ(store_b->CountAccounts(), 0);
    EXPECT_EQ(OpenStore("sqlite://" + a)->CountAccounts(), 1);  // sqlite:///abs/path
}

// PostgreSQL is in the build now: an unreachable server is a StorageError like a bad file
// (port 1 on loopback refuses at once, so this needs no server and no timeout).
TEST(OpenStoreTest, UnreachablePostgresIsStorageError) {
    EXPECT_THROW(OpenStore("postgresql://herald@127.0.0.1:1/herald"), StorageError);
    EXPECT_THROW(OpenStore("postgres://herald@127.0.0.1:1/x"), StorageError);
}

TEST(OpenStoreTest, UnknownSchemeNamesAcceptedForms) {
    try {
        OpenStore("mysql://localhost/herald");
        FAIL() << "expected StorageError";
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("sqlite:PATH"), std::string::npos) << e.what();
    }
    EXPECT_THROW(OpenStore("sqlite:"), StorageError);
    EXPECT_THROW(OpenStore(""), StorageError);
    EXPECT_THROW(OpenStore(":memory:"), StorageError);
}

TEST(OpenStoreTest, UnopenableOrCorruptFileIsStorageError) {
    herald::testing::TempDir dir;
    EXPECT_THROW(OpenStore(dir.File("missing-dir/x.db")), StorageError);
    const std::string junk = dir.File("junk.db");
    {
        std::FILE* f = std::fopen(junk.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        std::string garbage(8192, 'x');
        std::fwrite(garbage.data(), 1, garbage.size(), f);
        std::fclose(f);
    }
    EXPECT_THROW(OpenStore(junk), StorageError);
}

// --- accounts -------------------------------------------------------------------------------

using AccountsTest = StoreTest;
HERALD_ON_EVERY_BACKEND(AccountsTest);

TEST_P(AccountsTest, CreateFindCount) {
    EXPECT_EQ(store().CountAccounts(), 0);
    const AccountId a = store().CreateAccount("acme", "hash-a", kNow);
    const AccountId b = store().CreateAccount("beta", "hash-b", kNow);
    EXPECT_NE(a, b);
    EXPECT_EQ(store().CountAccounts(), 2);
    auto found = store().FindAccountByKeyHash("hash-b");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, b);
    EXPECT_EQ(found->name, "beta");
    EXPECT_EQ(found->created_at, kNow);
    EXPECT_FALSE(store().FindAccountByKeyHash("nope"));
}

TEST_P(AccountsTest, DuplicateKeyHashIsRefused) {
    store().CreateAccount("acme", "same", kNow);
    EXPECT_THROW(store().CreateAccount("other", "same", kNow), StorageError);
    EXPECT_EQ(store().CountAccounts(), 1);
}

TEST_P(AccountsTest, DuplicateNameIsRefusedByTheSchema) {
    // CreateAccount does not look first: only the unique index can refuse this.
    const AccountId a = store().CreateAccount("acme", "h1", kNow);
    EXPECT_THROW(store().CreateAccount("acme", "h2", kNow), AccountNameTaken);
    EXPECT_EQ(store().CountAccounts(), 1);
    EXPECT_FALSE(store().FindAccountByKeyHash("h2")) << "no key of a refused account";
    EXPECT_EQ(store().FindAccountsByName("acme").at(0).id, a);
    store().CreateAccount("Acme", "h3", kNow);  // another name: case counts
    EXPECT_EQ(store().CountAccounts(), 2);
}

// --- sites and settings -----------------------------------------------------------------------

using SitesTest = StoreTest;
HERALD_ON_EVERY_BACKEND(SitesTest);

TEST_P(SitesTest, CreateGetRoundTripsEveryField) {
    const AccountId account = NewAccount();
    Site site;
    site.account_id = account;
    site.name = "Shop blog";
    site.platform_type = Platform::kShopify;
    site.domain = "https://shop.example.com";
    site.api_key = "shpat_123";
    site.username = "owner";
    site.timezone = "Europe/Berlin";
    site.is_active = false;
    site.options_json = R"({"blog_id":42})";
    site.created_at = At("2026-01-01T10:00:00.250Z");
    site.updated_at = At("2026-01-02T10:00:00Z");
    PublishingSettings settings;
    settings.auto_publish_enabled = true;
    settings.publish_days = {5, 6};
    settings.publish_time_slots = {8 * 60 + 30};
    settings.weekly_publish_limit = 3;
    settings.updated_at = kNow;

    const Site created = store().CreateSite(site, settings);
    EXPECT_GT(created.id, 0);
    auto got = store().GetSite(account, created.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->account_id, account);
    EXPECT_EQ(got->name, "Shop blog");
    EXPECT_EQ(got->platform_type, Platform::kShopify);
    EXPECT_EQ(got->domain, "https://shop.example.com");
    EXPECT_EQ(got->api_key, "shpat_123");
    EXPECT_EQ(got->username, "owner");
    EXPECT_EQ(got->timezone, "Europe/Berlin");
    EXPECT_FALSE(got->is_active);
    EXPECT_EQ(got->options_json, R"({"blog_id":42})");
    EXPECT_EQ(got->created_at, site.created_at);
    EXPECT_EQ(got->updated_at, site.updated_at);

    auto s = store().GetSettings(account, created.id);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->site_id, created.id);
    EXPECT_TRUE(s->auto_publish_enabled);
    EXPECT_EQ(s->publish_days, (std::vector<int>{5, 6}));
    EXPECT_EQ(s->publish_time_slots, (std::vector<int>{510}));
    EXPECT_FALSE(s->daily_publish_limit);
    EXPECT_EQ(s->weekly_publish_limit, 3);
    EXPECT_FALSE(s->monthly_publish_limit);
    EXPECT_EQ(s->updated_at, kNow);
}

TEST_P(SitesTest, ListPaginatesByIdWithCount) {
    const AccountId account = NewAccount();
    const AccountId other = NewAccount("other");
    std::vector<SiteId> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(NewSite(account, "s" + std::to_string(i)).id);
    NewSite(other, "foreign");

    auto first = store().ListSites(account, {1, 2});
    EXPECT_EQ(first.count, 5);
    ASSERT_EQ(first.items.size(), 2u);
    EXPECT_EQ(first.items[0].id, ids[0]);
    EXPECT_EQ(first.items[1].id, ids[1]);
    auto last = store().ListSites(account, {3, 2});
    EXPECT_EQ(last.count, 5);
    ASSERT_EQ(last.items.size(), 1u);
    EXPECT_EQ(last.items[0].id, ids[4]);
    auto beyond = store().ListSites(account, {4, 2});
    EXPECT_EQ(beyond.count, 5);
    EXPECT_TRUE(beyond.items.empty());
}

TEST_P(SitesTest, UpdateWritesFieldsAndKeepsCreatedAt) {
    const AccountId account = NewAccount();
    Site site = NewSite(account);
    const TimePoint created_at = site.created_at;
    site.name = "Renamed";
    site.platform_type = Platform::kGhost;
    site.api_key = "";
    site.is_active = false;
    site.options_json = R"({"x":1})";
    site.updated_at = At("2026-02-01T00:00:00Z");
    site.created_at = At("2030-01-01T00:00:00Z");  // immutable: ignored
    const WriteResult updated = store().UpdateSite(site, site.version);
    EXPECT_EQ(updated.outcome, WriteOutcome::kApplied);
    EXPECT_EQ(updated.version, site.version + 1);
    auto got = store().GetSite(account, site.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->name, "Renamed");
    EXPECT_EQ(got->platform_type, Platform::kGhost);
    EXPECT_EQ(got->api_key, "");
    EXPECT_FALSE(got->is_active);
    EXPECT_EQ(got->options_json, R"({"x":1})");
    EXPECT_EQ(got->updated_at, At("2026-02-01T00:00:00Z"));
    EXPECT_EQ(got->created_at, created_at);
    EXPECT_EQ(got->version, updated.version);

    Site missing = site;
    missing.id = site.id + 100;
    EXPECT_EQ(store().UpdateSite(missing, site.version).outcome, WriteOutcome::kNotFound);
}

TEST_P(SitesTest, PutSettingsReplaces) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    PublishingSettings s;
    s.site_id = site.id;
    s.auto_publish_enabled = true;
    s.publish_days = {0, 2, 4};
    s.publish_time_slots = {600, 900};
    s.daily_publish_limit = 2;
    s.monthly_publish_limit = 10;
    s.updated_at = At("2026-03-01T00:00:00Z");
    EXPECT_TRUE(store().PutSettings(account, s, std::nullopt).applied());
    auto got = store().GetSettings(account, site.id);
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->auto_publish_enabled);
    EXPECT_EQ(got->publish_days, (std::vector<int>{0, 2, 4}));
    EXPECT_EQ(got->publish_time_slots, (std::vector<int>{600, 900}));
    EXPECT_EQ(got->daily_publish_limit, 2);
    EXPECT_FALSE(got->weekly_publish_limit);
    EXPECT_EQ(got->monthly_publish_limit, 10);
    EXPECT_EQ(got->updated_at, s.updated_at);

    s.daily_publish_limit.reset();
    s.publish_days = {};
    EXPECT_TRUE(store().PutSettings(account, s, std::nullopt).applied());
    got = store().GetSettings(account, site.id);
    EXPECT_FALSE(got->daily_publish_limit);
    EXPECT_TRUE(got->publish_days.empty());

    s.site_id = site.id + 100;
    EXPECT_EQ(store().PutSettings(account, s, std::nullopt).outcome, WriteOutcome::kNotFound);
}

TEST_P(SitesTest, DeleteCascadesToSettingsContentAndRecords) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    const Site keep = NewSite(account, "keep");
    const Content c = NewContent(site);
    const Content kept = NewContent(keep);

    // A record for `c`, written the way the dispatcher does.
    Content scheduled = NewScheduled(site, At("2026-01-20T11:00:00Z"));
    auto claimed = ClaimBatch(store(), kNow, 10, "tok");
    ASSERT_EQ(claimed.size(), 1u);
    Content done = claimed[0].content;
    done.site_status = SiteStatus::kPublished;
    done.claim_token.clear();
    done.lease_until.reset();
    PublishRecord record;
    record.outcome = AttemptOutcome::kPublished;
    ASSERT_TRUE(Finish(done, "tok", record));
    ASSERT_EQ(store().ListRecords({account, std::nullopt, site.id, {}}).count, 1);

    EXPECT_EQ(store().DeleteSite(account, site.id, std::nullopt), WriteOutcome::kApplied);
    EXPECT_FALSE(store().GetSite(account, site.id));
    EXPECT_FALSE(store().GetSettings(account, site.id));
    EXPECT_FALSE(store().GetContent(account, c.id));
    EXPECT_FALSE(store().GetContent(account, scheduled.id));
    EXPECT_EQ(store().ListRecords({account, std::nullopt, std::nullopt, {}}).count, 0);
    EXPECT_TRUE(store().GetContent(account, kept.id));
    EXPECT_TRUE(store().GetSettings(account, keep.id));
    EXPECT_EQ(store().DeleteSite(account, site.id, std::nullopt), WriteOutcome::kNotFound);
}

TEST_P(SitesTest, DeleteRefusedWhileAnItemIsPublishing) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    const Content c = NewScheduled(site, At("2026-01-20T11:00:00Z"));
    ASSERT_EQ(ClaimBatch(store(), kNow, 10, "tok").size(), 1u);
    EXPECT_EQ(store().DeleteSite(account, site.id, std::nullopt), WriteOutcome::kBusy);
    EXPECT_TRUE(store().GetSite(account, site.id));
    EXPECT_TRUE(store().GetContent(account, c.id));
}

// --- account isolation ----------------------------------------------------------------------

using IsolationTest = StoreTest;
HERALD_ON_EVERY_BACKEND(IsolationTest);

TEST_P(IsolationTest, AnotherAccountsObjectsBehaveAsMissing) {
    const AccountId mine = NewAccount("mine");
    const AccountId theirs = NewAccount("theirs");
    const Site site = NewSite(theirs);
    Content content = NewContent(site);

    EXPECT_FALSE(store().GetSite(mine, site.id));
    EXPECT_FALSE(store().GetSettings(mine, site.id));
    EXPECT_EQ(store().ListSites(mine, {}).count, 0);
    EXPECT_EQ(store().DeleteSite(mine, site.id, std::nullopt), WriteOutcome::kNotFound);
    EXPECT_EQ(store().DeleteSite(mine, site.id, site.version), WriteOutcome::kNotFound);
    Site hijack = site;
    hijack.account_id = mine;
    hijack.name = "hijacked";
    EXPECT_EQ(store().UpdateSite(hijack, site.version).outcome, WriteOutcome::kNotFound);
    PublishingSettings settings;
    settings.site_id = site.id;
    EXPECT_EQ(store().PutSettings(mine, settings, std::nullopt).outcome, WriteOutcome::kNotFound);
    EXPECT_EQ(store().PutSettings(mine, settings, site.version).outcome, WriteOutcome::kNotFound);

    EXPECT_FALSE(store().GetContent(mine, content.id));
    ContentFilter filter;
    filter.account_id = mine;
    EXPECT_EQ(store().ListContent(filter).count, 0);
    filter.site_id = site.id;
    EXPECT_EQ(store().ListContent(filter).count, 0);
    Content edit = content;
    edit.account_id = mine;
    edit.title = "hijacked";
    EXPECT_EQ(store().UpdateContent(edit, content.version, kAllFields).outcome,
              WriteOutcome::kNotFound);
    EXPECT_EQ(store().DeleteContent(mine, content.id, content.version), WriteOutcome::kNotFound);
    EXPECT_EQ(store().ClaimOne(mine, content.id, "tok", kNow, kNow + Seconds{60}), std::nullopt);

    // Content cannot be created into, or moved onto, another account's site.
    const Site my_site = NewSite(mine);
    Content foreign = MakeContent(site);
    foreign.account_id = mine;
    EXPECT_THROW(store().CreateContent(foreign), StorageError);
    Content moved = NewContent(my_site);
    moved.site_id = site.id;
    EXPECT_FALSE(store().UpdateContent(moved, moved.version, kContentSite).applied());
    EXPECT_EQ(store().GetContent(mine, moved.id)->site_id, my_site.id);

    // Theirs is untouched.
    EXPECT_EQ(store().GetSite(theirs, site.id)->name, "blog");
    EXPECT_EQ(store().GetContent(theirs, content.id)->title, content.title);
    EXPECT_EQ(store().GetSite(theirs, site.id)->version, site.version);
    EXPECT_EQ(store().GetContent(theirs, content.id)->version, content.version);
}

// --- content ------------------------------------------------------------------------------------

using ContentTest = StoreTest;
HERALD_ON_EVERY_BACKEND(ContentTest);

TEST_P(ContentTest, CreateGetRoundTripsEveryField) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    Content c = MakeContent(site, "Title ✓");
    c.content_html = std::string(20000, 'h');
    c.excerpt = "ex";
    c.slug = "title";
    c.content_type = "page";
    c.cluster_id = 77;
    c.categories = {"News", "Ünïcode \"quoted\""};
    // Plain names, an empty one, a comma inside a name and an escape: both decoding paths.
    c.tags = {"a", "", "b, c", "back\\slash"};
    c.featured_image_url = "https://img.example.com/x.png";
    c.status = EditorialStatus::kApproved;
    c.approved_at = At("2026-01-19T08:00:00.125Z");
    c.site_status = SiteStatus::kFailed;
    c.site_status_updated_at = At("2026-01-19T09:00:00Z");
    c.scheduled_publish_at = At("2026-01-19T08:30:00Z");
    c.published_at = At("2026-01-18T08:30:00Z");
    c.external_id = "ext-1";
    c.external_url = "https://example.com/p/1";
    c.last_error = "boom";
    c.next_attempt_at = At("2026-01-19T08:35:00Z");
    c.attempts = 3;
    c.publication_id = "pub";
    c.claim_token = "";
    c.lease_until = At("2026-01-19T08:40:00Z");
    c.created_at = At("2026-01-01T00:00:00Z");
    c.updated_at = At("2026-01-19T09:00:00Z");

    const Content created = store().CreateContent(c);
    ASSERT_GT(created.id, 0);
    auto got = store().GetContent(account, created.id);
    ASSERT_TRUE(got);
    Content expected = c;
    expected.id = created.id;
    EXPECT_EQ(got->title, expected.title);
    EXPECT_EQ(got->content_html, expected.content_html);
    EXPECT_EQ(got->excerpt, expected.excerpt);
    EXPECT_EQ(got->slug, expected.slug);
    EXPECT_EQ(got->content_type, expected.content_type);
    EXPECT_EQ(got->cluster_id, expected.cluster_id);
    EXPECT_EQ(got->categories, expected.categories);
    EXPECT_EQ(got->tags, expected.tags);
    EXPECT_EQ(got->featured_image_url, expected.featured_image_url);
    EXPECT_EQ(got->status, expected.status);
    EXPECT_EQ(got->approved_at, expected.approved_at);
    EXPECT_EQ(got->site_status, expected.site_status);
    EXPECT_EQ(got->site_status_updated_at, expected.site_status_updated_at);
    EXPECT_EQ(got->scheduled_publish_at, expected.scheduled_publish_at);
    EXPECT_EQ(got->published_at, expected.published_at);
    EXPECT_EQ(got->external_id, expected.external_id);
    EXPECT_EQ(got->external_url, expected.external_url);
    EXPECT_EQ(got->last_error, expected.last_error);
    EXPECT_EQ(got->next_attempt_at, expected.next_attempt_at);
    EXPECT_EQ(got->attempts, expected.attempts);
    EXPECT_EQ(got->publication_id, expected.publication_id);
    EXPECT_EQ(got->claim_token, expected.claim_token);
    EXPECT_EQ(got->lease_until, expected.lease_until);
    EXPECT_EQ(got->created_at, expected.created_at);
    EXPECT_EQ(got->updated_at, expected.updated_at);
    EXPECT_EQ(got->account_id, account);
    EXPECT_EQ(got->site_id, site.id);

    // Optional fields come back empty when unset.
    const Content bare = NewContent(site);
    auto bare_got = store().GetContent(account, bare.id);
    EXPECT_FALSE(bare_got->cluster_id);
    EXPECT_FALSE(bare_got->approved_at);
    EXPECT_FALSE(bare_got->scheduled_publish_at);
    EXPECT_FALSE(bare_got->lease_until);
    EXPECT_TRUE(bare_got->categories.empty());
    EXPECT_EQ(bare_got->content_type, "post");
}

TEST_P(ContentTest, UpdateIsCompareAndSetOnVersion) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    Content c = NewContent(site);
    ASSERT_EQ(c.version, 1);
    const std::string original_title = c.title;
    c.title = "edited";
    c.status = EditorialStatus::kApproved;
    c.site_status = SiteStatus::kScheduled;
    c.scheduled_publish_at = At("2026-02-01T09:00:00Z");
    c.updated_at = At("2026-01-20T12:05:00Z");

    // Computed from a version the row never had: refused, nothing written.
    EXPECT_EQ(store().UpdateContent(c, c.version + 1, kAllFields).outcome, WriteOutcome::kConflict);
    EXPECT_EQ(store().GetContent(account, c.id)->title, original_title);
    EXPECT_EQ(store().GetContent(account, c.id)->version, 1);
    const WriteResult applied = store().UpdateContent(c, c.version, kAllFields);
    EXPECT_EQ(applied.outcome, WriteOutcome::kApplied);
    EXPECT_EQ(applied.version, 2);
    auto got = store().GetContent(account, c.id);
    EXPECT_EQ(got->title, "edited");
    EXPECT_EQ(got->status, EditorialStatus::kApproved);
    EXPECT_EQ(got->site_status, SiteStatus::kScheduled);
    EXPECT_EQ(got->scheduled_publish_at, At("2026-02-01T09:00:00Z"));
    EXPECT_EQ(got->updated_at, At("2026-01-20T12:05:00Z"));
    EXPECT_EQ(got->version, 2);
    // Stale expectation now fails: the row moved on.
    c.title = "stale";
    EXPECT_EQ(store().UpdateContent(c, 1, kAllFields).outcome, WriteOutcome::kConflict);
    EXPECT_EQ(store().GetContent(account, c.id)->title, "edited");

    Content missing = c;
    missing.id = c.id + 1000;
    EXPECT_EQ(store().UpdateContent(missing, 1, kAllFields).outcome, WriteOutcome::kNotFound);
}

TEST_P(ContentTest, DeleteIsCompareAndSetOnVersion) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    const Content c = NewScheduled(site, At("2026-02-01T09:00:00Z"));
    EXPECT_EQ(store().DeleteContent(account, c.id, c.version + 1), WriteOutcome::kConflict);
    EXPECT_TRUE(store().GetContent(account, c.id));
    EXPECT_EQ(store().DeleteContent(account, c.id, c.version), WriteOutcome::kApplied);
    EXPECT_FALSE(store().GetContent(account, c.id));
    EXPECT_EQ(store().DeleteContent(account, c.id, c.version), WriteOutcome::kNotFound);
}

TEST_P(ContentTest, DataSurvivesReopen) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    const Content c = NewScheduled(site, At("2026-02-01T09:00:00Z"));
    Reopen();
    EXPECT_EQ(store().CountAccounts(), 1);
    EXPECT_EQ(store().GetSite(account, site.id)->name, site.name);
    auto got = store().GetContent(account, c.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->scheduled_publish_at, At("2026-02-01T09:00:00Z"));
    EXPECT_EQ(got->version, c.version);
    if (auto* file_store = dynamic_cast<sqlite::SqliteStore*>(&store())) {
        EXPECT_EQ(file_store->SchemaVersion(), sqlite::SqliteStore::LatestSchemaVersion());
    }
}

// --- list filters --------------------------------------------------------------------------------

class ListContentTest : public StoreTest {
protected:
    void SetUp() override {
        account_ = NewAccount();
        other_ = NewAccount("other");
        a_ = NewSite(account_, "a");
        b_ = NewSite(account_, "b");
        const Site foreign = NewSite(other_, "foreign");
        // 0: a draft post, unscheduled
        ids_.push_back(NewContent(a_).id);
        // 1: a approved page, scheduled Feb 3, cluster 7
        ids_.push_back(NewContent(a_, [](Content& c) {
                           c.status = EditorialStatus::kApproved;
                           c.content_type = "page";
                           c.cluster_id = 7;
                           c.site_status = SiteStatus::kScheduled;
                           c.scheduled_publish_at = At("2026-02-03T09:00:00Z");
                       }).id);
        // 2: b approved post, scheduled Feb 1, cluster 7
        ids_.push_back(NewContent(b_, [](Content& c) {
                           c.status = EditorialStatus::kApproved;
                           c.cluster_id = 7;
                           c.site_status = SiteStatus::kScheduled;
                           c.scheduled_publish_at = At("2026-02-01T09:00:00Z");
                       }).id);
        // 3: b review post, published, scheduled Jan 10
        ids_.push_back(NewContent(b_, [](Content& c) {
                           c.status = EditorialStatus::kReview;
                           c.site_status = SiteStatus::kPublished;
                           c.scheduled_publish_at = At("2026-01-10T09:00:00Z");
                       }).id);
        // 4: a approved post, scheduled Feb 2
        ids_.push_back(NewContent(a_, [](Content& c) {
                           c.status = EditorialStatus::kApproved;
                           c.site_status = SiteStatus::kScheduled;
                           c.scheduled_publish_at = At("2026-02-02T09:00:00Z");
                       }).id);
        // Another account's, matching every filter above: must never appear.
        NewContent(foreign, [](Content& c) {
            c.status = EditorialStatus::kApproved;
            c.cluster_id = 7;
            c.site_status = SiteStatus::kScheduled;
            c.scheduled_publish_at = At("2026-02-01T09:00:00Z");
        });
    }

    ContentFilter Filter() {
        ContentFilter f;
        f.account_id = account_;
        return f;
    }
    std::vector<ContentId> Pick(std::initializer_list<int> indices) {
        std::vector<ContentId> out;
        for (int i : indices) out.push_back(ids_[i]);
        return out;
    }

    AccountId account_ = 0, other_ = 0;
    Site a_, b_;
    std::vector<ContentId> ids_;
};
HERALD_ON_EVERY_BACKEND(ListContentTest);

TEST_P(ListContentTest, NoFilterListsTheAccountsContentById) {
    auto page = store().ListContent(Filter());
    EXPECT_EQ(page.count, 5);
    EXPECT_EQ(Ids(page), Pick({0, 1, 2, 3, 4}));
}

TEST_P(ListContentTest, EachFilter) {
    auto f = Filter();
    f.site_id = a_.id;
    EXPECT_EQ(Ids(store().ListContent(f)), Pick({0, 1, 4}));

    f = Filter();
    f.status = EditorialStatus::kApproved;
    EXPECT_EQ(Ids(store().ListContent(f)), Pick({1, 2, 4}));

    f = Filter();
    f.site_status = SiteStatus::kScheduled;
    EXPECT_EQ(Ids(store().ListContent(f)), Pick({1, 2, 4}));
    f.site_status = SiteStatus::kPublished;
    EXPECT_EQ(Ids(store().ListContent(f)), Pick({3}));

    f = Filter();
    f.content_type = "page";
    EXPECT_EQ(Ids(store().ListContent(f)), Pick({1}));

    f = Filter();
    f.cluster_id = 7;
    EXPECT_EQ(Ids(store().ListContent(f)), Pick({1, 2}));

    f = Filter();
    f.scheduled_after = At("2026-02-02T09:00:00Z");  // inclusive
    EXPECT_EQ(Ids(store().ListContent(f)), Pick({1, 4}));

    f = Filter();
    f.scheduled_before = At("2026-02-01T09:00:00Z");  // inclusive; nulls excluded
    EXPECT_EQ(Ids(store().ListContent(f)), Pick({2, 3}));
}

TEST_P(ListContentTest, FiltersCombine) {
    auto f = Filter();
    f.site_id = a_.id;
    f.site_status = SiteStatus::kScheduled;
    f.scheduled_after = At("2026-02-01T00:00:00Z");
    f.scheduled_before = At("2026-02-02T23:00:00Z");
    auto page = store().ListContent(f);
    EXPECT_EQ(page.count, 1);
    EXPECT_EQ(Ids(page), Pick({4}));

    f = Filter();
    f.site_id = b_.id;
    f.status = EditorialStatus::kApproved;
    f.cluster_id = 7;
    f.content_type = "post";
    EXPECT_EQ(Ids(store().ListContent(f)), Pick({2}));

    f.content_type = "page";
    auto none = store().ListContent(f);
    EXPECT_EQ(none.count, 0);
    EXPECT_TRUE(none.items.empty());
}

TEST_P(ListContentTest, Orderings) {
    auto f = Filter();
    f.ordering = ContentOrder::kIdDesc;
    EXPECT_EQ(Ids(store().ListContent(f)), Pick({4, 3, 2, 1, 0}));
    f.ordering = ContentOrder::kScheduledAsc;  // unscheduled first in SQLite's NULL order
    EXPECT_EQ(Ids(store().ListContent(f)), Pick({0, 3, 2, 4, 1}));
    f.ordering = ContentOrder::kScheduledDesc;
    EXPECT_EQ(Ids(store().ListContent(f)), Pick({1, 4, 2, 3, 0}));
    f.site_status = SiteStatus::kScheduled;
    f.ordering = ContentOrder::kScheduledAsc;
    EXPECT_EQ(Ids(store().ListContent(f)), Pick({2, 4, 1}));
}

TEST_P(ListContentTest, PaginationKeepsTheTotalCount) {
    auto f = Filter();
    f.ordering = ContentOrder::kIdDesc;
    f.page = {1, 2};
    auto p1 = store().ListContent(f);
    EXPECT_EQ(p1.count, 5);
    EXPECT_EQ(Ids(p1), Pick({4, 3}));
    f.page = {2, 2};
    auto p2 = store().ListContent(f);
    EXPECT_EQ(p2.count, 5);
    EXPECT_EQ(Ids(p2), Pick({2, 1}));
    f.page = {3, 2};
    auto p3 = store().ListContent(f);
    EXPECT_EQ(p3.count, 5);
    EXPECT_EQ(Ids(p3), Pick({0}));
    f.page = {4, 2};
    auto p4 = store().ListContent(f);
    EXPECT_EQ(p4.count, 5);
    EXPECT_TRUE(p4.items.empty());
    // Out-of-range requests are clamped rather than failing.
    f.page = {0, 0};
    auto clamped = store().ListContent(f);
    EXPECT_EQ(clamped.count, 5);
    EXPECT_EQ(Ids(clamped), Pick({4}));
}

}  // namespace
}  // namespace herald::storage::test
