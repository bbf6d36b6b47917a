// API.md §10 with real clients racing on the real server: no acknowledged change lost, no
// stored state that no order of the requests allows, 409/412 where the contract says, and
// one item per site instant whoever schedules. Each race runs many rounds; the two requests
// of a round start together (a latch), each on its own connection.

#include <latch>
#include <set>
#include <thread>

#include "http/api_fixture.hpp"

namespace herald::testing {
namespace {

constexpr int kRounds = 30;

class ConcurrencyApiTest : public ApiTest {
protected:
    /// Runs `a` and `b` at the same moment on two fresh clients; returns their answers.
    std::pair<HttpResult, HttpResult> Race(const std::function<HttpResult(HttpTestClient&)>& a,
                                           const std::function<HttpResult(HttpTestClient&)>& b) {
        auto client_a = NewClient(key_a_);
        auto client_b = NewClient(key_a_);
        client_a->Get("/healthz");  // connect before the start line
        client_b->Get("/healthz");
        std::latch start(2);
        HttpResult ra, rb;
        std::thread ta([&] {
            start.arrive_and_wait();
            ra = a(*client_a);
        });
        std::thread tb([&] {
            start.arrive_and_wait();
            rb = b(*client_b);
        });
        ta.join();
        tb.join();
        return {ra, rb};
    }

    json Approved(const json& site) {
        const json c = MakeContent(site["id"], {{"status", "approved"}});
        EXPECT_EQ(c["status"], "approved");
        return c;
    }

    json Get(const json& content) { return client_->Get(ContentPath(content)).json; }

    static std::string Future(int minutes) {
        return FormatIso(Iso(kNow) + std::chrono::minutes{minutes});
    }
};

TEST_P(ConcurrencyApiTest, DraftRacingScheduleNeverBothSucceed) {
    const json site = MakeSite();
    int both = 0, scheduled = 0, drafted = 0;
    for (int round = 0; round < kRounds; ++round) {
        const json c = Approved(site);
        const std::string at = Future(60 + round);
        auto [draft, schedule] = Race(
            [&](HttpTestClient& cl) {
                return cl.Patch(ContentPath(c), {{"status", "draft"}});
            },
            [&](HttpTestClient& cl) {
                return cl.Post(ContentPath(c, "schedule/"), {{"scheduled_at", at}});
            });
        const json stored = Get(c);
        if (draft.status == 200 && schedule.status == 200) ++both;
        // Each order allows only one of them: draft then schedule (not approved) is 409, and
        // schedule then draft (scheduled items stay approved) is 409.
        EXPECT_FALSE(draft.status == 200 && schedule.status == 200) << "round " << round;
        if (schedule.status == 200) {
            ++scheduled;
            EXPECT_EQ(draft.status, 409) << draft.body;
            EXPECT_EQ(stored["status"], "approved");
            EXPECT_EQ(stored["site_status"], "scheduled");
        } else {
            ++drafted;
            EXPECT_EQ(schedule.status, 409) << schedule.body;
            EXPECT_EQ(draft.status, 200) << draft.body;
            EXPECT_EQ(stored["status"], "draft");
            EXPECT_EQ(stored["site_status"], "not_published");
        }
    }
    EXPECT_EQ(both, 0);
    EXPECT_EQ(scheduled + drafted, kRounds);
}

TEST_P(ConcurrencyApiTest, TitleRacingRescheduleKeepsBoth) {
    const json site = MakeSite();
    for (int round = 0; round < kRounds; ++round) {
        const json c = Approved(site);
        ASSERT_EQ(client_->Post(ContentPath(c, "schedule/"), {{"scheduled_at", Future(30)}}).status,
                  200);
        const std::string title = "Title " + std::to_string(round);
        const std::string at = Future(600 + round);
        auto [patch, reschedule] = Race(
            [&](HttpTestClient& cl) {
                return cl.Patch(ContentPath(c), {{"title", title}});
            },
            [&](HttpTestClient& cl) {
                return cl.Post(ContentPath(c, "reschedule/"), {{"scheduled_at", at}});
            });
        EXPECT_EQ(patch.status, 200) << patch.body;
        EXPECT_EQ(reschedule.status, 200) << reschedule.body;
        const json stored = Get(c);
        EXPECT_EQ(stored["title"], title) << "round " << round;
        EXPECT_EQ(stored["scheduled_publish_at"], at) << "round " << round;
        EXPECT_EQ(stored["site_status"], "scheduled");
        // Two writes after creation and the first schedule.
        EXPECT_EQ(stored["version"], c["version"].get<int64_t>() + 3);
    }
}

TEST_P(ConcurrencyApiTest, PatchesOfDifferentFieldsBothTakeEffect) {
    const json site = MakeSite();
    for (int round = 0; round < kRounds; ++round) {
        const json c = MakeContent(site["id"]);
        const std::string title = "T" + std::to_string(round);
        const std::string excerpt = "E" + std::to_string(round);
        auto [a, b] = Race(
            [&](HttpTestClient& cl) {
                return cl.Patch(ContentPath(c), {{"title", title}});
            },
            [&](HttpTestClient& cl) {
                return cl.Patch(ContentPath(c), {{"excerpt", excerpt}});
            });
        EXPECT_EQ(a.status, 200) << a.body;
        EXPECT_EQ(b.status, 200) << b.body;
        const json stored = Get(c);
        EXPECT_EQ(stored["title"], title) << "round " << round;
        EXPECT_EQ(stored["excerpt"], excerpt) << "round " << round;
    }
}

TEST_P(ConcurrencyApiTest, DraftRacingApproveEndsInAStateSomeOrderGives) {
    const json site = MakeSite();
    for (int round = 0; round < kRounds; ++round) {
        const json c = MakeContent(site["id"], {{"status", "review"}});
        auto [draft, approve] = Race(
            [&](HttpTestClient& cl) {
                return cl.Patch(ContentPath(c), {{"status", "draft"}});
            },
            [&](HttpTestClient& cl) {
                return cl.Patch(ContentPath(c), {{"status", "approved"}});
            });
        const json stored = Get(c);
        // review→draft then draft→approved is refused; review→approved then approved→draft is
        // allowed. So: both succeed only in that second order, which ends in draft.
        EXPECT_EQ(draft.status, 200) << draft.body;
        if (approve.status == 200) {
            EXPECT_EQ(stored["status"], "draft") << "round " << round;
            EXPECT_EQ(stored["approved_at"], nullptr);
        } else {
            EXPECT_EQ(approve.status, 409) << approve.body;
            EXPECT_EQ(stored["status"], "draft") << "round " << round;
        }
    }
}

TEST_P(ConcurrencyApiTest, TwentySchedulesToOneInstantExactlyOneWins) {
    const json site = MakeSite();
    constexpr int kItems = 20;
    std::vector<json> items;
    for (int i = 0; i < kItems; ++i) items.push_back(Approved(site));
    const std::string at = Future(120);
    std::vector<std::unique_ptr<HttpTestClient>> clients;
    for (int i = 0; i < kItems; ++i) {
        clients.push_back(NewClient(key_a_));
        clients.back()->Get("/healthz");
    }
    std::latch start(kItems);
    std::vector<HttpResult> results(kItems);
    std::vector<std::thread> threads;
    for (int i = 0; i < kItems; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            results[i] =
                clients[i]->Post(ContentPath(items[i], "schedule/"), {{"scheduled_at", at}});
        });
    }
    for (auto& t : threads) t.join();
    int won = 0;
    for (const auto& r : results) {
        if (r.status == 200) {
            ++won;
        } else {
            ExpectError(r, 409, "slot_taken", "scheduled_at");
        }
    }
    EXPECT_EQ(won, 1);
    const auto listed = client_->Get("/api/v1/writer/content/?site_status=scheduled&site_id=" +
                                     std::to_string(site["id"].get<int64_t>()));
    EXPECT_EQ(listed.json["count"], 1);
}

