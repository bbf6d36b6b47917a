// PostgresStore against a real server: opening and migrating (also from several threads at
// once), connection errors, and the versioned writes. Skipped unless HERALD_TEST_PG_URL is
// set (scripts/postgres/start.sh).

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/migrations.hpp"
#include "storage/postgres_fixture.hpp"
#include "storage/store.hpp"

namespace herald::storage::test {
namespace {

using herald::testing::PgQuery;

bool SkipWithoutServer() { return herald::testing::PgServerUrl().empty(); }

std::string OpenError(const std::string& url) {
    try {
        OpenStore(url);
    } catch (const StorageError& e) {
        return e.what();
    }
    return "";
}

// No server this old runs here; the check itself is what decides, so it is tested directly.
TEST(PostgresOpenTest, ServersOlderThan13AreRefusedInOneLine) {
    EXPECT_EQ(postgres::ServerVersionProblem(130000), "");
    EXPECT_EQ(postgres::ServerVersionProblem(150018), "");
    EXPECT_EQ(postgres::ServerVersionProblem(120017),
              "the PostgreSQL server is version 12; herald needs PostgreSQL 13 or newer "
              "(nothing was changed)");
    EXPECT_EQ(postgres::ServerVersionProblem(90624),
              "the PostgreSQL server is version 9.6; herald needs PostgreSQL 13 or newer "
              "(nothing was changed)");
}

TEST(PostgresOpenTest, MigratesOnceAndAgainIsANoOp) {
    if (SkipWithoutServer()) GTEST_SKIP() << "HERALD_TEST_PG_URL is not set";
    herald::testing::TestDatabase db;
    {
        postgres::PostgresStore store(db.url());
        EXPECT_EQ(store.SchemaVersion(), postgres::PostgresStore::LatestSchemaVersion());
    }
    postgres::PostgresStore again(db.url());
    EXPECT_EQ(again.SchemaVersion(), postgres::PostgresStore::LatestSchemaVersion());
    // One row per migration (versions are not contiguous: there is no 2).
    EXPECT_EQ(PgQuery(db.url(), "SELECT COUNT(*) FROM schema_migrations"),
              std::to_string(postgres::Migrations().size()));
    EXPECT_EQ(PgQuery(db.url(), "SELECT MAX(version) FROM schema_migrations"),
              std::to_string(postgres::PostgresStore::LatestSchemaVersion()));
}

TEST(PostgresOpenTest, FourProcessesStartingTogetherMigrateOnce) {
    if (SkipWithoutServer()) GTEST_SKIP() << "HERALD_TEST_PG_URL is not set";
    herald::testing::TestDatabase db;
    std::atomic<int> ready{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            ++ready;
            while (ready < 4) std::this_thread::yield();
            try {
                auto store = OpenStore(db.url());
                store->CountAccounts();
            } catch (const StorageError& e) {
                ADD_FAILURE() << e.what();
                ++failures;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures, 0);
    // One row per migration (versions are not contiguous: there is no 2).
    EXPECT_EQ(PgQuery(db.url(), "SELECT COUNT(*) FROM schema_migrations"),
              std::to_string(postgres::Migrations().size()));
    EXPECT_EQ(PgQuery(db.url(), "SELECT MAX(version) FROM schema_migrations"),
              std::to_string(postgres::PostgresStore::LatestSchemaVersion()));
}

TEST(PostgresOpenTest, RefusesANewerSchema) {
    if (SkipWithoutServer()) GTEST_SKIP() << "HERALD_TEST_PG_URL is not set";
    herald::testing::TestDatabase db;
    { postgres::PostgresStore store(db.url()); }
    PgQuery(db.url(), "INSERT INTO schema_migrations (version) VALUES (999)");
    const std::string error = OpenError(db.url());
    EXPECT_NE(error.find("newer than this herald supports"), std::string::npos) << error;
}

TEST(PostgresOpenTest, ConnectionErrorsAreOneLine) {
    if (SkipWithoutServer()) GTEST_SKIP() << "HERALD_TEST_PG_URL is not set";
    const std::string server = herald::testing::PgServerUrl();
    std::vector<std::string> errors;
    errors.push_back(OpenError(herald::testing::WithDatabase(server, "h_no_such_database")));
    errors.push_back(OpenError("postgresql://herald@127.0.0.1:1/x?connect_timeout=2"));
    // A role that needs a password (start.sh's pg_hba), given the wrong one.
    PgQuery(server,
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'h_pw') THEN"
            " CREATE ROLE h_pw LOGIN PASSWORD 'right'; END IF; END $$");
    std::string wrong = server;
    wrong.replace(wrong.find("herald@"), 7, "h_pw:wrong@");
    errors.push_back(OpenError(wrong));
    EXPECT_NE(errors[0].find("does not exist"), std::string::npos) << errors[0];
    EXPECT_NE(errors[1].find("127.0.0.1"), std::string::npos) << errors[1];
    EXPECT_NE(errors[2].find("password authentication failed"), std::string::npos) << errors[2];
    for (const std::string& e : errors) {
        EXPECT_EQ(e.find('\n'), std::string::npos) << e;
        EXPECT_EQ(e.find("wrong"), std::string::npos) << "leaks the password: " << e;
    }
}

TEST(PostgresOpenTest, ALostConnectionIsReconnectedOnTheNextCall) {
    if (SkipWithoutServer()) GTEST_SKIP() << "HERALD_TEST_PG_URL is not set";
    herald::testing::TestDatabase db;
    postgres::PostgresStore::Options options;
    options.pool_size = 1;
    postgres::PostgresStore store(db.url(), options);
    EXPECT_EQ(store.CountAccounts(), 0);
    PgQuery(db.url(),
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()");
    // The call that finds the session gone fails (one line); the next one reconnects.
    try {
        store.CountAccounts();
    } catch (const StorageError& e) {
        EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
    EXPECT_EQ(store.CountAccounts(), 0);
}

TEST(PostgresOpenTest, ThePoolBoundsTheConnections) {
    if (SkipWithoutServer()) GTEST_SKIP() << "HERALD_TEST_PG_URL is not set";
    herald::testing::TestDatabase db;
    postgres::PostgresStore::Options options;
    options.pool_size = 2;
    postgres::PostgresStore store(db.url(), options);
    std::atomic<int> peak{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 20; ++i) {
                const std::string n = std::to_string(t) + "-" + std::to_string(i);
                store.CreateAccount("a-" + n, "key-" + n, TimePoint{});  // names are unique
                const int open =
                    std::stoi(PgQuery(db.url(),
                                      "SELECT COUNT(*) FROM pg_stat_activity WHERE datname ="
                                      " current_database() AND application_name = 'herald'"));
                int seen = peak.load();
                while (open > seen && !peak.compare_exchange_weak(seen, open)) {
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(store.CountAccounts(), 120);
    EXPECT_LE(peak.load(), 2);
}

using PgContentTest = PgStoreTest;

TEST_F(PgContentTest, CreateGetListAndVersionedUpdate) {
    const AccountId acme = NewAccount();
    const AccountId other = NewAccount("other");
    const Site site = NewSite(acme);
    EXPECT_EQ(site.version, 1);
    Content c = NewContent(site, [](Content& x) {
        x.tags = {"news", "quote\"d"};
        x.cluster_id = 7;
    });
    EXPECT_EQ(c.version, 1);
    auto got = store().GetContent(acme, c.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->tags, c.tags);
    EXPECT_EQ(got->cluster_id, 7);
    EXPECT_EQ(got->site_status_updated_at, kNow);
    EXPECT_FALSE(store().GetContent(other, c.id));

    Content edit = *got;
    edit.title = "edited";
    edit.status = EditorialStatus::kReview;  // not in the written groups: stays draft
    const WriteResult applied = store().UpdateContent(edit, 1, kContentText);
    EXPECT_EQ(applied.outcome, WriteOutcome::kApplied);
    EXPECT_EQ(applied.version, 2);
    got = store().GetContent(acme, c.id);
    EXPECT_EQ(got->title, "edited");
    EXPECT_EQ(got->status, EditorialStatus::kDraft);
    EXPECT_EQ(got->version, 2);

    EXPECT_EQ(store().UpdateContent(edit, 1, kContentText).outcome, WriteOutcome::kConflict);
    Content missing = edit;
    missing.id = 999999;
    EXPECT_EQ(store().UpdateContent(missing, 1, kContentText).outcome, WriteOutcome::kNotFound);
    Content foreign = edit;
    foreign.account_id = other;
    EXPECT_EQ(store().UpdateContent(foreign, 2, kContentText).outcome, WriteOutcome::kNotFound);

    EXPECT_EQ(store().DeleteContent(acme, c.id, 1), WriteOutcome::kConflict);
    EXPECT_EQ(store().DeleteContent(acme, c.id, 2), WriteOutcome::kApplied);
    EXPECT_EQ(store().DeleteContent(acme, c.id, 2), WriteOutcome::kNotFound);
    const Content next = NewContent(site);
    EXPECT_GT(next.id, c.id);  // identity ids are never given again
}

TEST_F(PgContentTest, ListFiltersOrdersLikeSqliteAndPages) {
    const AccountId acme = NewAccount();
    const Site a = NewSite(acme, "a");
    const Site b = NewSite(acme, "b");
    const Content unscheduled = NewApproved(a, kNow);
    const Content late = NewScheduled(a, kNow + Seconds{7200});
    const Content early = NewScheduled(a, kNow + Seconds{3600});
    NewScheduled(b, kNow + Seconds{60});

    ContentFilter f;
    f.account_id = acme;
    f.site_id = a.id;
    f.ordering = ContentOrder::kScheduledAsc;
    Page<Content> page = store().ListContent(f);
    ASSERT_EQ(page.count, 3);
    EXPECT_EQ(page.items[0].id, unscheduled.id);  // NULL first ascending, as SQLite
    EXPECT_EQ(page.items[1].id, early.id);
    EXPECT_EQ(page.items[2].id, late.id);
    f.ordering = ContentOrder::kScheduledDesc;
    page = store().ListContent(f);
    EXPECT_EQ(page.items[0].id, late.id);
    EXPECT_EQ(page.items[2].id, unscheduled.id);  // and last descending

    f.site_status = SiteStatus::kScheduled;
    f.scheduled_after = kNow + Seconds{3600};
    f.ordering = ContentOrder::kIdDesc;
    f.page = {1, 1};
    page = store().ListContent(f);
    EXPECT_EQ(page.count, 2);
    ASSERT_EQ(page.items.size(), 1u);
    EXPECT_EQ(page.items[0].id, early.id);
    f.page = {3, 1};
    page = store().ListContent(f);
    EXPECT_EQ(page.count, 2);
    EXPECT_TRUE(page.items.empty());
    f.content_type = "page'; DROP TABLE content; --";  // bound, never spliced
    EXPECT_EQ(store().ListContent(f).count, 0);
}

TEST_F(PgContentTest, AnInstantHeldByAnotherItemIsSlotTaken) {
    const AccountId acme = NewAccount();
    const Site site = NewSite(acme);
    const TimePoint at = kNow + Seconds{3600};
    NewScheduled(site, at);
    Content b = NewApproved(site, kNow);
    Content move = b;
    move.site_status = SiteStatus::kScheduled;
    move.scheduled_publish_at = at;
    move.title = "must not be written either";
    const WriteResult r = store().UpdateContent(move, b.version, kContentSchedule | kContentText);
    EXPECT_EQ(r.outcome, WriteOutcome::kSlotTaken);
    const auto after = store().GetContent(acme, b.id);
    EXPECT_EQ(after->site_status, SiteStatus::kNotPublished);
    EXPECT_EQ(after->title, b.title);
    EXPECT_EQ(after->version, b.version);
    EXPECT_THROW(NewScheduled(site, at), StorageError);
    // Another site may use the same instant; a published item holds none.
    NewScheduled(NewSite(acme, "other"), at);
    move.scheduled_publish_at = at + Seconds{60};
    EXPECT_TRUE(store().UpdateContent(move, b.version, kContentSchedule).applied());
}

TEST_F(PgContentTest, SitesAndSettingsAreVersioned) {
    const AccountId acme = NewAccount();
    Site site = NewSite(acme);
    site.name = "renamed";
    EXPECT_EQ(store().UpdateSite(site, 1).version, 2);
    EXPECT_EQ(store().UpdateSite(site, 1).outcome, WriteOutcome::kConflict);
    PublishingSettings settings;
    settings.site_id = site.id;
    settings.auto_publish_enabled = true;
    settings.daily_publish_limit = 3;
    settings.updated_at = kNow + Seconds{5};
    EXPECT_EQ(store().PutSettings(acme, settings, 1).outcome, WriteOutcome::kConflict);
    EXPECT_EQ(store().PutSettings(acme, settings, 2).version, 3);
    EXPECT_EQ(store().PutSettings(acme, settings, std::nullopt).version, 4);
    EXPECT_EQ(store().PutSettings(NewAccount("x"), settings, std::nullopt).outcome,
              WriteOutcome::kNotFound);
    EXPECT_EQ(store().GetSettings(acme, site.id)->daily_publish_limit, 3);
    EXPECT_EQ(store().GetSite(acme, site.id)->updated_at, kNow + Seconds{5});
    EXPECT_EQ(store().ListAutoPublishSiteIds(), std::vector<SiteId>{site.id});
    EXPECT_EQ(store().ListSites(acme, {}).count, 1);

    const Content c = NewScheduled(site, kNow);
    const std::string token = "tok";
    ASSERT_EQ(ClaimBatch(store(), kNow, 10, token).size(), 1u);
    EXPECT_EQ(store().DeleteSite(acme, site.id, std::nullopt), WriteOutcome::kBusy);
    store().ReleaseClaims(std::vector<ContentId>{c.id}, token, kNow);
    EXPECT_EQ(store().DeleteSite(acme, site.id, 1), WriteOutcome::kConflict);
    EXPECT_EQ(store().DeleteSite(acme, site.id, 4), WriteOutcome::kApplied);
    EXPECT_FALSE(store().GetContent(acme, c.id));
    EXPECT_EQ(store().DeleteSite(acme, site.id, std::nullopt), WriteOutcome::kNotFound);
}

}  // namespace
}  // namespace herald::storage::test
