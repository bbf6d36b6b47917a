// POST /api/v1/publisher/publish and GET /api/v1/publisher/records/ against a real
// loopback webhook receiver (a `custom` site).

#include <atomic>
#include <future>
#include <thread>
#include "http/api_fixture.hpp"

#include "support/webhook_receiver.hpp"

namespace herald::testing {
namespace {

ReceiverReply Answer(int status) {
    ReceiverReply reply;
    reply.status = status;
    reply.body = "";
    return reply;
}

class PublisherApiTest : public ApiTest {
protected:
    void SetUp() override {
        ApiTest::SetUp();
        site_ = MakeSite({{"domain", receiver_.Url()}, {"api_key", receiver_.secret()}});
        site_id_ = site_["id"].get<int64_t>();
    }

    WebhookReceiver receiver_;
    json site_;
    int64_t site_id_ = 0;
};

TEST_P(PublisherApiTest, PublishNowPublishesAndRecords) {
    const json c = MakeContent(site_id_, {{"status", "approved"}});
    auto res = client_->Post("/api/v1/publisher/publish",
                             {{"content_id", c["id"]}, {"destinations", {"custom"}}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["success"], true);
    EXPECT_TRUE(res.json["external_id"].is_string());
    EXPECT_TRUE(res.json["external_url"].is_string());
    EXPECT_GT(res.json["record_id"].get<int64_t>(), 0);
    EXPECT_EQ(res.json["content"]["site_status"], "published");
    EXPECT_EQ(receiver_.RequestCount(), 1u);

    auto got = client_->Get(ContentPath(c));
    EXPECT_EQ(got.json["site_status"], "published");
    EXPECT_EQ(got.json["external_id"], res.json["external_id"]);

    auto records = client_->Get("/api/v1/publisher/records/?content_id=" +
                                std::to_string(c["id"].get<int64_t>()));
    ASSERT_EQ(records.status, 200) << records.body;
    ASSERT_EQ(records.json["count"], 1);
    const json& record = records.json["results"][0];
    EXPECT_EQ(record["id"], res.json["record_id"]);
    EXPECT_EQ(record["content_id"], c["id"]);
    EXPECT_EQ(record["site_id"], site_id_);
    EXPECT_EQ(record["attempt"], 1);
    EXPECT_EQ(record["outcome"], "published");
    EXPECT_EQ(record["http_status"], 200);
    EXPECT_TRUE(record["error"].is_null());
    EXPECT_EQ(record["external_id"], res.json["external_id"]);
    // It was never scheduled: the attempt served no due time, so neither has a value.
    EXPECT_TRUE(record["due_at"].is_null()) << record.dump();
    EXPECT_TRUE(record["lateness_seconds"].is_null()) << record.dump();
    for (const char* key : {"started_at", "finished_at", "external_url"})
        EXPECT_TRUE(record[key].is_string()) << key;

    // Another account sees none of it.
    auto bob = NewClient(key_b_);
    EXPECT_EQ(bob->Get("/api/v1/publisher/records/").json["count"], 0);
}

TEST_P(PublisherApiTest, PublishNowRefusals) {
    const json draft = MakeContent(site_id_);
    auto res = client_->Post("/api/v1/publisher/publish", {{"content_id", draft["id"]}});
    EXPECT_EQ(res.status, 409) << res.body;
    ExpectError(client_->Post("/api/v1/publisher/publish", {{"content_id", 987654}}), 404,
                "not_found");
    ExpectError(client_->Post("/api/v1/publisher/publish", {{"content_id", "1"}}), 400,
                "invalid_type", "content_id");
    ExpectError(client_->Post("/api/v1/publisher/publish",
                              {{"content_id", draft["id"]}, {"destinations", "custom"}}),
                400, "invalid_type", "destinations");
    ExpectError(client_->Post("/api/v1/publisher/publish", json::object()), 422, "required",
                "content_id");
    EXPECT_EQ(receiver_.RequestCount(), 0u);
    EXPECT_EQ(client_->Get(ContentPath(draft)).json, draft);
}

TEST_P(PublisherApiTest, PlatformFailureIs502WithItsMessage) {
    ReceiverReply forbidden;
    forbidden.status = 403;
    forbidden.body = R"({"error":"forbidden"})";
    receiver_.SetDefaultReply(forbidden);
    const json c = MakeContent(site_id_, {{"status", "approved"}});
    auto res = client_->Post("/api/v1/publisher/publish", {{"content_id", c["id"]}});
    ExpectError(res, 502, "publish_failed");
    EXPECT_EQ(client_->Get(ContentPath(c)).json["site_status"], "failed");
    auto records = client_->Get("/api/v1/publisher/records/?site_id=" + std::to_string(site_id_));
    ASSERT_EQ(records.json["count"], 1);
    EXPECT_EQ(records.json["results"][0]["outcome"], "failed");
    EXPECT_EQ(records.json["results"][0]["http_status"], 403);
    ExpectError(client_->Get("/api/v1/publisher/records/?content_id=x"), 400, "invalid_type",
                "content_id");
}

TEST_P(PublisherApiTest, RescheduleKeepsExternalIdForAnUpdate) {
    const json c = MakeContent(site_id_, {{"status", "approved"}});
    auto published = client_->Post("/api/v1/publisher/publish", {{"content_id", c["id"]}});
    ASSERT_EQ(published.status, 200) << published.body;
    auto res =
        client_->Post(ContentPath(c, "reschedule/"), {{"scheduled_at", "2026-01-21T09:00:00Z"}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["site_status"], "scheduled");
    EXPECT_EQ(res.json["external_id"], published.json["external_id"]);
}

TEST_P(PublisherApiTest, TestConnectionReportsTheReceiver) {
    auto res = client_->Post(SitePath(site_, "test-connection/"), json::object());
    if (res.status == 200) {
        EXPECT_EQ(res.json["ok"], true);
    } else {
        ExpectError(res, 502, "connection_failed");
    }
    const json dead = MakeSite({{"domain", "http://127.0.0.1:1/nothing"}});
    ExpectError(client_->Post(SitePath(dead, "test-connection/"), json::object()), 502,
                "connection_failed");
}

TEST_P(PublisherApiTest, RefusedCredentialsPauseTheSiteUntilResumedOrNewCredentials) {
    receiver_.SetDefaultReply(Answer(401));
    const json first = MakeContent(site_id_, {{"status", "approved"}});
    ExpectError(client_->Post("/api/v1/publisher/publish", {{"content_id", first["id"]}}), 502,
                "publish_failed");
    json site = client_->Get(SitePath(site_)).json;
    EXPECT_EQ(site["health"], "paused");
    EXPECT_NE(site["health_reason"].get<std::string>().find("credentials"), std::string::npos)
        << site;
    EXPECT_TRUE(site["health_since"].is_string());

    // Nothing is sent while paused.
    const json second = MakeContent(site_id_, {{"status", "approved"}});
    ExpectError(client_->Post("/api/v1/publisher/publish", {{"content_id", second["id"]}}), 409,
                "site_paused", "site_id");
    EXPECT_EQ(receiver_.RequestCount(), 1u);

    // Resume: another account cannot, a stale If-Match cannot, the owner can.
    ExpectError(NewClient(key_b_)->Post(SitePath(site_, "resume/"), json::object()), 404,
                "not_found");
    ExpectError(client_->Send("POST", SitePath(site_, "resume/"), "{}", {{"If-Match", "\"999\""}}),
                412, "precondition_failed");
    EXPECT_EQ(client_->Get(SitePath(site_)).json["health"], "paused");
    auto resumed = client_->Post(SitePath(site_, "resume/"), json::object());
    ASSERT_EQ(resumed.status, 200) << resumed.body;
    EXPECT_EQ(resumed.json["health"], "healthy");
    EXPECT_TRUE(resumed.json["health_reason"].is_null());

    // Paused again; a PATCH of the name alone leaves it paused, new credentials resume it.
    ExpectError(client_->Post("/api/v1/publisher/publish", {{"content_id", second["id"]}}), 502,
                "publish_failed");
    EXPECT_EQ(client_->Get(SitePath(site_)).json["health"], "paused");
    EXPECT_EQ(client_->Patch(SitePath(site_), {{"name", "Renamed"}}).json["health"], "paused");
    receiver_.SetDefaultReply(ReceiverReply{});
    auto patched = client_->Patch(SitePath(site_), {{"api_key", "a-new-signing-secret"}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.json["health"], "healthy");
    const json third = MakeContent(site_id_, {{"status", "approved"}});
    EXPECT_EQ(client_->Post("/api/v1/publisher/publish", {{"content_id", third["id"]}}).status,
              200);
}

TEST_P(PublisherApiTest, ReadyzAndMetricsCountSitesByHealth) {
    receiver_.SetDefaultReply(Answer(403));
    const json c = MakeContent(site_id_, {{"status", "approved"}});
    ExpectError(client_->Post("/api/v1/publisher/publish", {{"content_id", c["id"]}}), 502,
                "publish_failed");
    auto ready = client_->Get("/readyz");
    ASSERT_EQ(ready.status, 200) << ready.body;
    EXPECT_EQ(ready.json["sites"]["paused"], 1);
    EXPECT_EQ(ready.json["sites"]["degraded"], 0);
    auto metrics = client_->Get("/metrics");
    EXPECT_NE(metrics.body.find("herald_sites{health=\"paused\"} 1"), std::string::npos)
        << metrics.body;
}

TEST_P(PublisherApiTest, DeliveryOptionsAreValidatedAndNothingChanges) {
    const json bad_options[] = {{{"retry_window_minutes", -1}},  {{"retry_window_minutes", 1.5}},
                                {{"retry_window_minutes", "x"}}, {{"retry_window_minutes", 50000}},
                                {{"max_in_flight", 0}},          {{"rate_limit_per_minute", -3}}};
    for (const json& bad : bad_options) {
        ExpectError(client_->Patch(SitePath(site_), {{"options", bad}}), 422, "invalid_options",
                    "options");
    }
    EXPECT_EQ(client_->Get(SitePath(site_)).json["options"], json::object());
    auto ok = client_->Patch(SitePath(site_), {{"options", {{"retry_window_minutes", 60}}}});
    EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_P(PublisherApiTest, UnknownOptionKeysAreRefusedAndNothingChanges) {
    // Every platform takes its own keys and the delivery keys together.
    const json accepted[] = {
        {{"platform_type", "wordpress"},
         {"username", "editor"},
         {"options", {{"status", "draft"}, {"max_in_flight", 2}}}},
        {{"platform_type", "shopify"}, {"options", {{"blog_id", 7}, {"rate_limit_burst", 2}}}},
        {{"platform_type", "ghost"},
         {"options", {{"status", "draft"}, {"rate_limit_per_minute", 6}}}},
        {{"platform_type", "custom"}, {"options", {{"retry_window_minutes", 5}}}}};
    for (const json& overrides : accepted) MakeSite(overrides);
    const auto count = client_->Get("/api/v1/sites/").json["count"];

    // A key another platform knows is still unknown here.
    const json refused[] = {{{"platform_type", "wordpress"}, {"options", {{"blog_id", 7}}}},
                            {{"platform_type", "shopify"}, {"options", {{"status", "draft"}}}},
                            {{"platform_type", "ghost"}, {"options", {{"author", 3}}}},
                            {{"platform_type", "custom"}, {"options", {{"status", "draft"}}}}};
    for (json body : refused) {
        const std::string key = body["options"].begin().key();
        body.update({{"name", "typo"}, {"domain", "https://x.example"}, {"api_key", "k"}});
        const auto res = client_->Post("/api/v1/sites/", body);
        ExpectError(res, 422, "invalid_options", "options");
        const std::string message = res.json["error"].value("message", "");
        EXPECT_NE(message.find("unknown key \"" + key + "\""), std::string::npos) << message;
        EXPECT_NE(message.find("max_in_flight"), std::string::npos) << message;
    }
    EXPECT_EQ(client_->Get("/api/v1/sites/").json["count"], count);

    const json wordpress = MakeSite({{"platform_type", "wordpress"}, {"username", "editor"}});
    ExpectError(client_->Patch(SitePath(wordpress),
                               {{"name", "x"}, {"options", {{"status", "draft"}, {"staus", "x"}}}}),
                422, "invalid_options", "options");
    EXPECT_EQ(client_->Get(SitePath(wordpress)).json, wordpress);
    ExpectError(client_->Patch(SitePath(site_), {{"options", {{"max_in_flight", 2}, {"x", 1}}}}),
                422, "invalid_options", "options");
    EXPECT_EQ(client_->Get(SitePath(site_)).json, site_);
}

TEST_P(PublisherApiTest, ASlowTargetDoesNotStallAnotherAccountsPublishNow) {
    // Account A's target holds every call for 10 s (after a first quick one, which proves
    // the site: until then it gets one call at a time).
    WebhookReceiver slow;
    ReceiverReply hang;
    hang.delay = std::chrono::seconds{10};
    slow.SetDefaultReply(hang);
    slow.EnqueueReply(ReceiverReply{});
    const json slow_site = MakeSite(
        {{"domain", slow.Url()}, {"api_key", slow.secret()}, {"options", {{"max_in_flight", 8}}}});
    const json warm = MakeContent(slow_site["id"].get<int64_t>(), {{"status", "approved"}});
    ASSERT_EQ(client_->Post("/api/v1/publisher/publish", {{"content_id", warm["id"]}}).status, 200);
    std::vector<std::future<int>> stuck;
    for (int i = 0; i < 8; ++i) {
        const json c = MakeContent(slow_site["id"].get<int64_t>(), {{"status", "approved"}});
        stuck.push_back(std::async(std::launch::async, [this, id = c["id"]] {
            return NewClient(key_a_)
                ->Post("/api/v1/publisher/publish", {{"content_id", id}})
                .status;
        }));
    }
    ASSERT_TRUE(slow.WaitForRequests(9, std::chrono::seconds{10}));

    // Account B publishes now while all eight of A's calls hang: it is answered, and A's
    // are still waiting (no shared thread pool is held by them).
    auto bob = NewClient(key_b_);
    WebhookReceiver fast;
    auto site = bob->Post("/api/v1/sites/", {{"name", "B"},
                                             {"platform_type", "custom"},
                                             {"domain", fast.Url()},
                                             {"api_key", fast.secret()}});
    ASSERT_EQ(site.status, 201) << site.body;
    auto content = bob->Post("/api/v1/writer/content/", {{"site_id", site.json["id"]},
                                                         {"title", "B"},
                                                         {"content_html", "<p>b</p>"},
                                                         {"status", "approved"}});
    ASSERT_EQ(content.status, 201) << content.body;
    auto answer = bob->Post("/api/v1/publisher/publish", {{"content_id", content.json["id"]}});
    EXPECT_EQ(answer.status, 200) << answer.body;
    for (auto& f : stuck)
        EXPECT_EQ(f.wait_for(std::chrono::seconds{0}), std::future_status::timeout);
    for (auto& f : stuck) EXPECT_EQ(f.get(), 200);
}

}  // namespace
HERALD_ON_EVERY_BACKEND(PublisherApiTest);

}  // namespace herald::testing
