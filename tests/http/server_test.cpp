// Transport and cross-cutting behaviour: health, auth, routing, limits, keep-alive,
// pipelining, malformed requests.

#include <string>

#include "http/api_fixture.hpp"

namespace herald::testing {
namespace {

class ServerTest : public ApiTest {};

TEST_P(ServerTest, HealthzAnswersWithoutAuth) {
    auto anonymous = NewClient("");
    auto res = anonymous->Get("/healthz");
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.json, json({{"status", "ok"}}));
    EXPECT_EQ(res.Header("content-type"), "application/json");
}

TEST_P(ServerTest, ReadyzReportsOverdueAndHeartbeat) {
    auto anonymous = NewClient("");
    auto res = anonymous->Get("/readyz");
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["status"], "ok");
    EXPECT_EQ(res.json["overdue"]["count"], 0);
    EXPECT_TRUE(res.json["overdue"]["oldest_age_seconds"].is_null());
    EXPECT_TRUE(res.json["dispatcher"].contains("last_heartbeat"));
}

TEST_P(ServerTest, ReadyzCountsOverdueItems) {
    const json site = MakeSite();
    const json c = MakeContent(site["id"], {{"status", "approved"}});
    ASSERT_EQ(client_->Post(ContentPath(c, "schedule/"), {{"scheduled_at", "2026-01-20T13:00:00Z"}})
                  .status,
              200);
    clock_.Set(Iso("2026-01-20T13:01:40Z"));
    auto res = NewClient("")->Get("/readyz");
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["overdue"]["count"], 1);
    EXPECT_EQ(res.json["overdue"]["oldest_age_seconds"], 100);
}

TEST_P(ServerTest, MissingOrWrongKeyIs401) {
    auto anonymous = NewClient("");
    ExpectError(anonymous->Get("/api/v1/sites/"), 401, "unauthorized");
    auto wrong = NewClient("hk_not-a-real-key");
    ExpectError(wrong->Get("/api/v1/sites/"), 401, "unauthorized");
    ExpectError(wrong->Post("/api/v1/sites/", {{"name", "x"}}), 401, "unauthorized");
    auto bearer =
        anonymous->Send("GET", "/api/v1/sites/", "", {{"Authorization", "Bearer " + key_a_}});
    ExpectError(bearer, 401, "unauthorized");
    // Nothing was created by the refused POST.
    EXPECT_EQ(client_->Get("/api/v1/sites/").json["count"], 0);
}

TEST_P(ServerTest, UnknownPathIs404AndWrongMethodIs405) {
    ExpectError(client_->Get("/api/v1/nothing/"), 404, "not_found");
    ExpectError(client_->Get("/api/v1/sites/abc/"), 404, "not_found");
    auto res = client_->Send("PUT", "/api/v1/sites/", "{}");
    ExpectError(res, 405, "method_not_allowed");
    EXPECT_NE(res.Header("allow").find("GET"), std::string::npos);
}

TEST_P(ServerTest, TrailingSlashIsOptional) {
    const json site = MakeSite();
    const std::string id = std::to_string(site["id"].get<int64_t>());
    EXPECT_EQ(client_->Get("/api/v1/sites/" + id).status, 200);
    EXPECT_EQ(client_->Get("/api/v1/sites/" + id + "/").status, 200);
    EXPECT_EQ(client_->Get("/api/v1/sites").status, 200);
}

TEST_P(ServerTest, OversizedBodyIs413AndChangesNothing) {
    TearDown();
    http::ServerSettings settings;
    settings.max_body_bytes = 4096;
    StartServer(settings);
    const json site = MakeSite();
    json big = {{"name", std::string(10000, 'x')}};
    auto res = client_->Patch(SitePath(site), big);
    ExpectError(res, 413, "payload_too_large");
    EXPECT_EQ(client_->Get(SitePath(site)).json, site);
    // The server still serves new requests afterwards.
    EXPECT_EQ(client_->Get("/healthz").status, 200);
}

