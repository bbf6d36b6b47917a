// The real binary's keys and secrets: `herald keys create|list|revoke`, `herald secrets
// rotate`, a wrong key at start (non-zero, one line, nothing changed), the default key file
// and 0600 files, and `herald backup` taken during a write loop (integrity_check ok, the
// copy served with the same key, credentials still sealed).

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/secret_box.hpp"
#include "support/api_builders.hpp"
#include "support/backends.hpp"
#include "support/http_test_client.hpp"
#include "support/pg_database.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace herald::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kSqlite3 = "/usr/bin/sqlite3";

CommandResult Herald(std::vector<std::string> args, bool without_env_key = false) {
    args.insert(args.begin(), HeraldBinary());
    if (without_env_key) args.insert(args.begin(), {"/usr/bin/env", "-u", "HERALD_SECRET_KEY"});
    return RunCommand(args);
}

std::string NewKeyFile(const TempDir& dir, const std::string& name) {
    const std::string path = dir.File(name);
    std::ofstream(path) << storage::SecretBox::EncodeKey(storage::SecretBox::GenerateKey()) << "\n";
    return path;
}

std::string ReadAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

unsigned Mode(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 0777;
}

std::string SqlitePath(const std::string& url) { return url.substr(7); }

class SecretsCliTest : public ::testing::TestWithParam<std::string> {
protected:
    SecretsCliTest() : db_(GetParam()) {}
    BackendDatabase db_;
};

