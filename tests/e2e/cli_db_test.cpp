// The database commands and process roles of the real binary: `herald serve --role`,
// `herald migrate` (concurrent, and refusing bad URLs with one line and nothing half-made)
// and `herald db copy` between SQLite and PostgreSQL (ids kept, the API answering the
// same on the copy, a non-empty target refused, new rows never colliding).

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "domain/missed_slot.hpp"
#include "http/api_keys.hpp"
#include "storage/store.hpp"
#include "support/api_builders.hpp"
#include "support/backends.hpp"
#include "support/http_test_client.hpp"
#include "support/pg_database.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

/// stderr holds exactly one non-empty line.
::testing::AssertionResult OneLine(const std::string& err) {
    std::string text = err;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.empty()) return ::testing::AssertionFailure() << "stderr is empty";
    if (text.find('\n') != std::string::npos)
        return ::testing::AssertionFailure() << "stderr has several lines:\n" << err;
    return ::testing::AssertionSuccess();
}

CommandResult Herald(std::vector<std::string> args) {
    args.insert(args.begin(), HeraldBinary());
    return RunCommand(args);
}

std::string RandomName(const std::string& prefix) {
    std::random_device rd;
    return prefix + std::to_string(rd() % 1000000000u);
}

/// `url` (postgresql://user@host:port/db) with its user part replaced by `userinfo`.
std::string WithUser(const std::string& url, const std::string& userinfo) {
    const size_t scheme = url.find("://");
    const size_t start = scheme + 3;
    const size_t slash = url.find('/', start);
    const size_t at = url.rfind('@', slash);
    const size_t host = (at == std::string::npos || at < start) ? start : at + 1;
    return url.substr(0, start) + userinfo + "@" + url.substr(host);
}

/// A login role for one test, dropped afterwards (after the databases it touched).
class PgRole {
public:
    explicit PgRole(const std::string& password) : name_(RandomName("herald_r")) {
        PgQuery(PgServerUrl(), "CREATE ROLE " + name_ + " LOGIN PASSWORD '" + password + "'");
    }
    ~PgRole() {
        try {
            PgQuery(PgServerUrl(), "DROP ROLE IF EXISTS " + name_);
        } catch (...) {
        }
    }
    const std::string& name() const { return name_; }

private:
    std::string name_;
};

std::string Path(const std::string& prefix, int64_t id, const std::string& suffix = "/") {
    return prefix + std::to_string(id) + suffix;
}

// --- serve --role ----------------------------------------------------------------------------

class RoleTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override { database_ = std::make_unique<BackendDatabase>(GetParam()); }

    /// An approved item of a custom site publishing to `receiver`, scheduled 2 s from now.
    /// @returns its id and due time.
    std::pair<int64_t, TimePoint> ScheduleSoon(HttpTestClient& client,
                                               const WebhookReceiver& receiver) {
        const HttpResult site = client.Post(
            "/api/v1/sites/", CustomSiteBody("Hooks", receiver.Url(), receiver.secret()));
        EXPECT_EQ(site.status, 201) << site.body;
        const HttpResult content = client.Post(
            "/api/v1/writer/content/",
            ContentBody(site.json["id"], "Due soon", "<p>x</p>", {{"status", "approved"}}));
        EXPECT_EQ(content.status, 201) << content.body;
        const int64_t id = content.json["id"];
        const TimePoint due{
            std::chrono::time_point_cast<std::chrono::seconds>(SystemTimeSource{}.Now()) + 2s};
        const HttpResult scheduled = client.Post(Path("/api/v1/writer/content/", id, "/schedule/"),
                                                 {{"scheduled_at", FormatIso(due)}});
        EXPECT_EQ(scheduled.status, 200) << scheduled.body;
        return {id, due};
    }

    std::string SiteStatus(HttpTestClient& client, int64_t id) {
        return client.Get(Path("/api/v1/writer/content/", id)).json.value("site_status", "");
    }

    std::unique_ptr<BackendDatabase> database_;
};

