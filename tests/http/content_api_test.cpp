// /api/v1/writer/content/: CRUD, editorial moves, filters, ordering, the schedule actions
// and isolation between accounts.

#include "http/api_fixture.hpp"

namespace herald::testing {
namespace {

class ContentApiTest : public ApiTest {
protected:
    void SetUp() override {
        ApiTest::SetUp();
        site_ = MakeSite();
        site_id_ = site_["id"].get<int64_t>();
    }

    json Approved(json overrides = json::object()) {
        overrides["status"] = "approved";
        return MakeContent(site_id_, overrides);
    }

    json site_;
    int64_t site_id_ = 0;
};

TEST_P(ContentApiTest, FeaturedImageMustBeAWebUrl) {
    const json site = MakeSite();
    auto res =
        client_->Post("/api/v1/writer/content/", {{"site_id", site["id"]},
                                                  {"title", "t"},
                                                  {"content_html", "x"},
                                                  {"featured_image_url", "file:///etc/passwd"}});
    ExpectError(res, 422, "invalid_url", "featured_image_url");
    EXPECT_EQ(client_->Get("/api/v1/writer/content/").json["count"], 0);
    const json c = MakeContent(site["id"], {{"featured_image_url", "https://img.example/a.png"}});
    EXPECT_EQ(c["featured_image_url"], "https://img.example/a.png");
}

TEST_P(ContentApiTest, CreateReturnsEveryField) {
    auto res = client_->Post("/api/v1/writer/content/",
                             {{"site_id", site_id_},
                              {"title", "Launch"},
                              {"content_html", "<p>We launched</p>"},
                              {"excerpt", "short"},
                              {"slug", "launch"},
                              {"cluster_id", 7},
                              {"categories", {"News"}},
                              {"tags", {"a", "b"}},
                              {"featured_image_url", "https://img.example.com/1.png"},
                              {"site_status", "published"},
                              {"approved_at", "2020-01-01T00:00:00Z"}});
    ASSERT_EQ(res.status, 201) << res.body;
    EXPECT_EQ(res.json["warnings"], json::array()) << "a write answers its duplicate warnings";
    res.json.erase("warnings");
    const json& c = res.json;
    EXPECT_EQ(c["site_id"], site_id_);
    EXPECT_EQ(c["title"], "Launch");
    EXPECT_EQ(c["content_type"], "post");
    EXPECT_EQ(c["cluster_id"], 7);
    EXPECT_EQ(c["categories"], json({"News"}));
    EXPECT_EQ(c["tags"], json({"a", "b"}));
    EXPECT_EQ(c["status"], "draft");
    EXPECT_TRUE(c["approved_at"].is_null());
    EXPECT_EQ(c["site_status"], "not_published");  // read-only: ignored on input
    EXPECT_EQ(c["site_status_updated_at"], kNow);
    for (const char* key :
         {"scheduled_publish_at", "published_at", "external_id", "external_url", "last_error"}) {
        EXPECT_TRUE(c[key].is_null()) << key;
    }
    EXPECT_EQ(c["created_at"], kNow);
    EXPECT_EQ(c["updated_at"], kNow);
    EXPECT_EQ(client_->Get(ContentPath(c)).json, c);
}

TEST_P(ContentApiTest, CreateApprovedSetsApprovedAt) {
    const json c = Approved();
    EXPECT_EQ(c["status"], "approved");
    EXPECT_EQ(c["approved_at"], kNow);
}

TEST_P(ContentApiTest, InvalidCreateBodies) {
    const std::string path = "/api/v1/writer/content/";
    const json ok = {{"site_id", site_id_}, {"title", "t"}, {"content_html", "x"}};
    auto with = [&](json extra) {
        json body = ok;
        body.update(extra);
        return body;
    };
    ExpectError(client_->Post(path, with({{"title", 5}})), 400, "invalid_type", "title");
    ExpectError(client_->Post(path, with({{"site_id", "1"}})), 400, "invalid_type", "site_id");
    ExpectError(client_->Post(path, with({{"categories", "News"}})), 400, "invalid_type",
                "categories");
    ExpectError(client_->Post(path, with({{"tags", {1, 2}}})), 400, "invalid_type", "tags");
    ExpectError(client_->Post(path, with({{"cluster_id", "x"}})), 400, "invalid_type",
                "cluster_id");
    ExpectError(client_->Post(path, with({{"status", "published"}})), 422, "invalid_choice",
                "status");
    ExpectError(client_->Post(path, {{"title", "t"}, {"content_html", "x"}}), 422, "required",
                "site_id");
    ExpectError(client_->Post(path, {{"site_id", site_id_}, {"content_html", "x"}}), 422,
                "required", "title");
    ExpectError(client_->Post(path, with({{"site_id", 999999}})), 404, "site_not_found", "site_id");
    ExpectError(client_->Send("POST", path, "{\"title\":}"), 400, "malformed_json");
    EXPECT_EQ(client_->Get(path).json["count"], 0);
}

TEST_P(ContentApiTest, EditorialMoves) {
    const json c = MakeContent(site_id_);
    const std::string path = ContentPath(c);
    auto refused = client_->Patch(path, {{"status", "approved"}});  // draft → approved skips review
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_EQ(refused.json["error"].size(), 3u);
    EXPECT_EQ(client_->Get(path).json["status"], "draft");

    auto res = client_->Patch(path, {{"status", "review"}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["status"], "review");
    res = client_->Patch(path, {{"status", "approved"}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["approved_at"], kNow);
    res = client_->Patch(path, {{"status", "draft"}, {"title", "Back to work"}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["status"], "draft");
    EXPECT_EQ(res.json["title"], "Back to work");
    EXPECT_TRUE(res.json["approved_at"].is_null());
    res.json.erase("warnings");  // the write's answer only
    EXPECT_EQ(client_->Get(path).json, res.json);
}

TEST_P(ContentApiTest, ApprovedScheduledContentCannotGoBackToDraft) {
    const json c = Approved();
    ASSERT_EQ(client_->Post(ContentPath(c, "schedule/"), {{"scheduled_at", "2026-01-21T09:00:00Z"}})
                  .status,
              200);
    auto res = client_->Patch(ContentPath(c), {{"status", "draft"}});
    EXPECT_EQ(res.status, 409) << res.body;
    EXPECT_EQ(client_->Get(ContentPath(c)).json["status"], "approved");
}

TEST_P(ContentApiTest, InvalidPatchChangesNothing) {
    const json c = MakeContent(site_id_);
    const std::string path = ContentPath(c);
    ExpectError(client_->Patch(path, {{"title", "new"}, {"tags", "x"}}), 400, "invalid_type",
                "tags");
    ExpectError(client_->Patch(path, {{"title", "new"}, {"status", "nope"}}), 422, "invalid_choice",
                "status");
    ExpectError(client_->Patch(path, {{"site_id", 424242}}), 404, "site_not_found", "site_id");
    ExpectError(client_->Send("PATCH", path, "not json"), 400, "malformed_json");
    EXPECT_EQ(client_->Get(path).json, c);
}

TEST_P(ContentApiTest, ScheduleRescheduleUnschedule) {
    const json c = Approved();
    clock_.Set(Iso("2026-01-20T12:30:00Z"));
    auto res =
        client_->Post(ContentPath(c, "schedule/"), {{"scheduled_at", "2026-01-21T10:00:00+01:00"}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["site_status"], "scheduled");
    EXPECT_EQ(res.json["scheduled_publish_at"], "2026-01-21T09:00:00Z");
    EXPECT_EQ(res.json["site_status_updated_at"], "2026-01-20T12:30:00Z");

    // Scheduling twice is a conflict; rescheduling is the way.
    res = client_->Post(ContentPath(c, "schedule/"), {{"scheduled_at", "2026-01-22T09:00:00Z"}});
    EXPECT_EQ(res.status, 409) << res.body;
    res = client_->Post(ContentPath(c, "reschedule/"), {{"scheduled_at", "2026-01-22T09:00:00Z"}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["scheduled_publish_at"], "2026-01-22T09:00:00Z");

    res = client_->Post(ContentPath(c, "unschedule/"), json::object());
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["site_status"], "not_published");
    EXPECT_TRUE(res.json["scheduled_publish_at"].is_null());
    res = client_->Send("POST", ContentPath(c, "unschedule/"), "");
    EXPECT_EQ(res.status, 409) << res.body;
}

TEST_P(ContentApiTest, SchedulingUnapprovedContentIs409) {
    const json c = MakeContent(site_id_, {{"status", "review"}});
    auto res =
        client_->Post(ContentPath(c, "schedule/"), {{"scheduled_at", "2026-01-21T09:00:00Z"}});
    EXPECT_EQ(res.status, 409) << res.body;
    EXPECT_EQ(res.json["error"].size(), 3u);
    EXPECT_EQ(client_->Get(ContentPath(c)).json, c);
}

TEST_P(ContentApiTest, BadScheduleTimes) {
    const json c = Approved();
    const std::string path = ContentPath(c, "schedule/");
    ExpectError(client_->Post(path, {{"scheduled_at", "2026-01-20T11:59:59Z"}}), 422, "in_past",
                "scheduled_at");
    ExpectError(client_->Post(path, {{"scheduled_at", kNow}}), 422, "in_past", "scheduled_at");
    ExpectError(client_->Post(path, {{"scheduled_at", "tomorrow"}}), 422, "invalid_datetime",
                "scheduled_at");
    ExpectError(client_->Post(path, {{"scheduled_at", "2026-01-21T09:00:00"}}), 422,
                "invalid_datetime", "scheduled_at");
    ExpectError(client_->Post(path, {{"scheduled_at", 1737}}), 400, "invalid_type", "scheduled_at");
    ExpectError(client_->Post(path, json::object()), 422, "required", "scheduled_at");
    ExpectError(client_->Send("POST", path, "{"), 400, "malformed_json");
    ExpectError(
        client_->Post(ContentPath(c, "reschedule/"), {{"scheduled_at", "2020-01-01T00:00:00Z"}}),
        422, "in_past", "scheduled_at");
    EXPECT_EQ(client_->Get(ContentPath(c)).json, c);
}

TEST_P(ContentApiTest, DeleteContent) {
    const json c = MakeContent(site_id_);
    EXPECT_EQ(client_->Delete(ContentPath(c)).status, 204);
    ExpectError(client_->Get(ContentPath(c)), 404, "not_found");
    ExpectError(client_->Delete(ContentPath(c)), 404, "not_found");
}

TEST_P(ContentApiTest, AnotherAccountsContentIs404Everywhere) {
    auto bob = NewClient(key_b_);
    const json bob_site = MakeSite(json::object(), bob.get());
    const json theirs = MakeContent(bob_site["id"], {{"status", "approved"}}, bob.get());
    const json future = {{"scheduled_at", "2026-02-01T09:00:00Z"}};
    ExpectError(client_->Get(ContentPath(theirs)), 404, "not_found");
    ExpectError(client_->Patch(ContentPath(theirs), {{"title", "x"}}), 404, "not_found");
    ExpectError(client_->Delete(ContentPath(theirs)), 404, "not_found");
    ExpectError(client_->Post(ContentPath(theirs, "schedule/"), future), 404, "not_found");
    ExpectError(client_->Post(ContentPath(theirs, "reschedule/"), future), 404, "not_found");
    ExpectError(client_->Post(ContentPath(theirs, "unschedule/"), json::object()), 404,
                "not_found");
    ExpectError(client_->Post("/api/v1/publisher/publish", {{"content_id", theirs["id"]}}), 404,
                "not_found");
    // Creating content on someone else's site, or moving content there, is refused too.
    ExpectError(client_->Post("/api/v1/writer/content/",
                              {{"site_id", bob_site["id"]}, {"title", "t"}, {"content_html", ""}}),
                404, "site_not_found", "site_id");
    const json mine = MakeContent(site_id_);
    ExpectError(client_->Patch(ContentPath(mine), {{"site_id", bob_site["id"]}}), 404,
                "site_not_found", "site_id");
    auto list = client_->Get("/api/v1/writer/content/");
    EXPECT_EQ(list.json["count"], 1);
    list = client_->Get("/api/v1/writer/content/?site_id=" +
                        std::to_string(bob_site["id"].get<int64_t>()));
    EXPECT_EQ(list.json["count"], 0);
    EXPECT_EQ(bob->Get(ContentPath(theirs)).json, theirs);
}

TEST_P(ContentApiTest, FiltersAndOrdering) {
    const json other_site = MakeSite({{"name", "Other"}});
    const json a = MakeContent(site_id_, {{"content_type", "page"}, {"cluster_id", 3}});
    const json b = Approved();
    const json c = Approved();
    const json d = MakeContent(other_site["id"], {{"status", "review"}});
    client_->Post(ContentPath(b, "schedule/"), {{"scheduled_at", "2026-01-25T09:00:00Z"}});
    client_->Post(ContentPath(c, "schedule/"), {{"scheduled_at", "2026-01-22T09:00:00Z"}});

    auto ids = [&](const std::string& query) {
        auto res = client_->Get("/api/v1/writer/content/" + query);
        EXPECT_EQ(res.status, 200) << query << " " << res.body;
        std::vector<int64_t> out;
        for (const auto& item : res.json["results"]) out.push_back(item["id"]);
        return out;
    };
    const int64_t ia = a["id"], ib = b["id"], ic = c["id"], id = d["id"];
    EXPECT_EQ(ids(""), (std::vector<int64_t>{ia, ib, ic, id}));
    EXPECT_EQ(ids("?ordering=-id"), (std::vector<int64_t>{id, ic, ib, ia}));
    EXPECT_EQ(ids("?site_id=" + std::to_string(site_id_)), (std::vector<int64_t>{ia, ib, ic}));
    EXPECT_EQ(ids("?status=approved"), (std::vector<int64_t>{ib, ic}));
    EXPECT_EQ(ids("?status=review"), (std::vector<int64_t>{id}));
    EXPECT_EQ(ids("?site_status=scheduled&ordering=scheduled_publish_at"),
              (std::vector<int64_t>{ic, ib}));
    EXPECT_EQ(ids("?site_status=scheduled&ordering=-scheduled_publish_at"),
              (std::vector<int64_t>{ib, ic}));
    EXPECT_EQ(ids("?content_type=page"), (std::vector<int64_t>{ia}));
    EXPECT_EQ(ids("?cluster_id=3"), (std::vector<int64_t>{ia}));
    EXPECT_EQ(ids("?scheduled_after=2026-01-23T00:00:00Z"), (std::vector<int64_t>{ib}));
    EXPECT_EQ(ids("?scheduled_before=2026-01-23T00:00:00%2B00:00"), (std::vector<int64_t>{ic}));
    // An unencoded '+' offset is kept as '+', not read as a space.
    EXPECT_EQ(ids("?scheduled_after=2026-01-22T10:00:00+01:00"), (std::vector<int64_t>{ib, ic}));
    EXPECT_EQ(ids("?status=approved&page_size=1&page=2"), (std::vector<int64_t>{ic}));

    ExpectError(client_->Get("/api/v1/writer/content/?ordering=title"), 422, "invalid_ordering",
                "ordering");
    ExpectError(client_->Get("/api/v1/writer/content/?status=done"), 422, "invalid_choice",
                "status");
    ExpectError(client_->Get("/api/v1/writer/content/?site_status=gone"), 422, "invalid_choice",
                "site_status");
    ExpectError(client_->Get("/api/v1/writer/content/?site_id=abc"), 400, "invalid_type",
                "site_id");
    ExpectError(client_->Get("/api/v1/writer/content/?scheduled_after=soon"), 422,
                "invalid_datetime", "scheduled_after");
    ExpectError(client_->Get("/api/v1/writer/content/?page_size=-1"), 422, "invalid_page_size",
                "page_size");
}

TEST_P(ContentApiTest, PaginationLinksKeepFilters) {
    for (int i = 0; i < 3; ++i) Approved();
    auto res = client_->Get("/api/v1/writer/content/?status=approved&page_size=1&page=2");
    ASSERT_EQ(res.status, 200);
    const std::string base = "http://127.0.0.1:" + std::to_string(server_->Port()) +
                             "/api/v1/writer/content/?status=approved&page_size=1&page=";
    EXPECT_EQ(res.json["count"], 3);
    EXPECT_EQ(res.json["next"], base + "3");
    EXPECT_EQ(res.json["previous"], base + "1");
}

}  // namespace
HERALD_ON_EVERY_BACKEND(ContentApiTest);

}  // namespace herald::testing