TEST_P(SecretsCliTest, KeysCreateListRevoke) {
    const auto account = Herald({"accounts", "create", "alice", "--db", db_.url()});
    ASSERT_EQ(account.exit_code, 0) << account.err;
    const std::string first = account.LastLine();
    const auto created = Herald({"keys", "create", "alice", "--name", "ci", "--db", db_.url()});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    const std::string ci_key = created.LastLine();
    EXPECT_TRUE(ci_key.starts_with("hk_")) << created.out;

    const auto listed = Herald({"keys", "list", "alice", "--db", db_.url()});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_NE(listed.out.find("default"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("\tci\t"), std::string::npos) << listed.out;
    EXPECT_EQ(listed.out.find(ci_key), std::string::npos);
    EXPECT_EQ(listed.out.find(first), std::string::npos);
    // The ci key's id: the line naming it.
    const size_t at = listed.out.find("\tci\t");
    const size_t line_start = listed.out.rfind('\n', at) + 1;
    const std::string ci_id = listed.out.substr(line_start, at - line_start);

    ServeProcess serve = StartServe(db_.url(), {"--role", "api"});
    HttpTestClient client("127.0.0.1", serve.port);
    client.SetApiKey(ci_key);
    EXPECT_EQ(client.Get("/api/v1/sites/").status, 200);

    const auto revoked = Herald({"keys", "revoke", ci_id, "--db", db_.url()});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
    EXPECT_TRUE(WaitUntil([&] { return client.Get("/api/v1/sites/").status == 401; }, 10s));
    client.SetApiKey(first);
    EXPECT_EQ(client.Get("/api/v1/sites/").status, 200);

    const auto again = Herald({"keys", "revoke", ci_id, "--db", db_.url()});
    EXPECT_NE(again.exit_code, 0);
    const auto nobody = Herald({"keys", "list", "nobody", "--db", db_.url()});
    EXPECT_NE(nobody.exit_code, 0);
    EXPECT_NE(nobody.err.find("no account named 'nobody'"), std::string::npos) << nobody.err;
}

TEST_P(SecretsCliTest, WrongKeyAtStartExitsNonZeroAndChangesNothing) {
    ASSERT_EQ(Herald({"accounts", "create", "alice", "--db", db_.url()}).exit_code, 0);
    const std::string before = GetParam() == "sqlite" ? ReadAll(SqlitePath(db_.url())) : "";
    TempDir dir;
    const std::string wrong = NewKeyFile(dir, "wrong.key");
    const auto res =
        Herald({"serve", "--db", db_.url(), "--listen", "127.0.0.1:0", "--secret-key-file", wrong});
    EXPECT_NE(res.exit_code, 0);
    EXPECT_NE(res.err.find("does not open the credentials"), std::string::npos) << res.err;
    EXPECT_NE(res.err.find("nothing was changed"), std::string::npos) << res.err;
    EXPECT_EQ(res.out.find("serving on"), std::string::npos);
    if (GetParam() == "sqlite") {
        EXPECT_EQ(ReadAll(SqlitePath(db_.url())), before);
    }
    EXPECT_EQ(Herald({"migrate", "--db", db_.url()}).exit_code, 0);  // the right key still works
}

TEST_P(SecretsCliTest, RotateThenOldKeyRefusedAndNewKeyServes) {
    ServeProcess serve = StartServe(db_.url(), {"--role", "api"});
    HttpTestClient client("127.0.0.1", serve.port);
    client.SetApiKey(serve.first_api_key);
    auto site = client.Post("/api/v1/sites/", CustomSiteBody("Blog", "https://hooks.example.com/in",
                                                             "whsec_rotate_me"));
    ASSERT_EQ(site.status, 201) << site.body;
    serve.process->Signal(SIGTERM);
    serve.process->Wait(10s);

    TempDir dir;
    const std::string next = NewKeyFile(dir, "next.key");
    const auto rotated = Herald({"secrets", "rotate", "--new-key-file", next, "--db", db_.url()});
    ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
    EXPECT_NE(rotated.out.find("re-encrypted 1 stored credential"), std::string::npos)
        << rotated.out;
    const auto old = Herald({"migrate", "--db", db_.url()});  // HERALD_SECRET_KEY: the old key
    EXPECT_NE(old.exit_code, 0);
    EXPECT_NE(old.err.find("does not open"), std::string::npos) << old.err;

    ServeProcess again = StartServe(db_.url(), {"--role", "api", "--secret-key-file", next});
    HttpTestClient c2("127.0.0.1", again.port);
    c2.SetApiKey(serve.first_api_key);
    auto got = c2.Get("/api/v1/sites/" + std::to_string(site.json["id"].get<int64_t>()) + "/");
    EXPECT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(got.json["has_api_key"], true);
    EXPECT_EQ(got.body.find("whsec_rotate_me"), std::string::npos);
}

HERALD_ON_EVERY_BACKEND(SecretsCliTest);

TEST(SecretsCliSqlite, DefaultKeyFileIsMade0600AndRotateReplacesIt) {
    TempDir dir;
    const std::string path = dir.File("h.db");
    const auto res = Herald({"accounts", "create", "a", "--db", "sqlite:" + path}, true);
    ASSERT_EQ(res.exit_code, 0) << res.err;
    EXPECT_EQ(Mode(path), 0600u);
    EXPECT_EQ(Mode(path + ".key"), 0600u);
    const std::string old_key = ReadAll(path + ".key");
    const std::string next = NewKeyFile(dir, "next.key");
    const auto rotated =
        Herald({"secrets", "rotate", "--new-key-file", next, "--db", "sqlite:" + path}, true);
    ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
    EXPECT_EQ(ReadAll(path + ".key"), ReadAll(next));
    EXPECT_EQ(Mode(path + ".key"), 0600u);
    EXPECT_EQ(Herald({"migrate", "--db", "sqlite:" + path}, true).exit_code, 0);
    // PostgreSQL without a key: one clear line.
    if (!PgServerUrl().empty()) {
        TestDatabase pg;
        const auto refused = Herald({"migrate", "--db", pg.url()}, true);
        EXPECT_NE(refused.exit_code, 0);
        EXPECT_NE(refused.err.find("HERALD_SECRET_KEY"), std::string::npos) << refused.err;
    }
}

TEST(SecretsCliSqlite, BackupDuringAWriteLoopIsConsistentAndServes) {
    TempDir dir;
    const std::string url = "sqlite:" + dir.File("live.db");
    ServeProcess serve = StartServe(url, {"--role", "api"});
    HttpTestClient client("127.0.0.1", serve.port);
    client.SetApiKey(serve.first_api_key);
    auto site = client.Post("/api/v1/sites/", CustomSiteBody("Blog", "https://hooks.example.com/in",
                                                             "whsec_backup_secret"));
    ASSERT_EQ(site.status, 201);
    const int64_t site_id = site.json["id"];

    std::atomic<bool> stop{false};
    std::atomic<int> written{0};
    std::thread writer([&] {
        HttpTestClient w("127.0.0.1", serve.port);
        w.SetApiKey(serve.first_api_key);
        while (!stop) {
            auto r = w.Post("/api/v1/writer/content/",
                            {{"site_id", site_id},
                             {"title", "post " + std::to_string(written.load())},
                             {"content_html", std::string(2000, 'x')}});
            if (r.status == 201) ++written;
        }
    });
    ASSERT_TRUE(WaitUntil([&] { return written >= 50; }, 20s));
    const std::string backup = dir.File("copy.db");
    const int before = written;
    const auto res = Herald({"backup", "--db", url, backup});
    const int after_backup = written;
    stop = true;
    writer.join();
    ASSERT_EQ(res.exit_code, 0) << res.err;
    EXPECT_GT(after_backup,
              before);  // writes went on during the backup... or at least did not stop
    EXPECT_EQ(Mode(backup), 0600u);

    const auto check = RunCommand({kSqlite3, backup, "PRAGMA integrity_check"});
    EXPECT_EQ(check.LastLine(), "ok") << check.out << check.err;
    const auto raw = RunCommand({kSqlite3, backup, "SELECT api_key FROM sites"});
    EXPECT_TRUE(raw.out.starts_with("enc:v1:")) << raw.out;
    EXPECT_EQ(ReadAll(backup).find("whsec_backup_secret"), std::string::npos);
    const int copied =
        std::stoi(RunCommand({kSqlite3, backup, "SELECT COUNT(*) FROM content"}).LastLine());
    EXPECT_GE(copied, before);
    EXPECT_LE(copied, written.load());

    // Served with the same key (the test processes share HERALD_SECRET_KEY).
    ServeProcess restored = StartServe("sqlite:" + backup, {"--role", "api"});
    HttpTestClient c2("127.0.0.1", restored.port);
    c2.SetApiKey(serve.first_api_key);
    auto list = c2.Get("/api/v1/writer/content/?site_id=" + std::to_string(site_id));
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.json["count"], copied);
    auto got = c2.Get("/api/v1/sites/" + std::to_string(site_id) + "/");
    auto orig = client.Get("/api/v1/sites/" + std::to_string(site_id) + "/");
    EXPECT_EQ(got.body, orig.body);

    const auto exists = Herald({"backup", "--db", url, backup});
    EXPECT_NE(exists.exit_code, 0);  // never overwrites
    if (!PgServerUrl().empty()) {
        const auto pg = Herald({"backup", "--db", PgServerUrl(), dir.File("pg.db")});
        EXPECT_NE(pg.exit_code, 0);
        EXPECT_NE(pg.err.find("pg_dump"), std::string::npos) << pg.err;
    }
}

}  // namespace
}  // namespace herald::testing