TEST_P(ConcurrencyApiTest, RescheduleOntoATakenInstantIsRefused) {
    const json site = MakeSite();
    const json first = Approved(site);
    const json second = Approved(site);
    const std::string at = Future(90);
    ASSERT_EQ(client_->Post(ContentPath(first, "schedule/"), {{"scheduled_at", at}}).status, 200);
    ASSERT_EQ(
        client_->Post(ContentPath(second, "schedule/"), {{"scheduled_at", Future(91)}}).status,
        200);
    const json before = Get(second);
    ExpectError(client_->Post(ContentPath(second, "reschedule/"), {{"scheduled_at", at}}), 409,
                "slot_taken", "scheduled_at");
    EXPECT_EQ(Get(second), before);  // nothing changed
    // Another site's item may take the same instant.
    const json other = Approved(MakeSite({{"name", "Other"}}));
    EXPECT_EQ(client_->Post(ContentPath(other, "schedule/"), {{"scheduled_at", at}}).status, 200);
}

TEST_P(ConcurrencyApiTest, ETagAndIfMatchOnContent) {
    const json site = MakeSite();
    const json c = MakeContent(site["id"]);
    const auto got = client_->Get(ContentPath(c));
    EXPECT_EQ(got.Header("etag"), "\"" + std::to_string(got.json["version"].get<int64_t>()) + "\"");
    const std::string etag = got.Header("etag");

    // The current tag: applied, and the answer carries the next one.
    auto patched =
        client_->Send("PATCH", ContentPath(c), R"({"title": "New"})", {{"If-Match", etag}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.json["version"], got.json["version"].get<int64_t>() + 1);
    EXPECT_EQ(patched.Header("etag"),
              "\"" + std::to_string(patched.json["version"].get<int64_t>()) + "\"");

    // The old tag again: 412 on every kind of write, nothing changed.
    const json before = Get(c);
    auto stale = [&](const std::string& method, const std::string& path, const std::string& body) {
        auto res = client_->Send(method, path, body, {{"If-Match", etag}});
        ExpectError(res, 412, "precondition_failed");
        EXPECT_EQ(Get(c), before) << method << " " << path;
    };
    stale("PATCH", ContentPath(c), R"({"title": "Lost"})");
    stale("DELETE", ContentPath(c), "");
    client_->Patch(ContentPath(c), {{"status", "review"}});
    client_->Patch(ContentPath(c), {{"status", "approved"}});
    const json approved = Get(c);
    auto stale_action = [&](const std::string& path, const std::string& body) {
        auto res = client_->Send("POST", path, body, {{"If-Match", etag}});
        ExpectError(res, 412, "precondition_failed");
        EXPECT_EQ(Get(c), approved) << path;
    };
    stale_action(ContentPath(c, "schedule/"), R"({"scheduled_at": ")" + Future(60) + "\"}");
    stale_action(ContentPath(c, "reschedule/"), R"({"scheduled_at": ")" + Future(60) + "\"}");
    stale_action(ContentPath(c, "unschedule/"), "");

    // A list of tags, one of them current; and "*".
    const std::string current = client_->Get(ContentPath(c)).Header("etag");
    EXPECT_EQ(client_
                  ->Send("PATCH", ContentPath(c), R"({"excerpt": "x"})",
                         {{"If-Match", "\"999\", " + current}})
                  .status,
              200);
    EXPECT_EQ(
        client_->Send("PATCH", ContentPath(c), R"({"excerpt": "y"})", {{"If-Match", "*"}}).status,
        200);
    EXPECT_EQ(client_
                  ->Send("DELETE", ContentPath(c), "",
                         {{"If-Match", client_->Get(ContentPath(c)).Header("etag")}})
                  .status,
              204);
}

