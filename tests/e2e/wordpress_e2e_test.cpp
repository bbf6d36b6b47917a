// The whole workflow to a real WordPress (scripts/wordpress/start.sh): herald's own API,
// `tasks schedule-approved`, `tasks process-scheduled`, then the post read back from the
// public page. Skips when no local WordPress is running.

#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "platforms/platform_env.hpp"
#include "publishers/http_client.hpp"
#include "support/http_test_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::testing {
namespace {

using nlohmann::json;

using platforms_test::WpEnv;

TEST(WordPressWorkflow, ApprovedPostGoesLiveWithCategoryTagsAndImage) {
    auto http = publishers::MakeCurlHttpClient();
    const std::string wp_url = WpEnv("HERALD_WP_URL");
    if (wp_url.empty() || !platforms_test::Answers(*http, wp_url + "/wp-json/"))
        GTEST_SKIP() << "no local WordPress: run scripts/wordpress/start.sh";

    // herald downloads the featured image itself, from this loopback server.
    WebhookReceiver images;
    ReceiverReply png;
    png.body = platforms_test::TinyPng();
    png.headers = {{"Content-Type", "image/png"}};
    images.SetDefaultReply(png);

    TempDir dir;
    const std::string db = "sqlite:" + dir.File("herald.db");
    auto serve = StartServe(db, {"--no-tasks"});
    HttpTestClient api("127.0.0.1", serve.port);
    api.SetApiKey(serve.first_api_key);
    auto call = [&](const std::string& method, const std::string& path, const json& body) {
        const HttpResult r = api.Send(method, path, body.is_null() ? "" : body.dump());
        return std::make_pair(r.status, r.json);
    };

    auto [site_status, site] = call("POST", "/api/v1/sites/",
                                    {{"name", "Local WordPress"},
                                     {"platform_type", "wordpress"},
                                     {"domain", wp_url},
                                     {"username", WpEnv("HERALD_WP_USER")},
                                     {"api_key", WpEnv("HERALD_WP_APP_PASSWORD")},
                                     {"timezone", "UTC"}});
    ASSERT_EQ(site_status, 201) << site.dump();
    const std::string site_path = "/api/v1/sites/" + std::to_string(site["id"].get<int64_t>());
    ASSERT_EQ(call("POST", site_path + "/test-connection/", nullptr).first, 200);
    ASSERT_EQ(call("PATCH", site_path + "/publishing-settings/",
                   {{"auto_publish_enabled", true}, {"publish_time_slots", {"09:00"}}})
                  .first,
              200);

    const std::string suffix = platforms_test::RunSuffix();
    const std::string title = "Herald end to end " + suffix;
    const std::string category = "Dispatch " + suffix;
    const std::string tag = "ontime" + suffix;
    auto [created, content] =
        call("POST", "/api/v1/writer/content/",
             {{"site_id", site["id"]},
              {"title", title},
              {"content_html", "<p>Published by herald's end-to-end test.</p>"},
              {"categories", {category}},
              {"tags", {tag}},
              {"featured_image_url", images.Url("/cover-" + suffix + ".png")},
              {"status", "approved"}});
    ASSERT_EQ(created, 201) << content.dump();
    const std::string content_path =
        "/api/v1/writer/content/" + std::to_string(content["id"].get<int64_t>()) + "/";

    // Monday 2026-01-05: the 09:00 UTC slot; then publish as of 09:00:30.
    ASSERT_EQ(RunCommand({HeraldBinary(), "tasks", "schedule-approved", "--db", db, "--now",
                          "2026-01-05T06:00:00Z"})
                  .exit_code,
              0);
    EXPECT_EQ(call("GET", content_path, nullptr).second["scheduled_publish_at"],
              "2026-01-05T09:00:00Z");
    const auto run = RunCommand({HeraldBinary(), "tasks", "process-scheduled", "--db", db, "--now",
                                 "2026-01-05T09:00:30Z"});
    ASSERT_EQ(run.exit_code, 0) << run.err;

    const json published = call("GET", content_path, nullptr).second;
    ASSERT_EQ(published["site_status"], "published") << published.dump();
    const std::string external_url = published["external_url"];
    const std::string external_id = published["external_id"];

    // What WordPress stored, through its REST API.
    publishers::HttpRequest rest;
    rest.url = wp_url + "/wp-json/wp/v2/posts/" + external_id + "?_embed=1";
    const auto stored = json::parse(http->Send(rest).body, nullptr, false);
    ASSERT_TRUE(stored.is_object());
    EXPECT_EQ(stored["title"]["rendered"], title);
    EXPECT_EQ(stored["status"], "publish");
    EXPECT_NE(stored["featured_media"], 0);
    std::set<std::string> terms;
    for (const auto& group : stored["_embedded"]["wp:term"])
        for (const auto& term : group) terms.insert(term["name"].get<std::string>());
    EXPECT_TRUE(terms.count(category)) << stored["_embedded"]["wp:term"].dump();
    EXPECT_TRUE(terms.count(tag));

    // The public page external_url points at.
    publishers::HttpRequest page;
    page.url = external_url;
    const auto html = http->Send(page);
    ASSERT_EQ(html.status, 200) << external_url;
    EXPECT_NE(html.body.find(title), std::string::npos);
    EXPECT_NE(html.body.find(category), std::string::npos);
    EXPECT_NE(html.body.find(tag), std::string::npos);
    EXPECT_NE(html.body.find("cover-" + suffix), std::string::npos) << "featured image shown";

    // Exactly one post with that title exists.
    publishers::HttpRequest search;
    search.url = wp_url + "/wp-json/wp/v2/posts?search=" + suffix + "&per_page=100";
    EXPECT_EQ(json::parse(http->Send(search).body, nullptr, false).size(), 1u);
}

}  // namespace
}  // namespace herald::testing
