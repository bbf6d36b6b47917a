// The whole workflow through the real binary: CLI account, HTTP API on a loopback port,
// the slot scheduler and the dispatcher as CLI tasks, a real webhook receiver.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/api_builders.hpp"
#include "support/http_test_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::testing {
namespace {

using nlohmann::json;

/// herald's API over the suite's HTTP client, as (status, JSON body).
class Api {
public:
    Api(uint16_t port, std::string key) : client_("127.0.0.1", port) {
        client_.SetApiKey(std::move(key));
    }

    std::pair<int, json> Call(const std::string& method, const std::string& path,
                              const json& body = nullptr) {
        const HttpResult r = client_.Send(method, path, body.is_null() ? "" : body.dump());
        return {r.status, r.json};
    }

private:
    HttpTestClient client_;
};

TEST(Workflow, ApprovedContentIsPlacedAndPublishedExactlyOnce) {
    TempDir dir;
    const std::string db = "sqlite:" + dir.File("herald.db");
    WebhookReceiver receiver;

    const auto created = RunCommand({HeraldBinary(), "accounts", "create", "alice", "--db", db});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    const std::string key = created.LastLine();
    ASSERT_FALSE(key.empty());

    auto serve = StartServe(db, {"--no-tasks"});
    Api api(serve.port, key);

    auto [site_status, site] =
        api.Call("POST", "/api/v1/sites/",
                 CustomSiteBody("Receiver", receiver.Url(), receiver.secret(),
                                {{"timezone", "Europe/Berlin"}}));
    ASSERT_EQ(site_status, 201) << site.dump();
    EXPECT_FALSE(site.contains("api_key"));
    EXPECT_EQ(site["has_api_key"], true);
    const int64_t site_id = site["id"];

    auto [settings_status, settings] =
        api.Call("PATCH", "/api/v1/sites/" + std::to_string(site_id) + "/publishing-settings/",
                 {{"auto_publish_enabled", true},
                  {"publish_days", {"mon", "tue", "wed", "thu", "fri"}},
                  {"publish_time_slots", {"09:00", "14:00"}},
                  {"daily_publish_limit", 2},
                  // The passes below replay past times hours after the slots: publish late
                  // (the default 60 minutes would move the items to new slots instead).
                  {"max_lateness_minutes", 2880}});
    ASSERT_EQ(settings_status, 200) << settings.dump();

    std::vector<int64_t> ids;
    for (int i = 0; i < 3; ++i) {
        auto [status, content] = api.Call("POST", "/api/v1/writer/content/",
                                          {{"site_id", site_id},
                                           {"title", "Post " + std::to_string(i)},
                                           {"content_html", "<p>Hello</p>"},
                                           {"tags", {"news"}}});
        ASSERT_EQ(status, 201) << content.dump();
        ids.push_back(content["id"]);
        const std::string path = "/api/v1/writer/content/" + std::to_string(ids.back()) + "/";
        ASSERT_EQ(api.Call("PATCH", path, {{"status", "review"}}).first, 200);
        auto [approved_status, approved] = api.Call("PATCH", path, {{"status", "approved"}});
        ASSERT_EQ(approved_status, 200) << approved.dump();
        EXPECT_FALSE(approved["approved_at"].is_null());
    }

    // Monday 2026-01-05, 07:00 Berlin: slots at 09:00 and 14:00 local (08:00Z, 13:00Z),
    // two a day, so the third goes to Tuesday 09:00 local.
    const auto placed = RunCommand({HeraldBinary(), "tasks", "schedule-approved", "--db", db,
                                    "--now", "2026-01-05T06:00:00Z"});
    ASSERT_EQ(placed.exit_code, 0) << placed.err;
    const std::vector<std::string> expected = {"2026-01-05T08:00:00Z", "2026-01-05T13:00:00Z",
                                               "2026-01-06T08:00:00Z"};
    for (size_t i = 0; i < ids.size(); ++i) {
        auto [status, content] =
            api.Call("GET", "/api/v1/writer/content/" + std::to_string(ids[i]) + "/");
        ASSERT_EQ(status, 200);
        EXPECT_EQ(content["site_status"], "scheduled");
        EXPECT_EQ(content["scheduled_publish_at"], expected[i]) << "item " << i;
    }

    // Only the first two are due at 13:30Z.
    const auto first_pass = RunCommand({HeraldBinary(), "tasks", "process-scheduled", "--db", db,
                                        "--now", "2026-01-05T13:30:00Z"});
    ASSERT_EQ(first_pass.exit_code, 0) << first_pass.err;
    EXPECT_EQ(receiver.RequestCount(), 2u);
    const auto second_pass = RunCommand({HeraldBinary(), "tasks", "process-scheduled", "--db", db,
                                         "--now", "2026-01-07T00:00:00Z"});
    ASSERT_EQ(second_pass.exit_code, 0) << second_pass.err;
    // A pass with nothing due sends nothing.
    ASSERT_EQ(RunCommand({HeraldBinary(), "tasks", "process-scheduled", "--db", db, "--now",
                          "2026-01-08T00:00:00Z"})
                  .exit_code,
              0);

    const auto requests = receiver.Requests();
    ASSERT_EQ(requests.size(), 3u);
    for (const auto& r : requests) {
        EXPECT_TRUE(r.signature_valid) << r.webhook_id;
        const json doc = json::parse(r.body);
        EXPECT_EQ(doc["type"], "content.publish");
        EXPECT_TRUE(doc["external_id"].is_null());
    }
    for (const auto& [webhook_id, count] : receiver.CountsByWebhookId())
        EXPECT_EQ(count, 1) << webhook_id;
    EXPECT_EQ(receiver.CountsByWebhookId().size(), 3u);

    for (const int64_t id : ids) {
        auto [status, content] =
            api.Call("GET", "/api/v1/writer/content/" + std::to_string(id) + "/");
        ASSERT_EQ(status, 200);
        EXPECT_EQ(content["site_status"], "published");
        EXPECT_TRUE(content["external_id"].is_string());
        EXPECT_TRUE(content["external_url"].is_string());
        EXPECT_TRUE(content["published_at"].is_string());
        auto [records_status, records] =
            api.Call("GET", "/api/v1/publisher/records/?content_id=" + std::to_string(id));
        ASSERT_EQ(records_status, 200) << records.dump();
        ASSERT_EQ(records["count"], 1);
        EXPECT_EQ(records["results"][0]["outcome"], "published");
        EXPECT_EQ(records["results"][0]["attempt"], 1);
        EXPECT_EQ(records["results"][0]["external_id"], content["external_id"]);
    }

    serve.process->Signal(SIGTERM);
    EXPECT_EQ(serve.process->Wait(std::chrono::seconds{15}), 0);
}

TEST(Workflow, CliErrorsAreOneLineAndNonZero) {
    TempDir dir;
    const std::string db = "sqlite:" + dir.File("herald.db");
    const auto bad_now = RunCommand(
        {HeraldBinary(), "tasks", "process-scheduled", "--db", db, "--now", "yesterday"});
    EXPECT_NE(bad_now.exit_code, 0);
    EXPECT_NE(bad_now.err.find("--now"), std::string::npos) << bad_now.err;
    const auto bad_db =
        RunCommand({HeraldBinary(), "tasks", "schedule-approved", "--db", "mysql://nowhere"});
    EXPECT_NE(bad_db.exit_code, 0);
    EXPECT_FALSE(bad_db.err.empty());
}

TEST(Workflow, DryRunChangesNothing) {
    TempDir dir;
    const std::string db = "sqlite:" + dir.File("herald.db");
    const auto created = RunCommand({HeraldBinary(), "accounts", "create", "bob", "--db", db});
    ASSERT_EQ(created.exit_code, 0);
    auto serve = StartServe(db, {"--no-tasks"});
    Api api(serve.port, created.LastLine());
    auto [s, site] = api.Call("POST", "/api/v1/sites/",
                              {{"name", "S"},
                               {"platform_type", "custom"},
                               {"domain", "http://127.0.0.1:9/hook"},
                               {"api_key", "k"}});
    ASSERT_EQ(s, 201);
    const std::string site_path = "/api/v1/sites/" + std::to_string(site["id"].get<int64_t>());
    ASSERT_EQ(
        api.Call("PATCH", site_path + "/publishing-settings/", {{"auto_publish_enabled", true}})
            .first,
        200);
    auto [c, content] = api.Call(
        "POST", "/api/v1/writer/content/",
        {{"site_id", site["id"]}, {"title", "T"}, {"content_html", "x"}, {"status", "approved"}});
    ASSERT_EQ(c, 201) << content.dump();
    const auto dry = RunCommand({HeraldBinary(), "tasks", "schedule-approved", "--db", db, "--now",
                                 "2026-01-05T06:00:00Z", "--dry-run"});
    ASSERT_EQ(dry.exit_code, 0) << dry.err;
    EXPECT_NE(dry.out.find("2026-01-05T09:00:00Z"), std::string::npos) << dry.out;
    auto [g, after] = api.Call(
        "GET", "/api/v1/writer/content/" + std::to_string(content["id"].get<int64_t>()) + "/");
    EXPECT_EQ(after["site_status"], "not_published");
    EXPECT_TRUE(after["scheduled_publish_at"].is_null());
}

}  // namespace
}  // namespace herald::testing