TEST_P(RoleTest, WorkerAnswersOnlyHealthReadinessAndMetrics) {
    ServeProcess worker = StartServe(database_->url(), {"--role", "worker"});
    EXPECT_TRUE(worker.first_api_key.empty()) << "a worker creates no account";
    HttpTestClient client("127.0.0.1", worker.port);
    EXPECT_EQ(client.Get("/healthz").status, 200);
    const HttpResult ready = client.Get("/readyz");
    EXPECT_EQ(ready.status, 200) << ready.body;
    const HttpResult metrics = client.Get("/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_FALSE(metrics.body.empty());
    EXPECT_EQ(client.Get("/api/v1/sites/").status, 404);
    EXPECT_EQ(client.Get("/api/v1/writer/content/").status, 404);
    EXPECT_EQ(client.Post("/api/v1/sites/", json::object()).status, 404);
    EXPECT_EQ(client.Get("/").status, 404);
    EXPECT_EQ(client.Get("/index.html").status, 404);
    worker.process->Signal(SIGTERM);
    EXPECT_EQ(worker.process->Wait(15s), 0);
}

TEST_P(RoleTest, ApiDoesNotPublishAndAWorkerBesideItDoes) {
    ServeProcess api = StartServe(database_->url(), {"--role", "api"});
    ASSERT_FALSE(api.first_api_key.empty());
    HttpTestClient client("127.0.0.1", api.port);
    client.SetApiKey(api.first_api_key);
    EXPECT_EQ(client.Get("/healthz").status, 200);
    EXPECT_EQ(client.Get("/api/v1/sites/").status, 200);
    WebhookReceiver receiver;
    const auto [id, due] = ScheduleSoon(client, receiver);

    // Bounded negative check: 1.5 s past its due time, nobody has published it.
    std::this_thread::sleep_until(std::chrono::system_clock::time_point{due} + 1500ms);
    EXPECT_EQ(SiteStatus(client, id), "scheduled");
    EXPECT_EQ(receiver.RequestCount(), 0u);

    // The same database with a worker beside the API: now it goes out.
    ServeProcess worker = StartServe(database_->url(), {"--role", "worker"});
    ASSERT_TRUE(receiver.WaitForRequests(1, 15s));
    EXPECT_TRUE(WaitUntil([&] { return SiteStatus(client, id) == "published"; }, 10s))
        << SiteStatus(client, id);
    EXPECT_EQ(receiver.RequestCount(), 1u);
}

TEST_P(RoleTest, AllServesTheApiAndPublishes) {
    ServeProcess all = StartServe(database_->url(), {"--role", "all"});
    ASSERT_FALSE(all.first_api_key.empty());
    HttpTestClient client("127.0.0.1", all.port);
    client.SetApiKey(all.first_api_key);
    WebhookReceiver receiver;
    const auto [id, due] = ScheduleSoon(client, receiver);
    ASSERT_TRUE(receiver.WaitForRequests(1, 15s));
    EXPECT_TRUE(WaitUntil([&] { return SiteStatus(client, id) == "published"; }, 10s))
        << SiteStatus(client, id);
    EXPECT_EQ(client.Get("/metrics").status, 200);
}

TEST_P(RoleTest, InvalidRoleIsOneLineAndTouchesNothing) {
    const CommandResult r = Herald({"serve", "--role", "boss", "--db", database_->url()});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(OneLine(r.err));
    EXPECT_NE(r.err.find("--role"), std::string::npos) << r.err;
    const CommandResult conflict =
        Herald({"serve", "--role", "worker", "--no-tasks", "--db", database_->url()});
    EXPECT_NE(conflict.exit_code, 0);
    EXPECT_TRUE(OneLine(conflict.err));
    if (GetParam() == "sqlite") {
        EXPECT_FALSE(std::filesystem::exists(database_->url().substr(7)));
    } else {
        EXPECT_EQ(PgQuery(database_->url(), "SELECT to_regclass('schema_migrations') IS NULL"),
                  "t");
    }
}

HERALD_ON_EVERY_BACKEND(RoleTest);

// --- migrate -------------------------------------------------------------------------------

class MigrateTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MigrateTest, FourAtOnceOnAFreshDatabaseAllSucceed) {
    BackendDatabase database(GetParam());
    std::vector<std::unique_ptr<ChildProcess>> children;
    for (int i = 0; i < 4; ++i)
        children.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{
            HeraldBinary(), "migrate", "--db", database.url(), "--db-pool-size", "2"}));
    for (auto& child : children) {
        EXPECT_TRUE(child->WaitForLine("schema version", 60s)) << child->Output();
        EXPECT_EQ(child->Wait(60s), 0) << child->Output();
    }
    // Once more, on the migrated database: nothing to do, same answer.
    const CommandResult again = Herald({"migrate", "--db", database.url()});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.out, children.front()->Output());
}