TEST_P(ServerTest, KeepAliveReusesOneConnection) {
    for (int i = 0; i < 20; ++i) ASSERT_EQ(client_->Get("/api/v1/sites/").status, 200);
    EXPECT_EQ(client_->connections(), 1);
}

TEST_P(ServerTest, PipelinedRequestsAnswerInOrder) {
    const std::string auth = "Authorization: Api-Key " + key_a_ + "\r\n";
    std::string raw;
    raw += "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    raw += "GET /api/v1/nope HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n";
    raw += "GET /api/v1/sites/ HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n";
    auto results = client_->SendRaw(raw, 3);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0].status, 200);
    EXPECT_EQ(results[1].status, 404);
    EXPECT_EQ(results[2].status, 200);
    EXPECT_EQ(results[2].json["count"], 0);
}

TEST_P(ServerTest, GarbageRequestIs400) {
    auto results = client_->SendRaw("THIS IS NOT HTTP\r\n\r\n", 1);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].status, 400);
    EXPECT_EQ(client_->Get("/healthz").status, 200);
}

// RFC 9112 §6.1: a Transfer-Encoding that does not end in chunked, or one beside a
// Content-Length, leaves the body's length ambiguous (request smuggling): 400, nothing read.
TEST_P(ServerTest, AmbiguousFramingIs400) {
    const std::string auth = "Authorization: Api-Key " + key_a_ + "\r\n";
    const std::string body = R"({"name":"Smuggled","platform_type":"custom"})";
    const std::string length = "Content-Length: " + std::to_string(body.size()) + "\r\n";
    for (const std::string te : {"xchunked", "chunked, identity", "chunked", "identity"}) {
        auto results = client_->SendRaw("POST /api/v1/sites/ HTTP/1.1\r\nHost: x\r\n" + auth +
                                            "Content-Type: application/json\r\n" + length +
                                            "Transfer-Encoding: " + te + "\r\n\r\n" + body,
                                        1);
        ASSERT_EQ(results.size(), 1u) << te;
        EXPECT_EQ(results[0].status, 400) << te;
    }
    EXPECT_EQ(client_->Get("/api/v1/sites/").json["count"], 0);
}

TEST_P(ServerTest, AbsoluteFormTargetIsRoutedByItsPath) {
    auto results =
        client_->SendRaw("GET http://herald.example/healthz HTTP/1.1\r\nHost: x\r\n\r\n", 1);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].status, 200);
    EXPECT_EQ(results[0].json, json({{"status", "ok"}}));
    const std::string auth = "Authorization: Api-Key " + key_a_ + "\r\n";
    results = client_->SendRaw(
        "GET HTTPS://x:1/api/v1/sites/?page=1 HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n", 1);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].status, 200) << results[0].body;
    EXPECT_EQ(results[0].json["count"], 0);
}

TEST_P(ServerTest, MalformedJsonIs400) {
    ExpectError(client_->Send("POST", "/api/v1/sites/", "{\"name\": "), 400, "malformed_json");
    ExpectError(client_->Send("POST", "/api/v1/sites/", ""), 400, "malformed_json");
    ExpectError(client_->Send("POST", "/api/v1/sites/", "[1,2]"), 400, "invalid_type");
    ExpectError(client_->Send("POST", "/api/v1/sites/", std::string(1000, '[')), 400,
                "malformed_json");
    EXPECT_EQ(client_->Get("/api/v1/sites/").json["count"], 0);
}

TEST_P(ServerTest, StopIsIdempotentAndClosesConnections) {
    ASSERT_EQ(client_->Get("/healthz").status, 200);
    server_->Stop();
    server_->Stop();
    EXPECT_THROW(client_->Get("/healthz"), std::runtime_error);
}

}  // namespace
HERALD_ON_EVERY_BACKEND(ServerTest);

}  // namespace herald::testing
