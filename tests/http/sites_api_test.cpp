// /api/v1/sites/ and /publishing-settings/: CRUD, write-only api_key, validation, isolation.

#include "http/api_fixture.hpp"

namespace herald::testing {
namespace {

class SitesApiTest : public ApiTest {};

TEST_P(SitesApiTest, CreateGetListPatchDelete) {
    auto res = client_->Post("/api/v1/sites/", {{"name", "Main blog"},
                                                {"platform_type", "wordpress"},
                                                {"domain", "https://blog.example.com"},
                                                {"api_key", "app-pass"},
                                                {"username", "editor"}});
    ASSERT_EQ(res.status, 201) << res.body;
    const json site = res.json;
    EXPECT_GT(site["id"].get<int64_t>(), 0);
    EXPECT_EQ(site["name"], "Main blog");
    EXPECT_EQ(site["platform_type"], "wordpress");
    EXPECT_EQ(site["domain"], "https://blog.example.com");
    EXPECT_EQ(site["username"], "editor");
    EXPECT_EQ(site["timezone"], "UTC");
    EXPECT_EQ(site["is_active"], true);
    EXPECT_EQ(site["has_api_key"], true);
    EXPECT_FALSE(site.contains("api_key"));
    EXPECT_EQ(site["created_at"], kNow);

    auto got = client_->Get(SitePath(site));
    EXPECT_EQ(got.status, 200);
    EXPECT_EQ(got.json, site);
    EXPECT_EQ(got.body.find("app-pass"), std::string::npos);

    auto list = client_->Get("/api/v1/sites/");
    EXPECT_EQ(list.json["count"], 1);
    EXPECT_TRUE(list.json["next"].is_null());
    EXPECT_TRUE(list.json["previous"].is_null());
    EXPECT_EQ(list.json["results"][0], site);
    EXPECT_EQ(list.body.find("app-pass"), std::string::npos);

    auto patched = client_->Patch(
        SitePath(site),
        {{"timezone", "Europe/Berlin"}, {"is_active", false}, {"id", 999}, {"unknown_field", 1}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.json["timezone"], "Europe/Berlin");
    EXPECT_EQ(patched.json["is_active"], false);
    EXPECT_EQ(patched.json["id"], site["id"]);
    EXPECT_EQ(patched.json["has_api_key"], true);

    // Cleared: saved, and the answer says WordPress cannot publish without it.
    auto cleared = client_->Patch(SitePath(site), {{"api_key", ""}});
    EXPECT_EQ(cleared.json["has_api_key"], false);
    ASSERT_EQ(cleared.json["warnings"].size(), 1u) << cleared.body;
    EXPECT_EQ(cleared.json["warnings"][0]["field"], "api_key");

    EXPECT_EQ(client_->Delete(SitePath(site)).status, 204);
    ExpectError(client_->Get(SitePath(site)), 404, "not_found");
    ExpectError(client_->Delete(SitePath(site)), 404, "not_found");
}

TEST_P(SitesApiTest, CreatingASiteCreatesDefaultSettings) {
    const json site = MakeSite();
    auto res = client_->Get(SitePath(site, "publishing-settings/"));
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["auto_publish_enabled"], false);
    EXPECT_EQ(res.json["publish_days"], json({"mon", "tue", "wed", "thu", "fri"}));
    EXPECT_EQ(res.json["publish_time_slots"], json({"09:00", "14:00", "18:00"}));
    EXPECT_TRUE(res.json["daily_publish_limit"].is_null());
    EXPECT_TRUE(res.json["weekly_publish_limit"].is_null());
    EXPECT_TRUE(res.json["monthly_publish_limit"].is_null());
}

TEST_P(SitesApiTest, HasApiKeyFalseWithoutKey) {
    const json site = MakeSite({{"api_key", nullptr}});
    EXPECT_EQ(site["has_api_key"], false);
}

TEST_P(SitesApiTest, InvalidSiteBodiesAreRefusedAndStoreNothing) {
    ExpectError(client_->Post("/api/v1/sites/", {{"name", 5}}), 400, "invalid_type", "name");
    ExpectError(client_->Post("/api/v1/sites/", {{"name", "x"}, {"is_active", "yes"}}), 400,
                "invalid_type", "is_active");
    ExpectError(client_->Post("/api/v1/sites/", {{"platform_type", "custom"}}), 422, "required",
                "name");
    auto res = client_->Post("/api/v1/sites/", {{"name", "x"}, {"platform_type", "myspace"}});
    ExpectError(res, 422, "invalid_choice", "platform_type");
    res = client_->Post("/api/v1/sites/", {{"name", "x"}, {"timezone", "Mars/Olympus"}});
    EXPECT_EQ(res.status, 422);
    EXPECT_EQ(res.json["error"]["field"], "timezone");
    EXPECT_EQ(client_->Get("/api/v1/sites/").json["count"], 0);
}

TEST_P(SitesApiTest, UrlsAreValidatedFullyAndKeptAsGiven) {
    for (const char* bad : {"http://a:99999/", "http://a:0/", "file:///etc/passwd", "http://",
                            "https://host name/"}) {
        ExpectError(client_->Post("/api/v1/sites/",
                                  {{"name", "x"}, {"platform_type", "custom"}, {"domain", bad}}),
                    422, "invalid_url", "domain");
    }
    EXPECT_EQ(client_->Get("/api/v1/sites/").json["count"], 0);
    // A custom endpoint is called exactly as given, trailing slash included.
    const json site = MakeSite({{"domain", "https://hooks.example.com/in/"}});
    EXPECT_EQ(site["domain"], "https://hooks.example.com/in/");
    EXPECT_EQ(MakeSite({{"domain", "http://127.0.0.1:65535/x"}})["domain"],
              "http://127.0.0.1:65535/x");
}

TEST_P(SitesApiTest, NulCharactersAreRefused) {
    ExpectError(client_->Send("POST", "/api/v1/sites/", R"({"name": "a\u0000b"})"), 422,
                "invalid_characters", "name");
    EXPECT_EQ(client_->Get("/api/v1/sites/").json["count"], 0);
}

TEST_P(SitesApiTest, EchoedValuesAreCutOnCharacterBoundaries) {
    const json site = MakeSite();
    std::string euros;
    for (int i = 0; i < 30; ++i) euros += "\u20ac";  // 3 bytes each: 40 bytes cut inside one
    auto res = client_->Send("PATCH", SitePath(site, "publishing-settings/"),
                             R"({"publish_days": [")" + euros + R"("]})");
    ASSERT_EQ(res.status, 422) << res.body;
    ASSERT_TRUE(res.json.is_object()) << "not valid JSON/UTF-8: " << res.body;
    const std::string message = res.json["error"]["message"];
    EXPECT_NE(message.find("\xe2\x82\xac\xe2\x82\xac"), std::string::npos);
}

TEST_P(SitesApiTest, InvalidPatchChangesNothing) {
    const json site = MakeSite();
    ExpectError(client_->Patch(SitePath(site), {{"name", "ok"}, {"timezone", "Nowhere/City"}}), 422,
                "unknown_time_zone", "timezone");
    ExpectError(client_->Patch(SitePath(site), {{"name", "ok"}, {"is_active", 1}}), 400,
                "invalid_type", "is_active");
    ExpectError(client_->Send("PATCH", SitePath(site), "{oops"), 400, "malformed_json");
    EXPECT_EQ(client_->Get(SitePath(site)).json, site);
}

TEST_P(SitesApiTest, PlatformOptionsAreValidatedPerPlatform) {
    ExpectError(client_->Post("/api/v1/sites/", {{"name", "wp"},
                                                 {"platform_type", "wordpress"},
                                                 {"options", {{"status", "live"}}}}),
                422, "invalid_options", "options");
    ExpectError(
        client_->Post("/api/v1/sites/",
                      {{"name", "wp"}, {"platform_type", "wordpress"}, {"options", "draft"}}),
        400, "invalid_type", "options");
    EXPECT_EQ(client_->Get("/api/v1/sites/").json["count"], 0);

    const json site = MakeSite({{"platform_type", "wordpress"},
                                {"username", "editor"},
                                {"options", {{"status", "draft"}, {"author", 3}}}});
    EXPECT_EQ(site["options"]["status"], "draft");
    ExpectError(client_->Patch(SitePath(site), {{"options", {{"author", "bob"}}}}), 422,
                "invalid_options", "options");
    EXPECT_EQ(client_->Get(SitePath(site)).json, site);
}

TEST_P(SitesApiTest, AnotherAccountsSiteIs404Everywhere) {
    auto bob = NewClient(key_b_);
    const json theirs = MakeSite({{"name", "Bob's"}}, bob.get());
    ExpectError(client_->Get(SitePath(theirs)), 404, "not_found");
    ExpectError(client_->Patch(SitePath(theirs), {{"name", "mine now"}}), 404, "not_found");
    ExpectError(client_->Delete(SitePath(theirs)), 404, "not_found");
    ExpectError(client_->Get(SitePath(theirs, "publishing-settings/")), 404, "not_found");
    ExpectError(client_->Put(SitePath(theirs, "publishing-settings/"), json::object()), 404,
                "not_found");
    ExpectError(client_->Post(SitePath(theirs, "test-connection/"), json::object()), 404,
                "not_found");
    EXPECT_EQ(client_->Get("/api/v1/sites/").json["count"], 0);
    EXPECT_EQ(bob->Get(SitePath(theirs)).json, theirs);
}

TEST_P(SitesApiTest, SettingsPatchMergesAndPutReplaces) {
    const json site = MakeSite();
    const std::string path = SitePath(site, "publishing-settings/");
    auto res = client_->Patch(path, {{"auto_publish_enabled", true},
                                     {"publish_days", {"sat", "sun"}},
                                     {"daily_publish_limit", 2}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["auto_publish_enabled"], true);
    EXPECT_EQ(res.json["publish_days"], json({"sat", "sun"}));
    EXPECT_EQ(res.json["publish_time_slots"], json({"09:00", "14:00", "18:00"}));
    EXPECT_EQ(res.json["daily_publish_limit"], 2);
    EXPECT_EQ(client_->Get(path).json, res.json);

    res = client_->Put(path, {{"publish_time_slots", {"07:30"}}, {"weekly_publish_limit", 5}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["auto_publish_enabled"], false);
    EXPECT_EQ(res.json["publish_days"], json({"mon", "tue", "wed", "thu", "fri"}));
    EXPECT_EQ(res.json["publish_time_slots"], json({"07:30"}));
    EXPECT_TRUE(res.json["daily_publish_limit"].is_null());
    EXPECT_EQ(res.json["weekly_publish_limit"], 5);

    res = client_->Patch(path, {{"weekly_publish_limit", nullptr}});
    EXPECT_TRUE(res.json["weekly_publish_limit"].is_null());
}

TEST_P(SitesApiTest, InvalidSettingsAreRefusedAndChangeNothing) {
    const json site = MakeSite();
    const std::string path = SitePath(site, "publishing-settings/");
    const json before = client_->Get(path).json;
    struct Case {
        json body;
        int status;
        const char* field;
    };
    const Case cases[] = {
        {{{"publish_days", "mon"}}, 400, "publish_days"},
        {{{"publish_days", {"mon", 1}}}, 400, "publish_days"},
        {{{"publish_days", {"monday"}}}, 422, "publish_days"},
        {{{"publish_days", {"mon", "mon"}}}, 422, "publish_days"},
        {{{"publish_time_slots", {"25:00"}}}, 422, "publish_time_slots"},
        {{{"publish_time_slots", {"9am"}}}, 422, "publish_time_slots"},
        {{{"publish_time_slots", {"09:00", "09:00"}}}, 422, "publish_time_slots"},
        {{{"publish_time_slots", "09:00"}}, 400, "publish_time_slots"},
        {{{"daily_publish_limit", -1}}, 422, "daily_publish_limit"},
        {{{"weekly_publish_limit", -3}}, 422, "weekly_publish_limit"},
        {{{"daily_publish_limit", "3"}}, 400, "daily_publish_limit"},
        {{{"monthly_publish_limit", 1.5}}, 400, "monthly_publish_limit"},
        {{{"auto_publish_enabled", "yes"}}, 400, "auto_publish_enabled"},
    };
    for (const Case& c : cases) {
        for (const char* method : {"PATCH", "PUT"}) {
            auto res = client_->Send(method, path, c.body.dump());
            EXPECT_EQ(res.status, c.status) << method << " " << c.body.dump() << " " << res.body;
            EXPECT_EQ(res.json["error"]["field"], c.field) << c.body.dump();
            EXPECT_EQ(res.json["error"].size(), 3u);
        }
    }
    EXPECT_EQ(client_->Get(path).json, before);
}

TEST_P(SitesApiTest, PaginationBuildsAbsoluteLinks) {
    for (int i = 0; i < 5; ++i) MakeSite({{"name", "s" + std::to_string(i)}});
    auto page1 = client_->Get("/api/v1/sites/?page_size=2");
    ASSERT_EQ(page1.status, 200);
    EXPECT_EQ(page1.json["count"], 5);
    EXPECT_EQ(page1.json["results"].size(), 2u);
    EXPECT_TRUE(page1.json["previous"].is_null());
    const std::string base = "http://127.0.0.1:" + std::to_string(server_->Port());
    EXPECT_EQ(page1.json["next"], base + "/api/v1/sites/?page_size=2&page=2");
    auto page3 = client_->Get("/api/v1/sites/?page=3&page_size=2");
    EXPECT_EQ(page3.json["results"].size(), 1u);
    EXPECT_TRUE(page3.json["next"].is_null());
    EXPECT_EQ(page3.json["previous"], base + "/api/v1/sites/?page_size=2&page=2");
    auto beyond = client_->Get("/api/v1/sites/?page=9");
    EXPECT_EQ(beyond.status, 200);
    EXPECT_EQ(beyond.json["results"].size(), 0u);
    EXPECT_EQ(beyond.json["count"], 5);
    ExpectError(client_->Get("/api/v1/sites/?page=0"), 422, "invalid_page", "page");
    ExpectError(client_->Get("/api/v1/sites/?page_size=0"), 422, "invalid_page_size", "page_size");
    ExpectError(client_->Get("/api/v1/sites/?page=abc"), 400, "invalid_type", "page");
    EXPECT_EQ(client_->Get("/api/v1/sites/?page_size=100000").status, 200);
}

TEST_P(SitesApiTest, TestConnectionNeedsDomainAndKey) {
    const json no_key = MakeSite({{"api_key", ""}});
    ExpectError(client_->Post(SitePath(no_key, "test-connection/"), json::object()), 422,
                "missing_api_key", "api_key");
    const json no_domain = MakeSite({{"domain", ""}});
    ExpectError(client_->Post(SitePath(no_domain, "test-connection/"), json::object()), 422,
                "missing_domain", "domain");
}

TEST_P(SitesApiTest, SlotsListsInstantsInTheSiteZone) {
    const json site = MakeSite({{"timezone", "Europe/Berlin"}});
    client_->Put(SitePath(site, "publishing-settings/"),
                 {{"publish_days", {"wed"}}, {"publish_time_slots", {"09:00"}}});
    auto res = client_->Get(SitePath(site, "slots/") +
                            "?from=2026-01-20T00:00:00Z&to=2026-01-29T00:00:00Z");
    ASSERT_EQ(res.status, 200) << res.body;
    ASSERT_EQ(res.json["results"].size(), 2u);
    EXPECT_EQ(res.json["results"][0]["at"], "2026-01-21T08:00:00Z");
    EXPECT_EQ(res.json["results"][0]["state"], "free");
    ExpectError(client_->Get(SitePath(site, "slots/") + "?from=yesterday"), 422, "invalid_datetime",
                "from");
}

}  // namespace
HERALD_ON_EVERY_BACKEND(SitesApiTest);

}  // namespace herald::testing
