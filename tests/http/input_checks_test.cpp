// Input the API refuses up front (422, nothing stored): sites their platform cannot publish
// to (the adapters' own required settings), a publish-now naming another platform, content
// without a body; and a request with several missing fields names them all at once. An empty
// list filter (`?site_id=`) filters nothing.

#include "http/api_fixture.hpp"

namespace herald::testing {
namespace {

class InputChecksTest : public ApiTest {};

/// The fields of a several-errors answer, in order; its first is also the error itself.
std::vector<std::string> ErrorFields(const HttpResult& res) {
    std::vector<std::string> fields;
    EXPECT_EQ(res.status, 422) << res.body;
    const json& error = res.json["error"];
    for (const json& e : error.value("errors", json::array())) {
        EXPECT_EQ(e["code"], "required") << res.body;
        EXPECT_FALSE(e["message"].get<std::string>().empty());
        fields.push_back(e["field"]);
    }
    if (!fields.empty()) {
        EXPECT_EQ(error["field"], fields.front()) << res.body;
    }
    return fields;
}

TEST_P(InputChecksTest, ASiteItsPlatformCannotPublishToIsRefusedNamingEachMissingSetting) {
    const json wp = {{"name", "WP"},
                     {"platform_type", "wordpress"},
                     {"domain", "https://blog.example.com"},
                     {"username", "editor"},
                     {"api_key", "abcd efgh"}};
    for (const char* field : {"username", "api_key", "domain"}) {
        json body = wp;
        body.erase(field);
        const auto res = client_->Post("/api/v1/sites/", body);
        ExpectError(res, 422, "required", field);
        EXPECT_NE(res.json["error"]["message"].get<std::string>().find("The site has no"),
                  std::string::npos)
            << res.body;
    }
    json bare = {{"name", "WP"}, {"platform_type", "wordpress"}};
    EXPECT_EQ(ErrorFields(client_->Post("/api/v1/sites/", bare)),
              (std::vector<std::string>{"domain", "username", "api_key"}));
    EXPECT_EQ(
        ErrorFields(client_->Post(
            "/api/v1/sites/", {{"name", "S"}, {"platform_type", "shopify"}, {"username", "x"}})),
        (std::vector<std::string>{"domain", "api_key"}));
    ExpectError(client_->Post("/api/v1/sites/", {{"name", "G"},
                                                 {"platform_type", "ghost"},
                                                 {"domain", "https://ghost.example.com"}}),
                422, "required", "api_key");
    // No platform named: WordPress, so its settings are needed too.
    ExpectError(client_->Post("/api/v1/sites/", {{"name", "default"},
                                                 {"domain", "https://blog.example.com"},
                                                 {"api_key", "k"}}),
                422, "required", "username");
    EXPECT_EQ(client_->Get("/api/v1/sites/").json["count"], 0) << "nothing stored";

    // A custom endpoint may be set up later (it is paused at its first call meanwhile).
    EXPECT_EQ(
        client_->Post("/api/v1/sites/", {{"name", "Hook"}, {"platform_type", "custom"}}).status,
        201);

    // A PATCH that would leave the site without one is refused and changes nothing.
    auto created = client_->Post("/api/v1/sites/", wp);
    ASSERT_EQ(created.status, 201) << created.body;
    ExpectError(client_->Patch(SitePath(created.json), {{"username", ""}, {"name", "x"}}), 422,
                "required", "username");
    ExpectError(client_->Patch(SitePath(created.json), {{"api_key", ""}}), 422, "required",
                "api_key");
    EXPECT_EQ(client_->Get(SitePath(created.json)).json, created.json);
}

TEST_P(InputChecksTest, PublishNowDestinationsMustNameTheSitesPlatform) {
    const json site = MakeSite();  // custom
    const json c = MakeContent(site["id"], {{"status", "approved"}});
    for (const json& destinations : {json{"wordpress"}, json{"custom", "ghost"}, json{"twitter"}}) {
        const auto res = client_->Post("/api/v1/publisher/publish",
                                       {{"content_id", c["id"]}, {"destinations", destinations}});
        ExpectError(res, 422, "destination_mismatch", "destinations");
        EXPECT_NE(res.json["error"]["message"].get<std::string>().find("publishes to custom"),
                  std::string::npos)
            << res.body;
    }
    const json after = client_->Get(ContentPath(c)).json;
    EXPECT_EQ(after["site_status"], "not_published");
    EXPECT_EQ(client_->Get("/api/v1/publisher/records/").json["count"], 0) << "nothing attempted";
    // Someone else's (or a missing) item is still simply not found.
    ExpectError(client_->Post("/api/v1/publisher/publish",
                              {{"content_id", 999999}, {"destinations", {"wordpress"}}}),
                404, "not_found");
}

TEST_P(InputChecksTest, ContentNeedsABodyAndNamesEveryMissingField) {
    const json site = MakeSite();
    for (const char* blank : {"", "   \n"}) {
        ExpectError(
            client_->Post("/api/v1/writer/content/",
                          {{"site_id", site["id"]}, {"title", "t"}, {"content_html", blank}}),
            422, "required", "content_html");
    }
    const json c = MakeContent(site["id"]);
    ExpectError(client_->Patch(ContentPath(c), {{"content_html", ""}}), 422, "required",
                "content_html");
    EXPECT_EQ(client_->Get(ContentPath(c)).json, c);

    EXPECT_EQ(ErrorFields(client_->Post("/api/v1/writer/content/", {{"site_id", site["id"]}})),
              (std::vector<std::string>{"title", "content_html"}));
    EXPECT_EQ(ErrorFields(client_->Post("/api/v1/writer/content/", json::object())),
              (std::vector<std::string>{"site_id", "title", "content_html"}));
    EXPECT_EQ(client_->Get("/api/v1/writer/content/").json["count"], 1);
}

// A list URL filled in from a template (`?content_id=&site_id=`) leaves some filters empty:
// an empty value filters nothing, as if it were left out; a wrong non-empty one is still
// refused.
TEST_P(InputChecksTest, AnEmptyFilterValueFiltersNothing) {
    const json site = MakeSite();
    MakeContent(site["id"]);
    MakeContent(site["id"]);
    const auto all = client_->Get(
        "/api/v1/writer/content/?site_id=&status=&site_status=&content_type=&cluster_id="
        "&scheduled_after=&scheduled_before=&ordering=&page=&page_size=");
    ASSERT_EQ(all.status, 200) << all.body;
    EXPECT_EQ(all.json["count"], 2);
    EXPECT_EQ(all.json["results"].size(), 2u);
    const auto records = client_->Get("/api/v1/publisher/records/?content_id=&site_id=");
    ASSERT_EQ(records.status, 200) << records.body;
    EXPECT_EQ(records.json["count"], 0);
    EXPECT_EQ(client_->Get("/api/v1/sites/?page=&page_size=").json["count"], 1);

    ExpectError(client_->Get("/api/v1/writer/content/?site_id=abc"), 400, "invalid_type",
                "site_id");
    ExpectError(client_->Get("/api/v1/writer/content/?status=bogus"), 422, "invalid_choice",
                "status");
}

}  // namespace
HERALD_ON_EVERY_BACKEND(InputChecksTest);

}  // namespace herald::testing
