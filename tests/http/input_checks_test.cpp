// Input the API refuses up front (422, nothing stored): a publish-now naming another platform,
// content without a body, and a request with several missing fields names them all at once.
// A site its platform cannot publish to is saved, and says what it lacks (`warnings`). An
// empty list filter (`?site_id=`) filters nothing.

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

/// The `warnings` fields of a site answer, in order; each says what is missing.
std::vector<std::string> WarningFields(const json& site) {
    std::vector<std::string> fields;
    for (const json& w : site.at("warnings")) {
        EXPECT_EQ(w["code"], "required") << site.dump();
        EXPECT_NE(w["message"].get<std::string>().find("The site has no"), std::string::npos)
            << site.dump();
        fields.push_back(w["field"]);
    }
    return fields;
}

TEST_P(InputChecksTest, ASiteItsPlatformCannotPublishToIsSavedAndSaysWhatItLacks) {
    // Only the name is required (the contract); a site its platform cannot publish to is
    // saved as incomplete, says so in every answer, and pauses at its first call.
    const json wp = {{"name", "WP"},
                     {"platform_type", "wordpress"},
                     {"domain", "https://blog.example.com"},
                     {"username", "editor"},
                     {"api_key", "abcd efgh"}};
    for (const char* field : {"username", "api_key", "domain"}) {
        json body = wp;
        body.erase(field);
        const auto res = client_->Post("/api/v1/sites/", body);
        ASSERT_EQ(res.status, 201) << res.body;
        EXPECT_EQ(WarningFields(res.json), std::vector<std::string>{field});
    }
    const auto bare =
        client_->Post("/api/v1/sites/", {{"name", "WP"}, {"platform_type", "wordpress"}});
    ASSERT_EQ(bare.status, 201) << bare.body;
    EXPECT_EQ(WarningFields(bare.json),
              (std::vector<std::string>{"domain", "username", "api_key"}));
    EXPECT_EQ(WarningFields(client_->Get(SitePath(bare.json)).json),
              (std::vector<std::string>{"domain", "username", "api_key"}));
    EXPECT_EQ(
        WarningFields(client_
                          ->Post("/api/v1/sites/",
                                 {{"name", "S"}, {"platform_type", "shopify"}, {"username", "x"}})
                          .json),
        (std::vector<std::string>{"domain", "api_key"}));
    EXPECT_EQ(WarningFields(client_
                                ->Post("/api/v1/sites/", {{"name", "G"},
                                                          {"platform_type", "ghost"},
                                                          {"domain", "https://ghost.example.com"}})
                                .json),
              std::vector<std::string>{"api_key"});
    // A custom endpoint needs none of them; a complete site has no warnings.
    EXPECT_TRUE(
        WarningFields(
            client_->Post("/api/v1/sites/", {{"name", "Hook"}, {"platform_type", "custom"}}).json)
            .empty());
    auto created = client_->Post("/api/v1/sites/", wp);
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_TRUE(WarningFields(created.json).empty());

    // A PATCH that leaves it without one is saved and says so; setting it again clears it.
    const auto emptied = client_->Patch(SitePath(created.json), {{"api_key", ""}});
    ASSERT_EQ(emptied.status, 200) << emptied.body;
    EXPECT_EQ(emptied.json["has_api_key"], false);
    EXPECT_EQ(WarningFields(emptied.json), std::vector<std::string>{"api_key"});
    const auto fixed = client_->Patch(SitePath(created.json), {{"api_key", "new key"}});
    EXPECT_TRUE(WarningFields(fixed.json).empty()) << fixed.body;
    for (const json& site : client_->Get("/api/v1/sites/").json["results"])
        EXPECT_TRUE(site.contains("warnings")) << site.dump();
}

TEST_P(InputChecksTest, AnIncompleteSitesFirstPublicationFailsNamingWhatIsMissingAndPausesIt) {
    const auto site = client_->Post("/api/v1/sites/", {{"name", "WP"},
                                                       {"platform_type", "wordpress"},
                                                       {"domain", "http://127.0.0.1:1"},
                                                       {"username", "editor"}});
    ASSERT_EQ(site.status, 201) << site.body;
    const json c = MakeContent(site.json["id"], {{"status", "approved"}});
    const auto res = client_->Post("/api/v1/publisher/publish", {{"content_id", c["id"]}});
    EXPECT_GE(res.status, 400) << res.body;
    EXPECT_NE(res.body.find("application password"), std::string::npos) << res.body;
    const json after = client_->Get(SitePath(site.json)).json;
    EXPECT_EQ(after["health"], "paused") << after.dump();
    EXPECT_NE(after["health_reason"].get<std::string>().find("application password"),
              std::string::npos)
        << after.dump();
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
