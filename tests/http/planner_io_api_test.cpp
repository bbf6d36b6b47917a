// Bulk import / export, duplicate warnings and the calendar feed through the real server, on
// every backend: each format, each kind of bad input (refused whole, naming the row or file
// and the field, nothing stored), round trips through export, and the feed's secret URL.

#include <zip.h>

#include <fstream>
#include <sstream>

#include "http/api_fixture.hpp"

namespace herald::testing {
namespace {

class PlannerIoApiTest : public ApiTest {
protected:
    void SetUp() override {
        ApiTest::SetUp();
        site_id_ = MakeSite()["id"].get<int64_t>();
    }

    HttpResult Import(const std::string& body, const std::string& content_type,
                      const std::string& query = "", int64_t site = 0) {
        return client_->Send("POST",
                             "/api/v1/writer/content/import/?site_id=" +
                                 std::to_string(site ? site : site_id_) + query,
                             body, {{"Content-Type", content_type}});
    }

    int64_t CountContent(int64_t site = 0) {
        auto res = client_->Get("/api/v1/writer/content/?site_id=" +
                                std::to_string(site ? site : site_id_));
        EXPECT_EQ(res.status, 200) << res.body;
        return res.json["count"].get<int64_t>();
    }

    json GetContent(int64_t id) {
        auto res = client_->Get("/api/v1/writer/content/" + std::to_string(id) + "/");
        EXPECT_EQ(res.status, 200) << res.body;
        return res.json;
    }

    /// A zip of (name, data) files, made with libzip in a temp file.
    std::string Zip(const std::vector<std::pair<std::string, std::string>>& files) {
        const std::string path = dir_.File("import.zip");
        int error = 0;
        zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
        EXPECT_NE(archive, nullptr);
        for (const auto& [name, data] : files) {
            zip_source_t* source = zip_source_buffer(archive, data.data(), data.size(), 0);
            EXPECT_GE(zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8), 0);
        }
        EXPECT_EQ(zip_close(archive), 0);
        std::ifstream in(path, std::ios::binary);
        std::ostringstream out;
        out << in.rdbuf();
        return out.str();
    }

