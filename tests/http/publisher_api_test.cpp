// POST /api/v1/publisher/publish and GET /api/v1/publisher/records/ against a real
// loopback webhook receiver (a `custom` site).

#include "http/api_fixture.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::testing {
namespace {

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
    auto res = client_->Post(ContentPath(c, "reschedule/"),
                             {{"scheduled_at", "2026-01-21T09:00:00Z"}});
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

}  // namespace
HERALD_ON_EVERY_BACKEND(PublisherApiTest);

}  // namespace herald::testing