TEST_P(ConcurrencyApiTest, ETagAndIfMatchOnSitesAndSettings) {
    const json site = MakeSite();
    const auto got = client_->Get(SitePath(site));
    const std::string etag = got.Header("etag");
    EXPECT_EQ(etag, "\"" + std::to_string(got.json["version"].get<int64_t>()) + "\"");
    auto renamed =
        client_->Send("PATCH", SitePath(site), R"({"name": "Renamed"})", {{"If-Match", etag}});
    ASSERT_EQ(renamed.status, 200) << renamed.body;
    const json before = client_->Get(SitePath(site)).json;
    ExpectError(client_->Send("PATCH", SitePath(site), R"({"name": "Lost"})", {{"If-Match", etag}}),
                412, "precondition_failed");
    // Settings belong to the site: their ETag is the site's version, and a change moves it.
    const auto settings = client_->Get(SitePath(site, "publishing-settings/"));
    EXPECT_EQ(settings.Header("etag"), renamed.Header("etag"));
    ExpectError(client_->Send("PATCH", SitePath(site, "publishing-settings/"),
                              R"({"daily_publish_limit": 3})", {{"If-Match", etag}}),
                412, "precondition_failed");
    ExpectError(client_->Send("DELETE", SitePath(site), "", {{"If-Match", etag}}), 412,
                "precondition_failed");
    EXPECT_EQ(client_->Get(SitePath(site)).json, before);
    auto limited =
        client_->Send("PATCH", SitePath(site, "publishing-settings/"),
                      R"({"daily_publish_limit": 3})", {{"If-Match", renamed.Header("etag")}});
    ASSERT_EQ(limited.status, 200) << limited.body;
    EXPECT_EQ(client_->Get(SitePath(site)).json["version"], before["version"].get<int64_t>() + 1);
    EXPECT_EQ(
        client_->Send("DELETE", SitePath(site), "", {{"If-Match", limited.Header("etag")}}).status,
        204);
}

TEST_P(ConcurrencyApiTest, SettingsPatchesOfDifferentFieldsBothTakeEffect) {
    for (int round = 0; round < kRounds; ++round) {
        const json site = MakeSite({{"name", "S" + std::to_string(round)}});
        auto [a, b] = Race(
            [&](HttpTestClient& cl) {
                return cl.Patch(SitePath(site, "publishing-settings/"),
                                {{"daily_publish_limit", 2}});
            },
            [&](HttpTestClient& cl) {
                return cl.Patch(SitePath(site, "publishing-settings/"),
                                {{"publish_time_slots", {"07:00"}}});
            });
        EXPECT_EQ(a.status, 200) << a.body;
        EXPECT_EQ(b.status, 200) << b.body;
        const json stored = client_->Get(SitePath(site, "publishing-settings/")).json;
        EXPECT_EQ(stored["daily_publish_limit"], 2) << "round " << round;
        EXPECT_EQ(stored["publish_time_slots"], json({"07:00"})) << "round " << round;
    }
}

}  // namespace
HERALD_ON_EVERY_BACKEND(ConcurrencyApiTest);

}  // namespace herald::testing
