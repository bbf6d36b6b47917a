// Credentials at rest and API keys, on every backend: site api_keys are sealed in the
// database (read raw here: never the plaintext), a store refuses a key that does not open them
// and changes nothing, rotation re-seals everything, plaintext rows of an older herald are
// sealed on the first start; named API keys (create, find, touch, list, revoke).

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "storage/postgres/postgres_store.hpp"
#include "storage/secret_box.hpp"
#include "storage/store_fixture.hpp"
#include "support/pg_database.hpp"

namespace herald::storage::test {
namespace {

using herald::testing::BackendDatabase;

std::shared_ptr<const SecretBox> NewBox() {
    return std::make_shared<SecretBox>(SecretBox::GenerateKey());
}

StoreOptions WithBox(std::shared_ptr<const SecretBox> box) {
    StoreOptions options;
    options.secrets.box = std::move(box);
    return options;
}

/// The first column of the first row of `sql`, read past the store ("" when none).
std::string RawQuery(const std::string& url, const std::string& sql) {
    if (url.starts_with("postgresql://")) return herald::testing::PgQuery(url, sql);
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(url.substr(7).c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    std::string value;
    if (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
        value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

void RawExec(const std::string& url, const std::string& sql) { RawQuery(url, sql); }

std::string RawSiteKey(const std::string& url, SiteId id) {
    return RawQuery(url, "SELECT api_key FROM sites WHERE id = " + std::to_string(id));
}

class SecretsStoreTest : public ::testing::TestWithParam<std::string>, public StoreBuilders {
protected:
    SecretsStoreTest() : db_(GetParam()), box_(NewBox()) { Open(box_); }

    Store& store() override { return *store_; }
    void Open(std::shared_ptr<const SecretBox> box) {
        store_.reset();
        store_ = OpenStore(db_.url(), WithBox(std::move(box)));
    }

    BackendDatabase db_;
    std::shared_ptr<const SecretBox> box_;
    StorePtr store_;
};

TEST_P(SecretsStoreTest, SiteApiKeyIsSealedAtRestAndPlainThroughTheStore) {
    const AccountId account = NewAccount();
    Site site = NewSite(account);  // api_key "whsec_secret"
    const std::string raw = RawSiteKey(db_.url(), site.id);
    EXPECT_TRUE(raw.starts_with("enc:v1:")) << raw;
    EXPECT_EQ(raw.find("whsec_secret"), std::string::npos);
    EXPECT_EQ(store().GetSite(account, site.id)->api_key, "whsec_secret");
    EXPECT_EQ(store().ListSites(account, {}).items.at(0).api_key, "whsec_secret");

    site.api_key = "new-token-123";
    ASSERT_TRUE(store().UpdateSite(site, site.version).applied());
    const std::string raw2 = RawSiteKey(db_.url(), site.id);
    EXPECT_TRUE(raw2.starts_with("enc:v1:"));
    EXPECT_EQ(raw2.find("new-token-123"), std::string::npos);
    EXPECT_EQ(store().GetSite(account, site.id)->api_key, "new-token-123");
    // The dispatcher's claim reads the site too.
    NewScheduled(site, At("2026-01-20T11:00:00Z"));
    const auto claimed = ClaimBatch(store(), kNow, 10, "tok");
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_EQ(claimed[0].site.api_key, "new-token-123");
    // The whole-database export (db copy) carries plaintext to be sealed by the target.
    EXPECT_EQ(store().ExportSnapshot().sites.at(0).api_key, "new-token-123");

    // A ciphertext moved to another row does not open there.
    const Site other = NewSite(account, "other");
    RawExec(db_.url(),
            "UPDATE sites SET api_key = '" + raw2 + "' WHERE id = " + std::to_string(other.id));
    EXPECT_THROW(store().GetSite(account, other.id), StorageError);
}

TEST_P(SecretsStoreTest, WrongKeyIsRefusedAndChangesNothing) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    const std::string raw = RawSiteKey(db_.url(), site.id);
    const std::string check =
        RawQuery(db_.url(), "SELECT value FROM secret_meta WHERE name = 'key_check'");
    ASSERT_FALSE(check.empty());
    store_.reset();
    try {
        Open(NewBox());
        FAIL() << "a wrong key was accepted";
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("does not open"), std::string::npos) << e.what();
    }
    EXPECT_EQ(RawSiteKey(db_.url(), site.id), raw);
    EXPECT_EQ(RawQuery(db_.url(), "SELECT value FROM secret_meta WHERE name = 'key_check'"), check);
    Open(box_);
    EXPECT_EQ(store().GetSite(account, site.id)->api_key, "whsec_secret");
}

TEST_P(SecretsStoreTest, RotateReSealsEverythingUnderTheNewKey) {
    const AccountId account = NewAccount();
    const Site a = NewSite(account, "a");
    Site b = NewSite(account, "b");
    b.api_key = "";  // an empty credential stays empty
    ASSERT_TRUE(store().UpdateSite(b, b.version).applied());
    const std::string before = RawSiteKey(db_.url(), a.id);
    const auto next = NewBox();
    EXPECT_EQ(store().RotateSecrets(*next), 1);
    EXPECT_NE(RawSiteKey(db_.url(), a.id), before);
    EXPECT_TRUE(RawSiteKey(db_.url(), a.id).starts_with("enc:v1:"));
    EXPECT_EQ(RawSiteKey(db_.url(), b.id), "");
    EXPECT_THROW(Open(box_), StorageError);  // the old key is refused
    Open(next);
    EXPECT_EQ(store().GetSite(account, a.id)->api_key, "whsec_secret");
    EXPECT_EQ(store().GetSite(account, b.id)->api_key, "");
}

TEST_P(SecretsStoreTest, PlaintextRowsAreSealedOnTheFirstStartWithAKey) {
    const AccountId account = NewAccount();
    const Site site = NewSite(account);
    store_.reset();
    // As an older herald left it: plaintext credentials and no key check.
    RawExec(db_.url(),
            "UPDATE sites SET api_key = 'plain-old-secret' WHERE id = " + std::to_string(site.id));
    RawExec(db_.url(), "DELETE FROM secret_meta");
    const auto key = NewBox();
    Open(key);
    const std::string raw = RawSiteKey(db_.url(), site.id);
    EXPECT_TRUE(raw.starts_with("enc:v1:")) << raw;
    EXPECT_EQ(store().GetSite(account, site.id)->api_key, "plain-old-secret");
    EXPECT_FALSE(
        RawQuery(db_.url(), "SELECT value FROM secret_meta WHERE name = 'key_check'").empty());
}

TEST_P(SecretsStoreTest, NamedApiKeysCreateFindTouchListRevoke) {
    const AccountId alice = store().CreateAccount("alice", "hash-default", kNow, "hk_abcde");
    const AccountId bob = NewAccount("bob");
    auto keys = store().ListApiKeys(alice);
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_EQ(keys[0].name, "default");
    EXPECT_EQ(keys[0].prefix, "hk_abcde");
    EXPECT_FALSE(keys[0].last_used_at);

    const ApiKeyRecord ci = store().CreateApiKey(alice, "ci", "hk_ci123", "hash-ci", kNow);
    EXPECT_EQ(ci.name, "ci");
    EXPECT_EQ(store().ListApiKeys(alice).size(), 2u);
    EXPECT_THROW(store().CreateApiKey(alice, "dup", "x", "hash-ci", kNow), StorageError);
    EXPECT_THROW(store().CreateApiKey(999999, "none", "x", "hash-none", kNow), StorageError);

    auto match = store().FindApiKey("hash-ci");
    ASSERT_TRUE(match);
    EXPECT_EQ(match->account.id, alice);
    EXPECT_EQ(match->key_id, ci.id);
    EXPECT_EQ(store().FindAccountByKeyHash("hash-default")->id, alice);

    store().TouchApiKey(ci.id, kNow, std::chrono::minutes{1});
    store().TouchApiKey(ci.id, kNow + std::chrono::seconds{30}, std::chrono::minutes{1});
    EXPECT_EQ(store().FindApiKey("hash-ci")->last_used_at, kNow);  // not again within a minute
    store().TouchApiKey(ci.id, kNow + std::chrono::minutes{2}, std::chrono::minutes{1});
    EXPECT_EQ(store().FindApiKey("hash-ci")->last_used_at, kNow + std::chrono::minutes{2});

    EXPECT_FALSE(store().RevokeApiKey(bob, ci.id, kNow));  // another account's
    EXPECT_TRUE(store().RevokeApiKey(alice, ci.id, kNow));
    EXPECT_FALSE(store().RevokeApiKey(alice, ci.id, kNow));  // already revoked
    EXPECT_FALSE(store().FindApiKey("hash-ci"));
    EXPECT_EQ(store().ListApiKeys(alice).size(), 1u);
    EXPECT_TRUE(store().RevokeApiKey(std::nullopt, keys[0].id, kNow));  // the CLI's revoke
    EXPECT_FALSE(store().FindAccountByKeyHash("hash-default"));
    EXPECT_EQ(store().FindAccountsByName("alice").size(), 1u);
    // Revoked keys travel with a copy, too.
    EXPECT_EQ(store().ExportSnapshot().api_keys.size(), 3u);
}

HERALD_ON_EVERY_BACKEND(SecretsStoreTest);

TEST(SecretsPostgresTest, PostgresWithoutAKeyIsRefusedInOneLine) {
    if (herald::testing::PgServerUrl().empty()) GTEST_SKIP() << "HERALD_TEST_PG_URL not set";
    herald::testing::TestDatabase db;
    StoreOptions options;
    options.secrets.use_environment = false;
    try {
        OpenStore(db.url(), options);
        FAIL() << "opened without a key";
    } catch (const StorageError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("HERALD_SECRET_KEY"), std::string::npos) << message;
        EXPECT_NE(message.find("--secret-key-file"), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos);
    }
}

TEST(SecretsPostgresTest, OldDatabaseKeysAndPlaintextAreMigrated) {
    if (herald::testing::PgServerUrl().empty()) GTEST_SKIP() << "HERALD_TEST_PG_URL not set";
    herald::testing::TestDatabase db;
    {
        postgres::PostgresStore::Options old;
        old.migrate_up_to = 2;
        postgres::PostgresStore store(db.url(), old);
    }
    herald::testing::PgQuery(db.url(),
                             "INSERT INTO accounts (id, name, api_key_hash, created_at)"
                             " VALUES (7, 'old', 'old-hash', 1)");
    herald::testing::PgQuery(
        db.url(),
        "INSERT INTO sites (id, account_id, name, platform_type, api_key,"
        " created_at, updated_at) VALUES (3, 7, 's', 'custom', 'plain-pg', 1, 1)");
    StorePtr store = OpenStore(db.url(), WithBox(NewBox()));
    EXPECT_EQ(store->FindAccountByKeyHash("old-hash")->id, 7);
    EXPECT_EQ(store->ListApiKeys(7).at(0).name, "default");
    EXPECT_TRUE(RawSiteKey(db.url(), 3).starts_with("enc:v1:"));
    EXPECT_EQ(store->GetSite(7, 3)->api_key, "plain-pg");
}

TEST(SecretsSqliteTest, OldDatabaseKeysAndPlaintextAreMigrated) {
    herald::testing::TempDir dir;
    const std::string path = dir.File("old.db");
    { sqlite::SqliteStore old(path, {.migrate_up_to = 3}); }
    RawExec("sqlite:" + path,
            "INSERT INTO accounts (id, name, api_key_hash, created_at) VALUES (7, 'old', "
            "'old-hash', 1)");
    RawExec("sqlite:" + path,
            "INSERT INTO sites (id, account_id, name, platform_type, api_key, created_at,"
            " updated_at) VALUES (3, 7, 's', 'custom', 'plain-sqlite', 1, 1)");
    StorePtr store = OpenStore("sqlite:" + path, WithBox(NewBox()));
    EXPECT_EQ(store->FindAccountByKeyHash("old-hash")->id, 7);
    EXPECT_EQ(store->ListApiKeys(7).at(0).name, "default");
    EXPECT_TRUE(RawSiteKey("sqlite:" + path, 3).starts_with("enc:v1:"));
    EXPECT_EQ(store->GetSite(7, 3)->api_key, "plain-sqlite");
}

TEST(SecretsSqliteTest, DefaultKeyFileAndDatabaseFilesAre0600) {
    herald::testing::TempDir dir;
    const std::string path = dir.File("fresh.db");
    StoreOptions options;
    options.secrets.use_environment = false;  // the default: "<file>.key"
    AccountId account = 0;
    SiteId site = 0;
    {
        StorePtr store = OpenStore("sqlite:" + path, options);
        account = store->CreateAccount("a", "h", At("2026-01-20T12:00:00Z"));
        Site s;
        s.account_id = account;
        s.name = "x";
        s.api_key = "file-secret";
        site = store->CreateSite(s, {}).id;
        for (const std::string& file : {path, path + ".key", path + "-wal", path + "-shm"}) {
            struct stat st {};
            ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
            EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
        }
    }
    {
        StorePtr again = OpenStore("sqlite:" + path, options);  // the same key file
        EXPECT_EQ(again->GetSite(account, site)->api_key, "file-secret");
    }
    // The key file gone: refused (no new key is made for encrypted credentials).
    ASSERT_EQ(std::remove((path + ".key").c_str()), 0);
    try {
        OpenStore("sqlite:" + path, options);
        FAIL() << "opened without its key file";
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find(".key is missing"), std::string::npos) << e.what();
    }
    struct stat st {};
    EXPECT_NE(::stat((path + ".key").c_str(), &st), 0);
}

TEST(SecretBoxTest, SealOpenBindsRowAndKey) {
    const SecretBox box(SecretBox::GenerateKey());
    const std::string sealed = box.Seal("s3cret", "herald:sites.api_key:1");
    EXPECT_TRUE(sealed.starts_with("enc:v1:"));
    EXPECT_NE(box.Seal("s3cret", "herald:sites.api_key:1"), sealed);  // a fresh nonce
    EXPECT_EQ(box.Open(sealed, "herald:sites.api_key:1"), "s3cret");
    EXPECT_FALSE(box.Open(sealed, "herald:sites.api_key:2"));
    const SecretBox other(SecretBox::GenerateKey());
    EXPECT_FALSE(other.Open(sealed, "herald:sites.api_key:1"));
    EXPECT_TRUE(box.OpensKeyCheck(box.MakeKeyCheck()));
    EXPECT_FALSE(other.OpensKeyCheck(box.MakeKeyCheck()));
    EXPECT_THROW(SecretBox::ParseKey("dG9vIHNob3J0", "test"), StorageError);
    const auto key = SecretBox::GenerateKey();
    EXPECT_EQ(SecretBox::ParseKey(SecretBox::EncodeKey(key) + "\n", "test"), key);
}

}  // namespace
}  // namespace herald::storage::test
