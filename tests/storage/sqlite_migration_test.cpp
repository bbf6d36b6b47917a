// Schema migrations: a v1 database (written with raw SQL, as an old herald would have left
// it) is brought to the current version with its data intact; a newer one is refused.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <thread>
#include <vector>

#include "storage/store_fixture.hpp"

namespace herald::storage::test {
namespace {

/// A raw connection for writing fixtures the store's own code can no longer write.
class RawDb {
public:
    explicit RawDb(const std::string& path) {
        EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    }
    ~RawDb() { sqlite3_close(db_); }
    void Exec(const std::string& sql) {
        char* error = nullptr;
        const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
        ASSERT_EQ(rc, SQLITE_OK) << (error ? error : "") << "\n" << sql;
    }
    int64_t Scalar(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
        int64_t v = -1;
        if (sqlite3_step(stmt) == SQLITE_ROW) v = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
        return v;
    }
    bool HasColumn(const std::string& table, const std::string& column) {
        return Scalar("SELECT COUNT(*) FROM pragma_table_xinfo('" + table + "') WHERE name = '" +
                      column + "'") == 1;
    }

private:
    sqlite3* db_ = nullptr;
};

const int64_t kT0 = ToUnixMillis(At("2026-01-20T12:00:00Z"));

TEST(MigrationTest, V1DatabaseIsMigratedWithDataIntact) {
    herald::testing::TempDir dir;
    const std::string path = dir.File("old.db");
    {
        sqlite::SqliteStore old(path, {.migrate_up_to = 1});
        EXPECT_EQ(old.SchemaVersion(), 1);
    }
    {
        RawDb raw(path);
        ASSERT_EQ(raw.Scalar("PRAGMA user_version"), 1);
        ASSERT_FALSE(raw.HasColumn("content", "attempts"));  // really the old schema
        ASSERT_FALSE(raw.HasColumn("content", "due_at"));
        const std::string t0 = std::to_string(kT0);
        raw.Exec(
            "INSERT INTO accounts (id, name, api_key_hash, created_at) VALUES"
            " (1, 'acme', 'h', " +
            t0 + ")");
        raw.Exec(
            "INSERT INTO sites (id, account_id, name, platform_type, domain, api_key,"
            " timezone, is_active, options_json, created_at, updated_at) VALUES"
            " (1, 1, 'blog', 'wordpress', 'https://b.example', 'k', 'Europe/Paris', 1,"
            " '{}', " +
            t0 + ", " + t0 + ")");
        raw.Exec(
            "INSERT INTO publishing_settings (site_id, auto_publish_enabled, publish_days,"
            " publish_time_slots, daily_publish_limit, updated_at) VALUES"
            " (1, 1, '[0,1]', '[540]', 4, " +
            t0 + ")");
        // 10: scheduled and due an hour ago; 11: left `publishing` by a v1 dispatcher.
        raw.Exec(
            "INSERT INTO content (id, account_id, site_id, title, content_html, categories,"
            " tags, status, approved_at, site_status, site_status_updated_at,"
            " scheduled_publish_at, created_at, updated_at) VALUES"
            " (10, 1, 1, 'Old post', '<p>x</p>', '[\"News\"]', '[\"t\"]', 'approved', " +
            t0 + ", 'scheduled', " + t0 + ", " + std::to_string(kT0 - 3600000) + ", " + t0 + ", " +
            t0 +
            "),"
            " (11, 1, 1, 'Stuck', '<p>y</p>', '[]', '[]', 'approved', " +
            t0 + ", 'publishing', " + t0 + ", " + std::to_string(kT0 - 7200000) + ", " + t0 + ", " +
            t0 + ")");
        raw.Exec(
            "INSERT INTO publish_records (id, content_id, site_id, account_id, attempt,"
            " started_at, finished_at, outcome, http_status, error) VALUES"
            " (5, 10, 1, 1, 1, " +
            t0 + ", " + t0 + ", 'retry', 503, 'busy')");
    }

    sqlite::SqliteStore store(path);
    EXPECT_EQ(store.SchemaVersion(), sqlite::SqliteStore::LatestSchemaVersion());
    EXPECT_GE(sqlite::SqliteStore::LatestSchemaVersion(), 2);

    auto account = store.FindAccountByKeyHash("h");
    ASSERT_TRUE(account);
    EXPECT_EQ(account->name, "acme");
    auto site = store.GetSite(1, 1);
    ASSERT_TRUE(site);
    EXPECT_EQ(site->platform_type, Platform::kWordPress);
    EXPECT_EQ(site->timezone, "Europe/Paris");
    auto settings = store.GetSettings(1, 1);
    ASSERT_TRUE(settings);
    EXPECT_EQ(settings->publish_days, (std::vector<int>{0, 1}));
    EXPECT_EQ(settings->daily_publish_limit, 4);

    auto old_post = store.GetContent(1, 10);
    ASSERT_TRUE(old_post);
    EXPECT_EQ(old_post->title, "Old post");
    EXPECT_EQ(old_post->categories, (std::vector<std::string>{"News"}));
    EXPECT_EQ(old_post->site_status, SiteStatus::kScheduled);
    EXPECT_EQ(old_post->attempts, 0);  // new columns take their defaults
    EXPECT_EQ(old_post->publication_id, "");
    EXPECT_FALSE(old_post->next_attempt_at);
    EXPECT_EQ(old_post->DueAt(), FromUnixMillis(kT0 - 3600000));

    auto records = store.ListRecords({1, 10, std::nullopt, {}});
    ASSERT_EQ(records.count, 1);
    EXPECT_EQ(records.items[0].http_status, 503);
    EXPECT_FALSE(records.items[0].due_at);

    // The new columns work: both items are claimable (the stuck one's lease is expired).
    const TimePoint now = FromUnixMillis(kT0);
    auto claimed = ClaimBatch(store, now, 10, "tok");
    ASSERT_EQ(claimed.size(), 2u);
    EXPECT_EQ(claimed[0].content.id, 11);  // due earlier
    EXPECT_EQ(claimed[1].content.id, 10);
    for (const auto& item : claimed) {
        EXPECT_EQ(item.content.attempts, 1);
        EXPECT_EQ(item.content.publication_id.size(), 32u);
        EXPECT_EQ(item.content.claim_token, "tok");
    }
    Content done = claimed[1].content;
    done.site_status = SiteStatus::kPublished;
    done.claim_token.clear();
    done.lease_until.reset();
    PublishRecord record;
    record.attempt = 1;
    record.outcome = AttemptOutcome::kPublished;
    record.due_at = claimed[1].due_at;
    const std::vector<FinishedAttempt> attempts = {{done, record}};
    auto record_id = store.FinishAttempts(attempts, "tok", domain::HealthPolicy{}).record_ids.at(0);
    ASSERT_TRUE(record_id);
    records = store.ListRecords({1, 10, std::nullopt, {}});
    ASSERT_EQ(records.count, 2);
    EXPECT_EQ(records.items[1].due_at, claimed[1].due_at);
}

// Schema 3 makes "one item per site per instant" a unique index. A v2 database may hold two
// items of a site at one instant: the first keeps it, the others go back to the scheduler's
// queue with a note; nothing else changes, settings and records survive the table rebuilds,
// and ids are never given again afterwards.
TEST(MigrationTest, V2DoubleBookingsAreHandedBackAndIdsAreNotReused) {
    herald::testing::TempDir dir;
    const std::string path = dir.File("v2.db");
    { sqlite::SqliteStore old(path, {.migrate_up_to = 2}); }
    {
        RawDb raw(path);
        const std::string t0 = std::to_string(kT0);
        const std::string at = std::to_string(kT0 + 3600000);
        raw.Exec(
            "INSERT INTO accounts (id, name, api_key_hash, created_at) VALUES"
            " (1, 'acme', 'h', " +
            t0 + ")");
        raw.Exec(
            "INSERT INTO sites (id, account_id, name, platform_type, created_at, updated_at)"
            " VALUES (1, 1, 'a', 'custom', " +
            t0 + ", " + t0 +
            "),"
            " (2, 1, 'b', 'custom', " +
            t0 + ", " + t0 + ")");
        raw.Exec(
            "INSERT INTO publishing_settings (site_id, publish_days, publish_time_slots,"
            " updated_at) VALUES (1, '[0]', '[540]', " +
            t0 + "), (2, '[1]', '[600]', " + t0 + ")");
        // 20 and 21 share site 1's instant; 22 has it on site 2 (allowed); 23 is published.
        const std::string cols =
            "INSERT INTO content (id, account_id, site_id, title, content_html, status,"
            " approved_at, site_status, site_status_updated_at, scheduled_publish_at, created_at,"
            " updated_at) VALUES ";
        raw.Exec(cols + "(20, 1, 1, 'first', 'x', 'approved', " + t0 + ", 'scheduled', " + t0 +
                 ", " + at + ", " + t0 + ", " + t0 + ")");
        raw.Exec(cols + "(21, 1, 1, 'second', 'x', 'approved', " + t0 + ", 'scheduled', " + t0 +
                 ", " + at + ", " + t0 + ", " + t0 + ")");
        raw.Exec(cols + "(22, 1, 2, 'other site', 'x', 'approved', " + t0 + ", 'scheduled', " + t0 +
                 ", " + at + ", " + t0 + ", " + t0 + ")");
        raw.Exec(cols + "(23, 1, 1, 'published', 'x', 'approved', " + t0 + ", 'published', " + t0 +
                 ", " + at + ", " + t0 + ", " + t0 + ")");
        raw.Exec(
            "INSERT INTO publish_records (id, content_id, site_id, account_id, attempt,"
            " started_at, finished_at, outcome) VALUES (7, 23, 1, 1, 1, " +
            t0 + ", " + t0 + ", 'published')");
    }
    sqlite::SqliteStore store(path);
    EXPECT_EQ(store.SchemaVersion(), sqlite::SqliteStore::LatestSchemaVersion());
    const auto first = store.GetContent(1, 20);
    const auto second = store.GetContent(1, 21);
    const auto other = store.GetContent(1, 22);
    ASSERT_TRUE(first && second && other);
    EXPECT_EQ(first->site_status, SiteStatus::kScheduled);
    EXPECT_EQ(first->version, 1);
    EXPECT_EQ(other->site_status, SiteStatus::kScheduled);
    EXPECT_EQ(second->site_status, SiteStatus::kNotPublished);
    EXPECT_FALSE(second->scheduled_publish_at);
    EXPECT_EQ(second->status, EditorialStatus::kApproved);  // the scheduler places it again
    EXPECT_NE(second->last_error.find("same instant"), std::string::npos);
    EXPECT_EQ(store.GetContent(1, 23)->site_status, SiteStatus::kPublished);
    EXPECT_EQ(store.ListRecords({1, 23, std::nullopt, {}}).count, 1);
    ASSERT_TRUE(store.GetSettings(1, 2));
    EXPECT_EQ(store.GetSettings(1, 2)->publish_days, (std::vector<int>{1}));
    EXPECT_EQ(store.GetSite(1, 1)->version, 1);

    // Delete the newest item; the next one gets a new id, not 23 again.
    ASSERT_EQ(store.DeleteContent(1, 23, store.GetContent(1, 23)->version), WriteOutcome::kApplied);
    Content c = *store.GetContent(1, 20);
    c.id = 0;
    c.site_status = SiteStatus::kNotPublished;
    c.scheduled_publish_at.reset();
    EXPECT_EQ(store.CreateContent(c).id, 24);
}

TEST(MigrationTest, V6DuplicateAccountNamesGetTheirIdAndBecomeUnique) {
    herald::testing::TempDir dir;
    const std::string path = dir.File("v6.db");
    { sqlite::SqliteStore old(path, {.migrate_up_to = 6}); }
    {
        RawDb raw(path);
        const std::string t0 = std::to_string(kT0);
        raw.Exec("INSERT INTO accounts (id, name, created_at) VALUES (1, 'me', " + t0 +
                 "), (2, 'you', " + t0 + "), (3, 'me', " + t0 + ")");
    }
    sqlite::SqliteStore store(path);
    const auto accounts = store.ListAccounts();
    ASSERT_EQ(accounts.size(), 3u);
    EXPECT_EQ(accounts[0].name, "me");
    EXPECT_EQ(accounts[1].name, "you");
    EXPECT_EQ(accounts[2].name, "me (3)");
    EXPECT_THROW(store.CreateAccount("you", "h", At("2026-01-21T00:00:00Z")), AccountNameTaken);
}

TEST(MigrationTest, NewerSchemaIsRefusedAndLeftAlone) {
    herald::testing::TempDir dir;
    const std::string path = dir.File("future.db");
    {
        sqlite::SqliteStore store(path);
        store.CreateAccount("acme", "h", At("2026-01-01T00:00:00Z"));
    }
    const int newer = sqlite::SqliteStore::LatestSchemaVersion() + 1;
    RawDb(path).Exec("PRAGMA user_version = " + std::to_string(newer));
    try {
        sqlite::SqliteStore store(path);
        FAIL() << "expected StorageError";
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
    }
    RawDb raw(path);
    EXPECT_EQ(raw.Scalar("PRAGMA user_version"), newer);
    EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM accounts"), 1);
}

TEST(MigrationTest, PragmasAreSet) {
    herald::testing::TempDir dir;
    const std::string path = dir.File("p.db");
    sqlite::SqliteStore store(path);
    RawDb raw(path);
    EXPECT_EQ(raw.Scalar("SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
}

TEST(MigrationTest, ConcurrentFirstOpensOfOneFileAllSucceed) {
    herald::testing::TempDir dir;
    const std::string path = dir.File("race.db");
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            try {
                sqlite::SqliteStore store(path);
                store.CountAccounts();
            } catch (const std::exception& e) {
                ++failures;
                ADD_FAILURE() << "a first open failed: " << e.what();
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    sqlite::SqliteStore store(path);
    EXPECT_EQ(store.SchemaVersion(), sqlite::SqliteStore::LatestSchemaVersion());
}

}  // namespace
}  // namespace herald::storage::test
