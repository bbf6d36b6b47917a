// /api/v1/event-hooks/ on every backend: create, list, get, patch, delete under versions and
// If-Match; the secret never in an answer; another account's hook answers 404; every bad
// input a clear 4xx that changes nothing.

#include "http/api_fixture.hpp"

namespace herald::testing {
namespace {

constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

class EventHooksApiTest : public ApiTest {
protected:
    json NewHook(json overrides = json::object()) {
        json body = {{"url", "https://hooks.example.com/herald"},
                     {"secret", kSecret},
                     {"events", {"site.paused", "content.published"}}};
        body.update(overrides);
        auto res = client_->Post("/api/v1/event-hooks/", body);
        EXPECT_EQ(res.status, 201) << res.body;
        return res.json;
    }
    static std::string HookPath(const json& hook, const std::string& suffix = "") {
        return "/api/v1/event-hooks/" + std::to_string(hook["id"].get<int64_t>()) + "/" + suffix;
    }
    /// The stored hook (through the API), to see that a refused request changed nothing.
    std::string Stored(const json& hook) { return client_->Get(HookPath(hook)).body; }
};

TEST_P(EventHooksApiTest, CreateListGetPatchDelete) {
    const json hook = NewHook();
    EXPECT_EQ(hook["url"], "https://hooks.example.com/herald");
    // Stored in API order, whatever order they came in.
    EXPECT_EQ(hook["events"], json({"content.published", "site.paused"}));
    EXPECT_EQ(hook["is_active"], true);
    EXPECT_EQ(hook["has_secret"], true);
    EXPECT_EQ(hook["version"], 1);
    EXPECT_FALSE(hook.contains("secret"));
    for (const char* f : {"id", "created_at", "updated_at"}) EXPECT_TRUE(hook.contains(f)) << f;

    auto got = client_->Get(HookPath(hook));
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(got.Header("etag"), "\"1\"");
    auto list = client_->Get("/api/v1/event-hooks/");
    ASSERT_EQ(list.status, 200);
    EXPECT_EQ(list.json["count"], 1);
    EXPECT_EQ(list.json["results"][0]["id"], hook["id"]);
    EXPECT_TRUE(list.json["next"].is_null());

    auto patched = client_->Patch(
        HookPath(hook),
        {{"is_active", false}, {"events", {"site.recovered"}}, {"secret", "another-secret"}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.json["is_active"], false);
    EXPECT_EQ(patched.json["events"], json({"site.recovered"}));
    EXPECT_EQ(patched.json["url"], "https://hooks.example.com/herald");
    EXPECT_EQ(patched.json["version"], 2);
    EXPECT_EQ(patched.Header("etag"), "\"2\"");
    EXPECT_EQ(store_->GetEventHook(account_a_, hook["id"])->secret, "another-secret");

    // Read-only fields sent back unchanged are ignored.
    json round_trip = patched.json;
    round_trip["url"] = "http://127.0.0.1:9/in";
    auto again = client_->Patch(HookPath(hook), round_trip);
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.json["url"], "http://127.0.0.1:9/in");

    // If-Match with an old version: 412, nothing changed.
    auto stale = client_->Send("PATCH", HookPath(hook), json({{"is_active", true}}).dump(),
                               {{"If-Match", "\"1\""}});
    ExpectError(stale, 412, "precondition_failed");
    EXPECT_EQ(client_->Get(HookPath(hook)).json["is_active"], false);
    ExpectError(client_->Send("DELETE", HookPath(hook), "", {{"If-Match", "\"2\""}}), 412,
                "precondition_failed");
    EXPECT_EQ(client_->Send("DELETE", HookPath(hook), "", {{"If-Match", "\"3\""}}).status, 204);
    ExpectError(client_->Get(HookPath(hook)), 404, "not_found");
    ExpectError(client_->Delete(HookPath(hook)), 404, "not_found");
    EXPECT_EQ(client_->Get("/api/v1/event-hooks/").json["count"], 0);
}

TEST_P(EventHooksApiTest, AnotherAccountsHookIsNotFound) {
    const json hook = NewHook();
    auto bob = NewClient(key_b_);
    ExpectError(bob->Get(HookPath(hook)), 404, "not_found");
    ExpectError(bob->Patch(HookPath(hook), {{"is_active", false}}), 404, "not_found");
    ExpectError(bob->Delete(HookPath(hook)), 404, "not_found");
    ExpectError(bob->Get(HookPath(hook, "deliveries/")), 404, "not_found");
    EXPECT_EQ(bob->Get("/api/v1/event-hooks/").json["count"], 0);
    EXPECT_EQ(client_->Get(HookPath(hook)).json["is_active"], true);
}

TEST_P(EventHooksApiTest, BadInputIsRefusedAndChangesNothing) {
    const json hook = NewHook();
    const std::string before = Stored(hook);
    struct Case {
        json body;
        int status;
        const char* code;
        json field;
    };
    const std::vector<Case> cases = {
        {{{"url", "ftp://hooks.example.com"}}, 422, "invalid_url", "url"},
        {{{"url", "hooks.example.com/in"}}, 422, "invalid_url", "url"},
        {{{"url", "https://"}}, 422, "invalid_url", "url"},
        {{{"url", ""}}, 422, "required", "url"},
        {{{"url", nullptr}}, 422, "required", "url"},
        {{{"url", 5}}, 400, "invalid_type", "url"},
        {{{"url", "https://x.example/" + std::string(3000, 'a')}}, 422, "too_long", "url"},
        {{{"events", json::array()}}, 422, "required", "events"},
        {{{"events", {"content.deleted"}}}, 422, "invalid_choice", "events"},
        {{{"events", {"site.paused", "site.paused"}}}, 422, "duplicate_event", "events"},
        {{{"events", "site.paused"}}, 400, "invalid_type", "events"},
        {{{"events", {1}}}, 400, "invalid_type", "events"},
        {{{"secret", ""}}, 422, "required", "secret"},
        {{{"secret", nullptr}}, 422, "required", "secret"},
        {{{"secret", "whsec_!!not base64!!"}}, 422, "invalid_secret", "secret"},
        {{{"secret", std::string(300, 's')}}, 422, "too_long", "secret"},
        {{{"secret", 12}}, 400, "invalid_type", "secret"},
        {{{"is_active", "yes"}}, 400, "invalid_type", "is_active"},
        {{{"event", {"site.paused"}}}, 400, "unknown_field", "event"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.body.dump());
        ExpectError(client_->Patch(HookPath(hook), c.body), c.status, c.code, c.field);
        // On create, each case on top of an otherwise valid body.
        json create = {{"url", "https://hooks.example.com/herald"},
                       {"secret", kSecret},
                       {"events", {"site.paused"}}};
        create.update(c.body);
        ExpectError(client_->Post("/api/v1/event-hooks/", create), c.status, c.code, c.field);
    }
    ExpectError(
        client_->Post("/api/v1/event-hooks/", {{"url", "https://h.example/"}, {"secret", kSecret}}),
        422, "required", "events");
    ExpectError(client_->Post("/api/v1/event-hooks/",
                              {{"url", "https://h.example/"}, {"events", {"site.paused"}}}),
                422, "required", "secret");
    ExpectError(
        client_->Post("/api/v1/event-hooks/", {{"secret", kSecret}, {"events", {"site.paused"}}}),
        422, "required", "url");
    ExpectError(client_->Send("POST", "/api/v1/event-hooks/", "{not json"), 400, "malformed_json");
    ExpectError(client_->Send("POST", "/api/v1/event-hooks/", "[1]"), 400, "invalid_type");
    ExpectError(client_->Send("PATCH", HookPath(hook), "{not json"), 400, "malformed_json");
    ExpectError(client_->Get("/api/v1/event-hooks/?page=0"), 422, "invalid_page", "page");

    EXPECT_EQ(Stored(hook), before);
    EXPECT_EQ(client_->Get("/api/v1/event-hooks/").json["count"], 1);
}

TEST_P(EventHooksApiTest, NoAnswerCarriesTheSecret) {
    const json hook = NewHook();
    const std::string secret_part = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    for (const auto& res : {client_->Get(HookPath(hook)), client_->Get("/api/v1/event-hooks/"),
                            client_->Patch(HookPath(hook), {{"url", "https://a.example/"}}),
                            client_->Patch(HookPath(hook), {{"url", "nope"}}),
                            client_->Get(HookPath(hook, "deliveries/"))}) {
        EXPECT_EQ(res.body.find(secret_part), std::string::npos) << res.body;
    }
    auto created = client_->Post("/api/v1/event-hooks/", {{"url", "https://b.example/"},
                                                          {"secret", "raw-secret-value"},
                                                          {"events", {"content.failed"}}});
    ASSERT_EQ(created.status, 201);
    EXPECT_EQ(created.body.find("raw-secret-value"), std::string::npos);
}

TEST_P(EventHooksApiTest, DeliveriesListTheOutbox) {
    const json hook = NewHook();
    ASSERT_EQ(store_->EnqueueHookEvent(account_a_, "site.paused", "{}", clock_.Now()), 1);
    auto res = client_->Get(HookPath(hook, "deliveries/"));
    ASSERT_EQ(res.status, 200) << res.body;
    ASSERT_EQ(res.json["count"], 1);
    const json& d = res.json["results"][0];
    EXPECT_EQ(d["event"], "site.paused");
    EXPECT_EQ(d["state"], "pending");
    EXPECT_EQ(d["attempts"], 0);
    EXPECT_TRUE(d["webhook_id"].get<std::string>().starts_with("msg_"));
    EXPECT_TRUE(d["last_error"].is_null());
}

TEST_P(EventHooksApiTest, TestQueuesAPingForThatHookOnly) {
    const json hook = NewHook({{"events", {"site.paused"}}});
    const json other = NewHook();
    auto res = client_->Send("POST", HookPath(hook, "test/"), "");
    ASSERT_EQ(res.status, 202) << res.body;
    EXPECT_EQ(res.json["event"], "ping");
    const auto deliveries = store_->ListHookDeliveries(account_a_, hook["id"], 10);
    ASSERT_EQ(deliveries.size(), 1u);
    EXPECT_EQ(deliveries[0].webhook_id, res.json["webhook_id"]);
    const json body = json::parse(deliveries[0].body);
    EXPECT_EQ(body["type"], "ping");
    EXPECT_EQ(body["timestamp"], kNow);
    EXPECT_EQ(body["data"]["hook_id"], hook["id"]);
    EXPECT_TRUE(store_->ListHookDeliveries(account_a_, other["id"], 10).empty());

    ExpectError(NewClient(key_b_)->Post(HookPath(hook, "test/"), json::object()), 404, "not_found");
    ExpectError(client_->Post(HookPath(hook, "test/"), {{"type", "x"}}), 400, "unknown_field",
                "type");
    ASSERT_EQ(client_->Patch(HookPath(hook), {{"is_active", false}}).status, 200);
    ExpectError(client_->Post(HookPath(hook, "test/"), json::object()), 409, "hook_inactive");
    EXPECT_EQ(store_->ListHookDeliveries(account_a_, hook["id"], 10).size(), 1u);
}

HERALD_ON_EVERY_BACKEND(EventHooksApiTest);

}  // namespace
}  // namespace herald::testing