HERALD_ON_EVERY_BACKEND(MigrateTest);

TEST(MigrateErrors, UnknownSchemeIsOneLine) {
    const CommandResult r = Herald({"migrate", "--db", "mysql://herald@127.0.0.1/herald"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(OneLine(r.err));
    EXPECT_NE(r.err.find("unsupported database URL"), std::string::npos) << r.err;
}

TEST(MigrateErrors, UnreachableServerIsOneLine) {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const CommandResult r = Herald({"migrate", "--db", "postgresql://herald@127.0.0.1:1/herald"});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(OneLine(r.err));
    EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
}

class MigratePgErrors : public ::testing::Test {
protected:
    void SetUp() override {
        if (PgServerUrl().empty()) GTEST_SKIP() << "HERALD_TEST_PG_URL is not set";
    }
    static bool Untouched(const std::string& url) {
        return PgQuery(url, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'") == "0";
    }
};

TEST_F(MigratePgErrors, WrongPasswordIsOneLineAndMigratesNothing) {
    PgRole role("right-password");
    TestDatabase database;
    const CommandResult r =
        Herald({"migrate", "--db", WithUser(database.url(), role.name() + ":wrong-password")});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(OneLine(r.err));
    EXPECT_NE(r.err.find("password authentication failed"), std::string::npos) << r.err;
    EXPECT_TRUE(Untouched(database.url()));
}

TEST_F(MigratePgErrors, DatabaseWithoutConnectRightIsOneLineAndMigratesNothing) {
    PgRole role("pw");
    TestDatabase database;
    const std::string name = database.url().substr(database.url().rfind('/') + 1);
    PgQuery(database.url(), "REVOKE CONNECT ON DATABASE " + name + " FROM PUBLIC");
    const CommandResult r =
        Herald({"migrate", "--db", WithUser(database.url(), role.name() + ":pw")});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(OneLine(r.err));
    EXPECT_NE(r.err.find("permission denied"), std::string::npos) << r.err;
    EXPECT_TRUE(Untouched(database.url()));
}

TEST_F(MigratePgErrors, NoRightToCreateTablesIsOneLineAndLeavesNoHalfSchema) {
    // PostgreSQL 15: only the owner may create in schema public, so the first CREATE fails
    // inside the migration's transaction.
    PgRole role("pw");
    TestDatabase database;
    const CommandResult r =
        Herald({"migrate", "--db", WithUser(database.url(), role.name() + ":pw")});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_TRUE(OneLine(r.err));
    EXPECT_NE(r.err.find("permission denied"), std::string::npos) << r.err;
    EXPECT_TRUE(Untouched(database.url()));
}

// --- db copy ---------------------------------------------------------------------------------

using Direction = std::pair<std::string, std::string>;  // source backend, target backend

class DbCopyTest : public ::testing::TestWithParam<Direction> {
protected:
    void SetUp() override {
        if (PgServerUrl().empty()) GTEST_SKIP() << "HERALD_TEST_PG_URL is not set";
        source_ = std::make_unique<BackendDatabase>(GetParam().first);
        target_ = std::make_unique<BackendDatabase>(GetParam().second);
    }

    /// Fills the source through the API of a real `herald serve`: two accounts, sites of
    /// every platform with credentials, settings with limits, content in every status with
    /// publishing records, one deleted item.
    void Populate() {
        ServeProcess serve = StartServe(source_->url(), {"--retry-max-attempts", "1"});
        ASSERT_FALSE(serve.first_api_key.empty());
        key_a_ = serve.first_api_key;
        const CommandResult second =
            Herald({"accounts", "create", "second", "--db", source_->url()});
        ASSERT_EQ(second.exit_code, 0) << second.err;
        key_b_ = second.LastLine();

        WebhookReceiver ok;
        WebhookReceiver refusing;
        ReceiverReply forbidden;
        forbidden.status = 403;
        forbidden.body = R"({"error":"forbidden"})";
        refusing.SetDefaultReply(forbidden);

        HttpTestClient a("127.0.0.1", serve.port);
        a.SetApiKey(key_a_);
        HttpTestClient b("127.0.0.1", serve.port);
        b.SetApiKey(key_b_);
        auto site = [](HttpTestClient& c, const json& body) -> int64_t {
            const HttpResult r = c.Post("/api/v1/sites/", body);
            EXPECT_EQ(r.status, 201) << r.body;
            return r.json.value("id", int64_t{0});
        };
        const int64_t wp = site(a, {{"name", "WP"},
                                    {"platform_type", "wordpress"},
                                    {"domain", "https://wp.example.com"},
                                    {"username", "editor"},
                                    {"api_key", "abcd efgh ijkl mnop qrst uvwx"},
                                    {"timezone", "Europe/Berlin"}});
        site(a, {{"name", "Shop"},
                 {"platform_type", "shopify"},
                 {"domain", "https://shop.example.com"},
                 {"api_key", "shpat_0123456789abcdef"},
                 {"timezone", "America/New_York"}});
        site(a, {{"name", "Ghost"},
                 {"platform_type", "ghost"},
                 {"domain", "https://ghost.example.com"},
                 {"api_key",
                  "6489a1b2c3d4e5f6a7b8c9d0:0123456789abcdef0123456789abcdef"
                  "0123456789abcdef0123456789abcdef"}});
        const int64_t hooks = site(a, {{"name", "Hooks"},
                                       {"platform_type", "custom"},
                                       {"domain", ok.Url()},
                                       {"api_key", ok.secret()}});
        const int64_t refused = site(a, {{"name", "Refusing"},
                                         {"platform_type", "custom"},
                                         {"domain", refusing.Url()},
                                         {"api_key", refusing.secret()}});
        const int64_t b_hooks = site(b, {{"name", "B hooks"},
                                         {"platform_type", "custom"},
                                         {"domain", ok.Url()},
                                         {"api_key", ok.secret()}});
        {
            // A calendar app's subscription must keep working on the copy.
            const HttpResult token =
                a.Post(Path("/api/v1/sites/", hooks, "/ical-token/"), json::object());
            ASSERT_EQ(token.status, 201) << token.body;
            feed_path_ = token.json["path"].get<std::string>();
        }
        for (const int64_t id : {wp, hooks}) {
            const HttpResult r = a.Patch(
                Path("/api/v1/sites/", id, "/publishing-settings/"),
                {{"auto_publish_enabled", false},
                 {"publish_days", {"mon", "wed", "fri"}},
                 {"publish_time_slots", {"08:30", "13:00"}},
                 {"daily_publish_limit", 2},
                 {"weekly_publish_limit", 5},
                 {"monthly_publish_limit", 12},
                 {"max_lateness_minutes", 600},
                 {"min_spacing_minutes", 30},
                 {"blackout_dates",
                  {{{"from", "2031-12-24"}, {"to", "2031-12-26"}, {"reason", "Holidays"}}}}});
            EXPECT_EQ(r.status, 200) << r.body;
        }

        auto content = [](HttpTestClient& c, int64_t site_id, const std::string& title,
                          const std::string& status) -> int64_t {
            const HttpResult r =
                c.Post("/api/v1/writer/content/", {{"site_id", site_id},
                                                   {"title", title},
                                                   {"content_html", "<p>" + title + "</p>"},
                                                   {"excerpt", "About " + title},
                                                   {"slug", "slug-" + std::to_string(site_id)},
                                                   {"categories", {"News", "Zürich"}},
                                                   {"tags", {"a", "b \"quoted\""}},
                                                   {"status", status}});
            EXPECT_EQ(r.status, 201) << r.body;
            return r.json.value("id", int64_t{0});
        };
        content(a, wp, "Draft", "draft");
        content(a, wp, "In review", "review");
        const int64_t held = content(a, hooks, "Approved", "approved");
        const int64_t scheduled = content(a, hooks, "Scheduled", "approved");
        EXPECT_EQ(a.Post(Path("/api/v1/writer/content/", scheduled, "/schedule/"),
                         {{"scheduled_at", "2031-03-03T08:30:00+01:00"}})
                      .status,
                  200);
        const int64_t published = content(a, hooks, "Published", "approved");
        EXPECT_EQ(a.Post("/api/v1/publisher/publish/",
                         {{"content_id", published}, {"destinations", {"custom"}}})
                      .status,
                  200);
        const int64_t failed = content(a, refused, "Failed", "approved");
        EXPECT_EQ(a.Post("/api/v1/publisher/publish/", {{"content_id", failed}}).status, 502);
        const int64_t b_published = content(b, b_hooks, "B published", "approved");
        EXPECT_EQ(b.Post("/api/v1/publisher/publish/", {{"content_id", b_published}}).status, 200);
        content(b, b_hooks, "B draft", "draft");
        // The highest id is deleted: the copy must not hand it out again.
        deleted_id_ = content(a, wp, "Deleted", "draft");
        EXPECT_EQ(a.Delete(Path("/api/v1/writer/content/", deleted_id_)).status, 204);

        serve.process->Signal(SIGTERM);
        EXPECT_EQ(serve.process->Wait(15s), 0);

        // Held after a missed slot (missed_slot_policy hold), as the dispatcher leaves it:
        // the copy must keep it held, or the target's slot scheduler would place it.
        const storage::StorePtr store = storage::OpenStore(source_->url());
        const auto owner = store->FindAccountByKeyHash(http::HashApiKey(key_a_));
        ASSERT_TRUE(owner);
        const domain::Content stored = *store->GetContent(owner->id, held);
        domain::MissedSlotDecision hold;
        hold.action = domain::MissedSlotAction::kHold;
        hold.reason = "Missed its slot; held for a person to decide";
        ASSERT_TRUE(store
                        ->UpdateContent(domain::GiveBackMissed(stored, hold, stored.updated_at),
                                        stored.version, storage::kContentSchedule)
                        .applied());
        held_id_ = held;
    }

    /// Every GET answer of the API for both accounts, keyed by path (status, ETag, body).
    std::map<std::string, json> Answers(uint16_t port) {
        std::map<std::string, json> answers;
        for (const auto& [who, key] : {std::pair{"a", key_a_}, std::pair{"b", key_b_}}) {
            HttpTestClient c("127.0.0.1", port);
            c.SetApiKey(key);
            auto get = [&, who = std::string(who)](const std::string& path) -> json {
                const HttpResult r = c.Get(path);
                answers[who + " " + path] =
                    json{{"status", r.status}, {"etag", r.Header("etag")}, {"body", r.json}};
                return r.json;
            };
            const json sites = get("/api/v1/sites/?page_size=500");
            for (const json& s : sites["results"]) {
                const int64_t id = s["id"];
                get(Path("/api/v1/sites/", id));
                get(Path("/api/v1/sites/", id, "/publishing-settings/"));
                get(Path("/api/v1/writer/content/?page_size=500&site_id=", id, ""));
                get(Path("/api/v1/publisher/records/?site_id=", id, ""));
            }
            const json content = get("/api/v1/writer/content/?page_size=500");
            for (const json& item : content["results"]) {
                const int64_t id = item["id"];
                get(Path("/api/v1/writer/content/", id));
                get(Path("/api/v1/publisher/records/?content_id=", id, ""));
            }
            get("/api/v1/publisher/records/?page_size=500");
        }
        return answers;
    }

    static int64_t MaxId(const std::map<std::string, json>& answers, const std::string& list) {
        int64_t max = 0;
        for (const auto& [path, answer] : answers) {
            if (path.find(list) == std::string::npos) continue;
            for (const json& row : answer["body"]["results"])
                max = std::max(max, row["id"].get<int64_t>());
        }
        return max;
    }

    std::unique_ptr<BackendDatabase> source_;
    std::unique_ptr<BackendDatabase> target_;
    std::string key_a_;
    std::string key_b_;
    int64_t deleted_id_ = 0;
    int64_t held_id_ = 0;
    std::string feed_path_;  // a site's secret calendar feed, token included
};

TEST_P(DbCopyTest, CopiesEveryRowWithItsIdAndTheApiAnswersTheSame) {
    ASSERT_NO_FATAL_FAILURE(Populate());

    const CommandResult copy = Herald({"db", "copy", source_->url(), target_->url()});
    ASSERT_EQ(copy.exit_code, 0) << copy.out << copy.err;
    EXPECT_NE(copy.out.find("content: 8 rows copied"), std::string::npos) << copy.out;
    EXPECT_NE(copy.out.find("publish_records: 3 rows copied"), std::string::npos) << copy.out;

    ServeProcess source = StartServe(source_->url(), {"--role", "api"});
    ServeProcess target = StartServe(target_->url(), {"--role", "api"});
    const auto want = Answers(source.port);
    const auto got = Answers(target.port);
    ASSERT_EQ(want.size(), got.size());
    EXPECT_GT(want.size(), 40u);
    for (const auto& [path, answer] : want) {
        ASSERT_TRUE(got.contains(path)) << path;
        EXPECT_EQ(answer["status"], 200) << path;
        EXPECT_EQ(got.at(path), answer) << path;
    }
    // Every status made it across.
    std::multiset<std::string> statuses;
    for (const auto& [path, answer] : want)
        if (path.ends_with("/api/v1/writer/content/?page_size=500"))
            for (const json& item : answer["body"]["results"])
                statuses.insert(item["status"].get<std::string>() + "/" +
                                item["site_status"].get<std::string>());
    for (const char* s : {"draft/not_published", "review/not_published", "approved/not_published",
                          "approved/scheduled", "approved/published", "approved/failed"})
        EXPECT_TRUE(statuses.contains(s)) << s;
    const json& held = got.at(Path("a /api/v1/writer/content/", held_id_))["body"];
    EXPECT_EQ(held["held"], true) << held;
    {
        HttpTestClient anonymous_source("127.0.0.1", source.port);
        HttpTestClient anonymous_target("127.0.0.1", target.port);
        const HttpResult feed = anonymous_source.Get(feed_path_);
        ASSERT_EQ(feed.status, 200) << feed.body;
        const HttpResult copied_feed = anonymous_target.Get(feed_path_);
        EXPECT_EQ(copied_feed.status, 200) << copied_feed.body;
        EXPECT_EQ(copied_feed.body, feed.body);
    }

    // A second copy into the now non-empty target: refused, one line, nothing changed.
    const CommandResult again = Herald({"db", "copy", source_->url(), target_->url()});
    EXPECT_NE(again.exit_code, 0);
    EXPECT_TRUE(OneLine(again.err));
    EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.err;
    EXPECT_EQ(Answers(target.port), got);

    // New rows on the copy get ids past every copied (and deleted) one.
    HttpTestClient a("127.0.0.1", target.port);
    a.SetApiKey(key_a_);
    const int64_t max_site = MaxId(want, " /api/v1/sites/?page_size=500");
    const int64_t max_content = MaxId(want, " /api/v1/writer/content/?page_size=500");
    const int64_t max_record = MaxId(want, " /api/v1/publisher/records/?page_size=500");
    ASSERT_GT(deleted_id_, max_content);
    WebhookReceiver receiver;
    const HttpResult new_site = a.Post("/api/v1/sites/", {{"name", "New"},
                                                          {"platform_type", "custom"},
                                                          {"domain", receiver.Url()},
                                                          {"api_key", receiver.secret()}});
    ASSERT_EQ(new_site.status, 201) << new_site.body;
    EXPECT_GT(new_site.json["id"].get<int64_t>(), max_site);
    const HttpResult new_content =
        a.Post("/api/v1/writer/content/", {{"site_id", new_site.json["id"]},
                                           {"title", "New"},
                                           {"content_html", "<p>n</p>"},
                                           {"status", "approved"}});
    ASSERT_EQ(new_content.status, 201) << new_content.body;
    EXPECT_GT(new_content.json["id"].get<int64_t>(), deleted_id_);
    const HttpResult published =
        a.Post("/api/v1/publisher/publish/", {{"content_id", new_content.json["id"]}});
    EXPECT_EQ(published.status, 200) << published.body;
    const HttpResult records = a.Get(
        Path("/api/v1/publisher/records/?content_id=", new_content.json["id"].get<int64_t>(), ""));
    ASSERT_EQ(records.json["count"], 1) << records.body;
    EXPECT_GT(records.json["results"][0]["id"].get<int64_t>(), max_record);
    const CommandResult account = Herald({"accounts", "create", "third", "--db", target_->url()});
    EXPECT_EQ(account.exit_code, 0) << account.err;
}

std::string DirectionName(const ::testing::TestParamInfo<Direction>& info) {
    return info.param.first + "_to_" + info.param.second;
}

INSTANTIATE_TEST_SUITE_P(Directions, DbCopyTest,
                         ::testing::Values(Direction{"sqlite", "postgresql"},
                                           Direction{"postgresql", "sqlite"}),
                         DirectionName);

}  // namespace
}  // namespace herald::testing