    int64_t site_id_ = 0;
};
HERALD_ON_EVERY_BACKEND(PlannerIoApiTest);

// --- import: CSV ----------------------------------------------------------------------------

TEST_P(PlannerIoApiTest, CsvImportsEveryRowWithListsAndSchedules) {
    const std::string csv =
        "title,content_html,excerpt,slug,categories,tags,cluster_id,featured_image_url,"
        "scheduled_publish_at\r\n"
        "First,<p>one</p>,short,first,News|Tech,\"[\"\"a|b\"\",\"\"c\"\"]\",7,"
        "https://img.example.com/1.png,\r\n"
        "\"Second, with comma\",\"<p>two\nlines</p>\",,,,,,,2026-02-01T09:00:00+01:00\r\n";
    auto res = Import(csv, "text/csv; charset=utf-8", "&status=approved");
    ASSERT_EQ(res.status, 201) << res.body;
    EXPECT_EQ(res.json["imported"], 2);
    EXPECT_EQ(res.json["status"], "approved");
    ASSERT_EQ(res.json["ids"].size(), 2u);
    EXPECT_TRUE(res.json["warnings"].empty());
    const json first = GetContent(res.json["ids"][0].get<int64_t>());
    EXPECT_EQ(first["title"], "First");
    EXPECT_EQ(first["excerpt"], "short");
    EXPECT_EQ(first["slug"], "first");
    EXPECT_EQ(first["categories"], json({"News", "Tech"}));
    EXPECT_EQ(first["tags"], json({"a|b", "c"}));
    EXPECT_EQ(first["cluster_id"], 7);
    EXPECT_EQ(first["status"], "approved");
    EXPECT_EQ(first["approved_at"], kNow);
    EXPECT_EQ(first["site_status"], "not_published");
    const json second = GetContent(res.json["ids"][1].get<int64_t>());
    EXPECT_EQ(second["title"], "Second, with comma");
    EXPECT_EQ(second["content_html"], "<p>two\nlines</p>");
    EXPECT_EQ(second["site_status"], "scheduled");
    EXPECT_EQ(second["scheduled_publish_at"], "2026-02-01T08:00:00Z");
}

TEST_P(PlannerIoApiTest, DraftIsTheDefaultStatus) {
    auto res = Import("title,content_html\nA,<p>a</p>\n", "text/csv");
    ASSERT_EQ(res.status, 201) << res.body;
    EXPECT_EQ(GetContent(res.json["ids"][0].get<int64_t>())["status"], "draft");
    ExpectError(Import("title,content_html\nA,<p>a</p>\n", "text/csv", "&status=review"), 422,
                "invalid_choice", "status");
}

TEST_P(PlannerIoApiTest, CsvBadRowSevenNamesRowAndFieldAndImportsNothing) {
    std::string csv = "title,content_html,slug\n";
    for (int i = 1; i <= 10; ++i)
        csv += "Post " + std::to_string(i) + ",<p>x</p>," + (i == 7 ? "Not A Slug!" : "ok") + "\n";
    auto res = Import(csv, "text/csv");
    ExpectError(res, 422, res.json["error"].value("code", ""), "slug");
    EXPECT_EQ(res.json["row"], 7);
    EXPECT_NE(res.json["error"]["message"].get<std::string>().find("Row 7"), std::string::npos);
    EXPECT_EQ(CountContent(), 0);
}

TEST_P(PlannerIoApiTest, CsvShapeErrors) {
    auto res = Import("title,content_html,author\nA,<p>a</p>,me\n", "text/csv");
    ExpectError(res, 422, "unknown_column", "author");
    res = Import("title,title\nA,B\n", "text/csv");
    ExpectError(res, 422, "duplicate_column", "title");
    res = Import("title,content_html\nA,<p>a</p>\nB\n", "text/csv");
    ExpectError(res, 422, "wrong_cell_count");
    EXPECT_EQ(res.json["row"], 2);
    res = Import("title,content_html\n\"A,<p>a</p>\n", "text/csv");
    ExpectError(res, 422, "malformed_csv");
    res = Import("title,content_html\nA,<p>a</p>\n", "text/csv", "&status=draft");
    ASSERT_EQ(res.status, 201);
    res = Import("title,content_html,cluster_id\nA,<p>a</p>,x\n", "text/csv");
    ExpectError(res, 422, "invalid_type", "cluster_id");
    res = Import("title,content_html\nA,\xff\n", "text/csv");
    ExpectError(res, 422, "invalid_encoding");
    EXPECT_EQ(CountContent(), 1);
}

TEST_P(PlannerIoApiTest, ScheduleRulesOfImportedItems) {
    const std::string past =
        "title,content_html,scheduled_publish_at\nA,<p>a</p>,2020-01-01T00:00:00Z\n";
    auto res = Import(past, "text/csv", "&status=approved");
    ExpectError(res, 422, "in_past", "scheduled_publish_at");
    EXPECT_EQ(res.json["row"], 1);
    const std::string future =
        "title,content_html,scheduled_publish_at\nA,<p>a</p>,2026-03-01T09:00:00Z\n";
    ExpectError(Import(future, "text/csv"), 422, "not_approved", "scheduled_publish_at");
    ASSERT_EQ(Import(future, "text/csv", "&status=approved").status, 201);
    // The same instant again: 409 naming the row, nothing of that import stored.
    res = Import(
        "title,content_html,scheduled_publish_at\nB,<p>b</p>,\nC,<p>c</p>,"
        "2026-03-01T09:00:00Z\n",
        "text/csv", "&status=approved");
    ExpectError(res, 409, "slot_taken", "scheduled_publish_at");
    EXPECT_EQ(res.json["row"], 2);
    EXPECT_EQ(CountContent(), 1);
}

// --- import: bad requests -------------------------------------------------------------------

TEST_P(PlannerIoApiTest, WrongOrMissingContentTypeIs415) {
    for (const char* type : {"text/plain", "application/json", "", "text/csv; charset=latin-1"}) {
        auto res = Import("title,content_html\nA,<p>a</p>\n", type);
        EXPECT_EQ(res.status, 415) << type;
        EXPECT_EQ(res.json["error"]["code"], "unsupported_media_type") << type;
        EXPECT_NE(res.json["error"]["message"].get<std::string>().find("text/csv"),
                  std::string::npos);
    }
    EXPECT_EQ(CountContent(), 0);
}

TEST_P(PlannerIoApiTest, EmptyBodyAndMissingOrForeignSite) {
    ExpectError(Import("", "text/csv"), 422, "empty_import");
    ExpectError(Import(" \n\n", "application/x-ndjson"), 422, "empty_import");
    auto res = client_->Send("POST", "/api/v1/writer/content/import/", "title,content_html\n",
                             {{"Content-Type", "text/csv"}});
    ExpectError(res, 422, "required", "site_id");
    const int64_t foreign = MakeSite({}, NewClient(key_b_).get())["id"].get<int64_t>();
    ExpectError(Import("title,content_html\nA,<p>a</p>\n", "text/csv", "", foreign), 404,
                "site_not_found", "site_id");
    EXPECT_EQ(CountContent(foreign), 0);
}

TEST_P(PlannerIoApiTest, TooLargeBodyIs413) {
    // Over the import's 32 MiB limit (the server's own default limit is 1 MiB; an import
    // of 2 MiB goes through).
    std::string big = "title,content_html\n";
    big += "A,\"" + std::string(2 * 1024 * 1024, 'x') + "\"\n";
    EXPECT_EQ(Import(big, "text/csv").status, 201);
    big.assign(33 * 1024 * 1024, 'x');
    auto res = Import(big, "text/csv");
    EXPECT_EQ(res.status, 413);
    EXPECT_EQ(CountContent(), 1);
}

// --- import: JSON lines, Markdown, zip --------------------------------------------------------

TEST_P(PlannerIoApiTest, NdjsonImportsAndNamesItsBadLine) {
    const std::string lines =
        R"({"title": "A", "content_html": "<p>a</p>", "tags": ["x"], "id": 99, "status": "draft"})"
        "\n\n"
        R"({"title": "B", "content_html": "<p>b</p>", "scheduled_publish_at": null})"
        "\n";
    auto res = Import(lines, "application/x-ndjson", "&status=approved");
    ASSERT_EQ(res.status, 201) << res.body;
    EXPECT_EQ(res.json["imported"], 2);
    EXPECT_EQ(GetContent(res.json["ids"][0].get<int64_t>())["tags"], json({"x"}));
    EXPECT_EQ(GetContent(res.json["ids"][0].get<int64_t>())["status"], "approved")
        << "the query's status wins over the item's";
    res = Import("{\"title\": \"C\", \"content_html\": \"c\"}\n{\"title\": 5}\n",
                 "application/x-ndjson");
    ExpectError(res, 422, "invalid_type", "title");
    EXPECT_EQ(res.json["row"], 2);
    res = Import("{\"title\": \"C\", \"content_html\": \"c\"}\n{oops\n", "application/x-ndjson");
    ExpectError(res, 422, "malformed_json");
    EXPECT_EQ(res.json["row"], 2);
    res = Import("{\"title\": \"C\", \"content_html\": \"c\", \"site_id\": 999}\n",
                 "application/x-ndjson");
    ExpectError(res, 422, "site_mismatch", "site_id");
    EXPECT_EQ(CountContent(), 2);
}

TEST_P(PlannerIoApiTest, MarkdownDocumentWithFrontMatter) {
    const std::string doc =
        "---\n"
        "title: \"Hello: world\"\n"
        "slug: hello-world\n"
        "tags: [one, two]\n"
        "categories: News\n"
        "---\n"
        "# Heading\n\nSome *emphasis* and a [link](https://example.com).\n";
    auto res = Import(doc, "text/markdown");
    ASSERT_EQ(res.status, 201) << res.body;
    const json item = GetContent(res.json["ids"][0].get<int64_t>());
    EXPECT_EQ(item["title"], "Hello: world");
    EXPECT_EQ(item["slug"], "hello-world");
    EXPECT_EQ(item["tags"], json({"one", "two"}));
    EXPECT_EQ(item["categories"], json({"News"}));
    EXPECT_EQ(item["content_html"],
              "<h1>Heading</h1>\n<p>Some <em>emphasis</em> and a "
              "<a href=\"https://example.com\">link</a>.</p>\n");
    ExpectError(Import("---\ntitle: A\nauthor: me\n---\nbody\n", "text/markdown"), 422,
                "invalid_front_matter", "author");
    ExpectError(Import("---\ntitle: [unclosed\n---\nbody\n", "text/markdown"), 422,
                "invalid_front_matter");
    ExpectError(Import("No front matter, so no title.\n", "text/markdown"), 422, "required",
                "title");
    EXPECT_EQ(CountContent(), 1);
}

TEST_P(PlannerIoApiTest, ZipOfMarkdownFiles) {
    const std::string zip = Zip({{"posts/b.md", "---\ntitle: B\n---\nbee\n"},
                                 {"posts/", ""},
                                 {"a.markdown", "---\ntitle: A\n---\nay\n"}});
    auto res = Import(zip, "application/zip");
    ASSERT_EQ(res.status, 201) << res.body;
    ASSERT_EQ(res.json["imported"], 2);
    EXPECT_EQ(GetContent(res.json["ids"][0].get<int64_t>())["title"], "A") << "in name order";
    EXPECT_EQ(GetContent(res.json["ids"][1].get<int64_t>())["content_html"], "<p>bee</p>\n");

    res = Import(Zip({{"ok.md", "---\ntitle: C\n---\nc\n"}, {"photo.jpg", "\xff\xd8"}}),
                 "application/zip");
    ExpectError(res, 422, "not_markdown");
    EXPECT_EQ(res.json["file"], "photo.jpg");
    res = Import(Zip({{"ok.md", "---\ntitle: C\n---\nc\n"}, {"bad.md", "---\nslug: X Y\n---\n"}}),
                 "application/zip");
    EXPECT_EQ(res.status, 422);
    EXPECT_EQ(res.json["file"], "bad.md");
    ExpectError(Import("PK not really", "application/zip"), 422, "invalid_zip");
    EXPECT_EQ(CountContent(), 2);
}

// --- export -----------------------------------------------------------------------------------

TEST_P(PlannerIoApiTest, ExportRoundTripsThroughImport) {
    MakeContent(site_id_, {{"title", "Plain"}, {"tags", {"a", "b"}}, {"cluster_id", 3}});
    MakeContent(site_id_, {{"title", "Tricky, \"quoted\"\nline"},
                           {"categories", {"has|bar", " spaced "}},
                           {"excerpt", "ex"},
                           {"slug", "tricky"},
                           {"featured_image_url", "https://img.example.com/x.png"}});
    const json scheduled = MakeContent(site_id_, {{"title", "Later"}, {"status", "approved"}});
    ASSERT_EQ(
        client_
            ->Post(ContentPath(scheduled, "schedule"), {{"scheduled_at", "2026-02-01T09:00:00Z"}})
            .status,
        200);
    const char* fields[] = {"title",
                            "content_html",
                            "excerpt",
                            "slug",
                            "content_type",
                            "cluster_id",
                            "categories",
                            "tags",
                            "featured_image_url",
                            "scheduled_publish_at"};
    for (const std::string format : {"csv", "ndjson"}) {
        auto exported =
            client_->Get("/api/v1/writer/content/export/?site_id=" + std::to_string(site_id_) +
                         "&format=" + format);
        ASSERT_EQ(exported.status, 200) << exported.body;
        EXPECT_EQ(exported.Header("content-type"),
                  format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson");
        const int64_t target = MakeSite()["id"].get<int64_t>();
        auto res = Import(exported.body, format == "csv" ? "text/csv" : "application/x-ndjson",
                          "&status=approved", target);
        ASSERT_EQ(res.status, 201) << format << ": " << res.body;
        ASSERT_EQ(res.json["imported"], 3);
        auto original = client_->Get("/api/v1/writer/content/?site_id=" + std::to_string(site_id_));
        for (int i = 0; i < 3; ++i) {
            const json copy = GetContent(res.json["ids"][i].get<int64_t>());
            for (const char* field : fields)
                EXPECT_EQ(copy[field], original.json["results"][i][field])
                    << format << " " << field;
        }
    }
    ExpectError(client_->Get("/api/v1/writer/content/export/?site_id=" + std::to_string(site_id_) +
                             "&format=xml"),
                422, "invalid_choice", "format");
    auto other = NewClient(key_b_);
    ExpectError(other->Get("/api/v1/writer/content/export/?site_id=" + std::to_string(site_id_)),
                404, "site_not_found", "site_id");
}

// --- duplicate warnings ----------------------------------------------------------------------

TEST_P(PlannerIoApiTest, DuplicateTitleOrSlugWarnsOnCreateUpdateScheduleAndImport) {
    auto created = client_->Post("/api/v1/writer/content/",
                                 ContentBody(site_id_, "Big News", "<p>x</p>", {{"slug", "big"}}));
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.json["warnings"], json::array());
    const int64_t first_id = created.json["id"].get<int64_t>();
    auto res = client_->Post("/api/v1/writer/content/",
                             ContentBody(site_id_, "  big   NEWS ", "<p>x</p>", {}));
    ASSERT_EQ(res.status, 201) << res.body;
    ASSERT_EQ(res.json["warnings"].size(), 1u) << res.body;
    const json& warning = res.json["warnings"][0];
    EXPECT_EQ(warning["code"], "duplicate_title");
    EXPECT_EQ(warning["field"], "title");
    EXPECT_EQ(warning["other_content_id"], first_id);
    EXPECT_FALSE(warning["message"].get<std::string>().empty());
    const json second = res.json;

    res = client_->Patch(ContentPath(second), {{"title", "Other"}, {"slug", "big"}});
    ASSERT_EQ(res.status, 200);
    ASSERT_EQ(res.json["warnings"].size(), 1u) << res.body;
    EXPECT_EQ(res.json["warnings"][0]["code"], "duplicate_slug");

    // Scheduled more than 30 days away from the others: no longer a duplicate.
    ASSERT_EQ(client_->Patch(ContentPath(second), {{"status", "review"}}).status, 200);
    ASSERT_EQ(client_->Patch(ContentPath(second), {{"status", "approved"}}).status, 200);
    res =
        client_->Post(ContentPath(second, "schedule"), {{"scheduled_at", "2026-03-01T09:00:00Z"}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["warnings"], json::array());
    res = client_->Post(ContentPath(second, "reschedule"),
                        {{"scheduled_at", "2026-01-25T09:00:00Z"}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["warnings"].size(), 1u);

    // Another site's items never count; the import's own rows count among themselves.
    const int64_t other_site = MakeSite()["id"].get<int64_t>();
    created = client_->Post("/api/v1/writer/content/",
                            ContentBody(other_site, "Big News", "<p>x</p>", {}));
    EXPECT_EQ(created.json["warnings"], json::array()) << created.body;
    res = Import("title,content_html\nFresh,<p>1</p>\nfresh,<p>2</p>\nBig News,<p>3</p>\n",
                 "text/csv");
    ASSERT_EQ(res.status, 201) << res.body;
    const json& warnings = res.json["warnings"];
    ASSERT_EQ(warnings.size(), 3u) << res.body;
    EXPECT_EQ(warnings[0]["row"], 1);
    EXPECT_EQ(warnings[0]["other_content_id"], res.json["ids"][1]);
    EXPECT_EQ(warnings[1]["row"], 2);
    EXPECT_EQ(warnings[2]["row"], 3);
    EXPECT_EQ(warnings[2]["other_content_id"], first_id);
    EXPECT_EQ(warnings[2]["content_id"], res.json["ids"][2]);
}

// --- calendar feed ------------------------------------------------------------------------------

TEST_P(PlannerIoApiTest, CalendarFeedBehindASecretUrl) {
    const std::string site_path = "/api/v1/sites/" + std::to_string(site_id_) + "/";
    const json item =
        MakeContent(site_id_, {{"title", "Launch, v2; \"big\""}, {"status", "approved"}});
    ASSERT_EQ(
        client_->Post(ContentPath(item, "schedule"), {{"scheduled_at", "2026-02-01T09:00:00Z"}})
            .status,
        200);
    MakeContent(site_id_, {{"title", "Draft, not in the feed"}});

    auto token = client_->Post(site_path + "ical-token/", json::object());
    ASSERT_EQ(token.status, 201) << token.body;
    const std::string path = token.json["path"].get<std::string>();
    EXPECT_EQ(token.json["url"].get<std::string>().rfind("http://", 0), 0u);
    EXPECT_NE(token.json["url"].get<std::string>().find(path), std::string::npos);

    HttpTestClient anonymous("127.0.0.1", server_->Port());  // no API key
    auto feed = anonymous.Get(path);
    ASSERT_EQ(feed.status, 200) << feed.body;
    EXPECT_EQ(feed.Header("content-type"), "text/calendar; charset=utf-8");
    EXPECT_EQ(feed.body.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0), 0u);
    EXPECT_NE(feed.body.find("SUMMARY:Launch\\, v2\\; \"big\"\r\n"), std::string::npos);
    EXPECT_NE(feed.body.find("DTSTART:20260201T090000Z\r\n"), std::string::npos);
    EXPECT_NE(feed.body.find("UID:content-" + std::to_string(item["id"].get<int64_t>())),
              std::string::npos);
    EXPECT_EQ(feed.body.find("Draft"), std::string::npos);

    // A new token revokes the old; DELETE revokes the new; wrong tokens are 404.
    auto again = client_->Post(site_path + "ical-token/", json::object());
    ASSERT_EQ(again.status, 201);
    EXPECT_EQ(anonymous.Get(path).status, 404);
    EXPECT_EQ(anonymous.Get(again.json["path"].get<std::string>()).status, 200);
    EXPECT_EQ(anonymous.Get(site_path + "calendar.ics").status, 404);
    EXPECT_EQ(anonymous.Get(site_path + "calendar.ics?token=hc_wrong").status, 404);
    const int64_t other = MakeSite()["id"].get<int64_t>();
    const std::string moved = again.json["path"].get<std::string>();
    EXPECT_EQ(anonymous
                  .Get("/api/v1/sites/" + std::to_string(other) + "/calendar.ics" +
                       moved.substr(moved.find('?')))
                  .status,
              404)
        << "a token opens its own site's feed only";
    EXPECT_EQ(client_->Delete(site_path + "ical-token/").status, 204);
    EXPECT_EQ(anonymous.Get(again.json["path"].get<std::string>()).status, 404);
    ExpectError(client_->Delete(site_path + "ical-token/"), 404, "not_found");

    // Another account's site: 404 for both.
    auto bob = NewClient(key_b_);
    EXPECT_EQ(bob->Post(site_path + "ical-token/", json::object()).status, 404);
    EXPECT_EQ(bob->Delete(site_path + "ical-token/").status, 404);
}

}  // namespace
}  // namespace herald::testing
