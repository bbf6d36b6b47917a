// /api/v1/api-keys/ on every backend: several named keys per account, the key shown once,
// revocation refused at once (also when another process revokes), accounts isolated; 401 messages;
// the failed-authentication limit (429 with Retry-After) never holding back a valid key.

#include "http/api_fixture.hpp"
#include "support/wait.hpp"

namespace herald::testing {
namespace {

class ApiKeysApiTest : public ApiTest {};

TEST_P(ApiKeysApiTest, CreateUseListRevoke) {
    auto created = client_->Post("/api/v1/api-keys/", {{"name", "ci"}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string key = created.json["key"];
    EXPECT_TRUE(key.starts_with("hk_"));
    EXPECT_EQ(created.json["name"], "ci");
    EXPECT_EQ(created.json["prefix"], key.substr(0, 8));
    const int64_t id = created.json["id"];

    auto ci = NewClient(key);
    EXPECT_EQ(ci->Get("/api/v1/sites/").status, 200);

    auto list = client_->Get("/api/v1/api-keys/");
    ASSERT_EQ(list.status, 200) << list.body;
    ASSERT_EQ(list.json["count"], 2);
    const json& results = list.json["results"];
    EXPECT_EQ(results[0]["name"], "default");
    EXPECT_EQ(results[1]["name"], "ci");
    EXPECT_FALSE(results[1]["last_used_at"].is_null());  // just used
    for (const auto& k : results) {
        EXPECT_FALSE(k.contains("key"));
        EXPECT_FALSE(k.contains("key_hash"));
        for (const char* field : {"id", "name", "prefix", "created_at", "last_used_at"})
            EXPECT_TRUE(k.contains(field)) << field;
    }
    EXPECT_EQ(list.body.find(key), std::string::npos);

    // Another account can neither see nor revoke it.
    auto bob = NewClient(key_b_);
    EXPECT_EQ(bob->Get("/api/v1/api-keys/").json["count"], 1);
    ExpectError(bob->Delete("/api/v1/api-keys/" + std::to_string(id) + "/"), 404, "not_found");
    EXPECT_EQ(ci->Get("/api/v1/sites/").status, 200);

    EXPECT_EQ(client_->Delete("/api/v1/api-keys/" + std::to_string(id) + "/").status, 204);
    auto refused = ci->Get("/api/v1/sites/");  // at once, not after a cache TTL
    ExpectError(refused, 401, "unauthorized");
    EXPECT_NE(
        refused.json["error"]["message"].get<std::string>().find("No account has this API key"),
        std::string::npos);
    ExpectError(client_->Delete("/api/v1/api-keys/" + std::to_string(id) + "/"), 404, "not_found");
    EXPECT_EQ(client_->Get("/api/v1/api-keys/").json["count"], 1);
    EXPECT_EQ(client_->Get("/api/v1/sites/").status, 200);  // the default key still works
}

TEST_P(ApiKeysApiTest, NameIsRequired) {
    ExpectError(client_->Post("/api/v1/api-keys/", json::object()), 422, "required", "name");
    ExpectError(client_->Post("/api/v1/api-keys/", {{"name", ""}}), 422, "required", "name");
    ExpectError(client_->Post("/api/v1/api-keys/", {{"name", 5}}), 400, "invalid_type", "name");
}

TEST_P(ApiKeysApiTest, UnknownKeyAndMissingHeaderSayWhich) {
    auto stranger = NewClient("hk_not-a-key-of-anyone");
    auto res = stranger->Get("/api/v1/sites/");
    ExpectError(res, 401, "unauthorized");
    EXPECT_EQ(res.json["error"]["message"],
              "No account has this API key: it was mistyped, revoked, or made for another "
              "herald database.");
    auto none = NewClient("");
    res = none->Get("/api/v1/sites/");
    ExpectError(res, 401, "unauthorized");
    EXPECT_NE(res.json["error"]["message"].get<std::string>().find("header is required"),
              std::string::npos);
    // A key under another scheme is not taken for a missing header.
    res = none->Send("GET", "/api/v1/sites/", "", {{"Authorization", "Bearer " + key_a_}});
    ExpectError(res, 401, "unauthorized");
    EXPECT_EQ(res.json["error"]["message"], "The Authorization header must read 'Api-Key <key>'.");
}

TEST_P(ApiKeysApiTest, RepeatedFailuresAreLimitedButAValidKeyIsNot) {
    auto wrong = NewClient("hk_wrong");
    int unauthorized = 0;
    int limited = 0;
    HttpResult last;
    for (int i = 0; i < 40; ++i) {
        last = wrong->Get("/api/v1/sites/");
        if (last.status == 401) ++unauthorized;
        if (last.status == 429) ++limited;
        // A valid key from the same address is never held back.
        EXPECT_EQ(client_->Get("/api/v1/sites/").status, 200);
    }
    EXPECT_EQ(unauthorized, 20);
    EXPECT_EQ(limited, 20);
    ExpectError(last, 429, "too_many_failed_authentications");
    const int retry_after = std::stoi(last.Header("retry-after"));
    EXPECT_GE(retry_after, 1);
    EXPECT_LE(retry_after, 60);
    auto missing = NewClient("");
    EXPECT_EQ(missing->Get("/api/v1/sites/").status, 429);  // a missing key is a failure too
    EXPECT_EQ(client_->Get("/api/v1/sites/").status, 200);
    EXPECT_EQ(client_->Get("/healthz").status, 200);
}

// A key revoked by another process (another `herald serve` on the database, or `herald keys
// revoke`) is refused at once here too, not when this process's cached authentication runs
// out: the revocation comes through the change feed (PostgreSQL NOTIFY, SQLite's
// data_version). The bound is well under that cache's 5 s.
TEST_P(ApiKeysApiTest, AKeyRevokedByAnotherProcessIsRefusedAtOnce) {
    auto other_process = storage::OpenStore(db_->url());
    // Twice: the first round also lets the feed connect (a feed announces "anything may have
    // changed" once connected, which would void the cache without any revocation notice).
    for (const char* name : {"warm-up", "elsewhere"}) {
        auto created = client_->Post("/api/v1/api-keys/", {{"name", name}});
        ASSERT_EQ(created.status, 201) << created.body;
        auto holder = NewClient(created.json["key"]);
        ASSERT_EQ(holder->Get("/api/v1/sites/").status, 200);  // now cached
        ASSERT_TRUE(other_process->RevokeApiKey(std::nullopt, created.json["id"], clock_.Now()));
        EXPECT_TRUE(WaitUntil([&] { return holder->Get("/api/v1/sites/").status == 401; },
                              std::chrono::milliseconds{2000}))
            << name;
    }
    EXPECT_EQ(client_->Get("/api/v1/sites/").status, 200);  // other keys are untouched
}

HERALD_ON_EVERY_BACKEND(ApiKeysApiTest);

}  // namespace
}  // namespace herald::testing
