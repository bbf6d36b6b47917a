// Bulk import through the real binary: `herald content import FILE --site ID` runs the API's
// import handler (all or nothing, the row named on stderr), and an import with
// status=approved through `herald serve` goes through the slot scheduler at once.

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/backends.hpp"
#include "support/http_test_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace herald::testing {
namespace {

using nlohmann::json;

class ImportE2eTest : public ::testing::TestWithParam<std::string> {
protected:
    void Start(const std::vector<std::string>& serve_flags) {
        db_ = std::make_unique<BackendDatabase>(GetParam());
        serve_ = StartServe(db_->url(), serve_flags);
        client_ = std::make_unique<HttpTestClient>("127.0.0.1", serve_.port);
        client_->SetApiKey(serve_.first_api_key);
        const HttpResult site = client_->Post(
            "/api/v1/sites/",
            {{"name", "Blog"}, {"platform_type", "custom"}, {"domain", "https://x.example/in"}});
        ASSERT_EQ(site.status, 201) << site.body;
        site_id_ = site.json["id"].get<int64_t>();
    }

    CommandResult Cli(std::vector<std::string> args) {
        args.insert(args.begin(), HeraldBinary());
        args.push_back("--db");
        args.push_back(db_->url());
        return RunCommand(args);
    }

    std::string WriteFile(const std::string& name, const std::string& text) {
        const std::string path = dir_.File(name);
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }

    json List(const std::string& query = "") {
        const HttpResult res =
            client_->Get("/api/v1/writer/content/?site_id=" + std::to_string(site_id_) + query);
        EXPECT_EQ(res.status, 200) << res.body;
        return res.json;
    }

    TempDir dir_;
    std::unique_ptr<BackendDatabase> db_;
    ServeProcess serve_;
    std::unique_ptr<HttpTestClient> client_;
    int64_t site_id_ = 0;
};
HERALD_ON_EVERY_BACKEND(ImportE2eTest);

TEST_P(ImportE2eTest, CliImportRunsTheApisImport) {
    Start({"--role", "api"});
    const std::string site = std::to_string(site_id_);
    const std::string good = WriteFile("posts.csv",
                                       "title,content_html,tags\nA,<p>a</p>,x|y\n"
                                       "B,<p>b</p>,\n");
    const auto imported = Cli({"content", "import", good, "--site", site, "--json"});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    const json answer = json::parse(imported.out);
    EXPECT_EQ(answer["imported"], 2);
    EXPECT_EQ(answer["status"], "draft");
    EXPECT_EQ(answer["account"]["id"], 1);
    const json listed = List();
    ASSERT_EQ(listed["count"], 2);
    EXPECT_EQ(listed["results"][0]["tags"], json({"x", "y"}));

    // A bad row: exit 1, the row and field on stderr, nothing stored.
    const std::string bad = WriteFile(
        "bad.ndjson", "{\"title\": \"C\", \"content_html\": \"c\"}\n{\"content_html\": \"d\"}\n");
    const auto refused = Cli({"content", "import", bad, "--site", site});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("Row 2"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("title"), std::string::npos) << refused.err;
    EXPECT_EQ(List()["count"], 2);

    // The format from --format when the name does not tell; a Markdown file as it is.
    const std::string md = WriteFile("note.txt", "---\ntitle: Note\n---\n*hi*\n");
    EXPECT_NE(Cli({"content", "import", md, "--site", site}).exit_code, 0);
    const auto as_md = Cli({"content", "import", md, "--site", site, "--format", "md"});
    ASSERT_EQ(as_md.exit_code, 0) << as_md.err;
    EXPECT_NE(as_md.out.find("imported 1 items"), std::string::npos) << as_md.out;
    EXPECT_EQ(List()["count"], 3);
    EXPECT_NE(Cli({"content", "import", good, "--site", "999"}).exit_code, 0);
}

TEST_P(ImportE2eTest, ApprovedImportGoesThroughTheSlotScheduler) {
    Start({});
    ASSERT_EQ(client_
                  ->Patch("/api/v1/sites/" + std::to_string(site_id_) + "/publishing-settings/",
                          {{"auto_publish_enabled", true},
                           {"publish_days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}}})
                  .status,
              200);
    // The settings change wakes the scheduler too: let that pass run (it places this item)
    // before the import, so only the import can wake the next one.
    const HttpResult first = client_->Post("/api/v1/writer/content/", {{"site_id", site_id_},
                                                                       {"title", "First"},
                                                                       {"content_html", "<p>1</p>"},
                                                                       {"status", "approved"}});
    ASSERT_EQ(first.status, 201) << first.body;
    ASSERT_TRUE(WaitUntil([&] { return List("&site_status=scheduled")["count"] == 1; }));
    std::string csv = "title,content_html\n";
    for (int i = 0; i < 5; ++i) csv += "Post " + std::to_string(i) + ",<p>x</p>\n";
    const HttpResult res = client_->Send(
        "POST",
        "/api/v1/writer/content/import/?site_id=" + std::to_string(site_id_) + "&status=approved",
        csv, {{"Content-Type", "text/csv"}});
    ASSERT_EQ(res.status, 201) << res.body;
    // Woken by the import (as an approval wakes it), well before its periodic pass (1 min).
    EXPECT_TRUE(WaitUntil([&] { return List("&site_status=scheduled")["count"] == 6; },
                          std::chrono::seconds{20}))
        << List().dump();
}

}  // namespace
}  // namespace herald::testing
