// Pins, recurrence and the queue operations through the API (API.md §9), on every backend:
// the fields on create/update/GET, their validation, rebalance/shuffle/move-to-top with and
// without dry_run, pins holding, bad input changing nothing, and dry runs that answer exactly
// what the real run then does, on randomised settings and queues.

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "http/api_fixture.hpp"

namespace herald::testing {
namespace {

class QueueApiTest : public ApiTest {
protected:
    void SetUp() override {
        ApiTest::SetUp();
        site_ = MakeSite();
        site_id_ = site_["id"].get<int64_t>();
        // Every day at 09:00 UTC.
        auto res =
            client_->Patch(SitePath(site_, "publishing-settings/"),
                           {{"publish_days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                            {"publish_time_slots", {"09:00"}}});
        EXPECT_EQ(res.status, 200) << res.body;
    }

    /// An approved item scheduled at `at`, optionally pinned.
    json Scheduled(const std::string& at, bool pinned = false, int64_t site_id = 0) {
        json c =
            MakeContent(site_id ? site_id : site_id_, {{"status", "approved"}, {"pinned", pinned}});
        auto res = client_->Post(ContentPath(c, "schedule/"), {{"scheduled_at", at}});
        EXPECT_EQ(res.status, 200) << res.body;
        return res.json;
    }

    std::string TimeOf(const json& c) {
        return client_->Get(ContentPath(c)).json["scheduled_publish_at"].get<std::string>();
    }

    /// Every scheduled item of the site: id → time.
    std::map<int64_t, std::string> Calendar(int64_t site_id) {
        std::map<int64_t, std::string> out;
        auto res =
            client_->Get("/api/v1/writer/content/?page_size=500&site_status=scheduled&site_id=" +
                         std::to_string(site_id));
        for (const json& c : res.json["results"])
            out[c["id"].get<int64_t>()] = c["scheduled_publish_at"].get<std::string>();
        return out;
    }

    std::string QueuePath(const std::string& op, const std::string& query = "") {
        return SitePath(site_, "queue/" + op + "/") + query;
    }

    json site_;
    int64_t site_id_ = 0;
};
HERALD_ON_EVERY_BACKEND(QueueApiTest);

// --- fields --------------------------------------------------------------------------------

TEST_P(QueueApiTest, PinnedAndRecurrenceOnCreateUpdateAndGet) {
    json c = MakeContent(site_id_);
    EXPECT_EQ(c["pinned"], false);
    EXPECT_EQ(c["recurrence"], nullptr);
    EXPECT_EQ(c["publication_count"], 0);

    c = MakeContent(site_id_,
                    {{"pinned", true},
                     {"recurrence", {{"every_days", 30}, {"until", "2026-12-31"}, {"count", 4}}}});
    EXPECT_EQ(c["pinned"], true);
    EXPECT_EQ(c["recurrence"], json({{"every_days", 30}, {"until", "2026-12-31"}, {"count", 4}}));

    auto res = client_->Patch(ContentPath(c), {{"recurrence", {{"every_days", 7}}}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["recurrence"],
              json({{"every_days", 7}, {"until", nullptr}, {"count", nullptr}}));
    EXPECT_EQ(res.json["pinned"], true);  // untouched
    res = client_->Patch(ContentPath(c), {{"recurrence", nullptr}, {"pinned", false}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(client_->Get(ContentPath(c)).json["recurrence"], nullptr);
    EXPECT_EQ(client_->Get(ContentPath(c)).json["pinned"], false);
}

TEST_P(QueueApiTest, BadRecurrenceIsRefusedNamingTheFieldAndChangesNothing) {
    const json c = MakeContent(site_id_, {{"recurrence", {{"every_days", 2}}}});
    const json before = client_->Get(ContentPath(c)).json;
    struct Case {
        json recurrence;
        int status;
        const char* code;
        const char* field;
    };
    const std::vector<Case> cases = {
        {{{"every_days", 0}}, 422, "out_of_range", "recurrence.every_days"},
        {{{"every_days", 3661}}, 422, "out_of_range", "recurrence.every_days"},
        {{{"every_days", 1}, {"count", 0}}, 422, "out_of_range", "recurrence.count"},
        {{{"every_days", 1}, {"until", "2026-02-30"}}, 422, "invalid_date", "recurrence.until"},
        {{{"every_days", 1}, {"until", "2026-01-19"}},
         422,
         "recurrence_exhausted",
         "recurrence.until"},
        {{{"every_days", 1}, {"weekly", true}}, 422, "unknown_field", "recurrence.weekly"},
        {{{"until", "2026-12-31"}}, 422, "required", "recurrence.every_days"},
        {{{"every_days", "7"}}, 400, "invalid_type", "recurrence.every_days"},
        {json(7), 400, "invalid_type", "recurrence"},
    };
    for (const Case& k : cases) {
        auto res = client_->Patch(ContentPath(c), {{"recurrence", k.recurrence}});
        ExpectError(res, k.status, k.code, k.field);
        res = client_->Post("/api/v1/writer/content/", {{"site_id", site_id_},
                                                        {"title", "t"},
                                                        {"content_html", "x"},
                                                        {"recurrence", k.recurrence}});
        ExpectError(res, k.status, k.code, k.field);
    }
    EXPECT_EQ(client_->Get(ContentPath(c)).json, before);
    EXPECT_EQ(client_->Get("/api/v1/writer/content/").json["count"], 1);
    ExpectError(client_->Patch(ContentPath(c), {{"pinned", "yes"}}), 400, "invalid_type", "pinned");
}

// --- the operations ------------------------------------------------------------------------

TEST_P(QueueApiTest, RebalanceClosesGapsAroundPinsAndADryRunChangesNothing) {
    const json a = Scheduled("2026-01-23T09:00:00Z");
    const json pin = Scheduled("2026-01-21T09:00:00Z", /*pinned=*/true);
    const json b = Scheduled("2026-01-26T09:00:00Z");
    const auto before = Calendar(site_id_);

    auto dry = client_->Post(QueuePath("rebalance", "?dry_run=true"), json::object());
    ASSERT_EQ(dry.status, 200) << dry.body;
    EXPECT_EQ(dry.json["operation"], "rebalance");
    EXPECT_EQ(dry.json["dry_run"], true);
    EXPECT_EQ(dry.json["site_id"], site_id_);
    EXPECT_EQ(dry.json["seed"], nullptr);
    EXPECT_EQ(dry.json["moved"], 2);
    EXPECT_EQ(dry.json["unscheduled"], 0);
    const json expected = json::array({{{"content_id", a["id"]},
                                        {"title", "Hello"},
                                        {"old_scheduled_publish_at", "2026-01-23T09:00:00Z"},
                                        {"new_scheduled_publish_at", "2026-01-22T09:00:00Z"}},
                                       {{"content_id", b["id"]},
                                        {"title", "Hello"},
                                        {"old_scheduled_publish_at", "2026-01-26T09:00:00Z"},
                                        {"new_scheduled_publish_at", "2026-01-23T09:00:00Z"}}});
    EXPECT_EQ(dry.json["moves"], expected);
    EXPECT_EQ(Calendar(site_id_), before);

    auto real = client_->Post(QueuePath("rebalance"), json::object());
    ASSERT_EQ(real.status, 200) << real.body;
    EXPECT_EQ(real.json["dry_run"], false);
    EXPECT_EQ(real.json["moves"], expected);
    EXPECT_EQ(TimeOf(a), "2026-01-22T09:00:00Z");
    EXPECT_EQ(TimeOf(b), "2026-01-23T09:00:00Z");
    EXPECT_EQ(TimeOf(pin), "2026-01-21T09:00:00Z");
}

TEST_P(QueueApiTest, PinsHoldUnderEveryOperation) {
    const json pin1 = Scheduled("2026-01-22T09:00:00Z", true);
    const json pin2 = Scheduled("2026-01-30T09:00:00Z", true);
    std::vector<json> free;
    for (const char* at : {"2026-01-25T09:00:00Z", "2026-01-27T09:00:00Z", "2026-01-28T09:00:00Z",
                           "2026-02-03T09:00:00Z"})
        free.push_back(Scheduled(at));
    ASSERT_EQ(client_->Post(QueuePath("shuffle", "?seed=5"), json::object()).status, 200);
    ASSERT_EQ(client_->Post(QueuePath("rebalance"), json::object()).status, 200);
    ASSERT_EQ(client_->Post(ContentPath(free[3], "move-to-top/"), json::object()).status, 200);
    EXPECT_EQ(TimeOf(pin1), "2026-01-22T09:00:00Z");
    EXPECT_EQ(TimeOf(pin2), "2026-01-30T09:00:00Z");
    EXPECT_EQ(TimeOf(free[3]), "2026-01-21T09:00:00Z");
    ExpectError(client_->Post(ContentPath(pin1, "move-to-top/"), json::object()), 409, "pinned",
                "pinned");
}

TEST_P(QueueApiTest, MoveToTopTakesTheFirstSlotAndPushesTheEarlierItemsDown) {
    const json a = Scheduled("2026-01-21T09:00:00Z");
    const json b = Scheduled("2026-01-22T09:00:00Z");
    const json c = Scheduled("2026-01-24T09:00:00Z");
    const json d = Scheduled("2026-01-28T09:00:00Z");
    auto dry = client_->Post(ContentPath(c, "move-to-top/?dry_run=true"), json::object());
    ASSERT_EQ(dry.status, 200) << dry.body;
    EXPECT_EQ(dry.json["operation"], "move_to_top");
    EXPECT_EQ(dry.json["moved"], 3);
    EXPECT_EQ(TimeOf(c), "2026-01-24T09:00:00Z");
    auto real = client_->Post(ContentPath(c, "move-to-top/"), json::object());
    ASSERT_EQ(real.status, 200) << real.body;
    EXPECT_EQ(real.json["moves"], dry.json["moves"]);
    EXPECT_EQ(TimeOf(c), "2026-01-21T09:00:00Z");
    EXPECT_EQ(TimeOf(a), "2026-01-22T09:00:00Z");
    EXPECT_EQ(TimeOf(b), "2026-01-23T09:00:00Z");
    EXPECT_EQ(TimeOf(d), "2026-01-28T09:00:00Z");  // after it: untouched
}

TEST_P(QueueApiTest, ShuffleAnswersItsSeedAndTheSameSeedReplaysIt) {
    for (const char* at : {"2026-01-21T09:00:00Z", "2026-01-22T09:00:00Z", "2026-01-23T09:00:00Z",
                           "2026-01-24T09:00:00Z", "2026-01-25T09:00:00Z"})
        Scheduled(at);
    auto dry = client_->Post(QueuePath("shuffle", "?dry_run=true"), json::object());
    ASSERT_EQ(dry.status, 200) << dry.body;
    ASSERT_TRUE(dry.json["seed"].is_number_integer()) << dry.body;
    const std::string seed = std::to_string(dry.json["seed"].get<int64_t>());
    auto real = client_->Post(QueuePath("shuffle", "?seed=" + seed), json::object());
    ASSERT_EQ(real.status, 200) << real.body;
    EXPECT_EQ(real.json["moves"], dry.json["moves"]);
    EXPECT_EQ(real.json["seed"], dry.json["seed"]);
}

TEST_P(QueueApiTest, BadInputIsRefusedAndChangesNothing) {
    const json a = Scheduled("2026-01-23T09:00:00Z");
    const json draft = MakeContent(site_id_);
    const json other_site = MakeSite(json::object(), NewClient(key_b_).get());
    const auto before = Calendar(site_id_);

    ExpectError(client_->Post("/api/v1/sites/999999/queue/rebalance/", json::object()), 404,
                "not_found");
    ExpectError(client_->Post(SitePath(other_site, "queue/rebalance/"), json::object()), 404,
                "not_found");
    ExpectError(client_->Post(SitePath(other_site, "queue/shuffle/?dry_run=true"), json::object()),
                404, "not_found");
    ExpectError(client_->Post("/api/v1/writer/content/999999/move-to-top/", json::object()), 404,
                "not_found");
    ExpectError(client_->Post(ContentPath(draft, "move-to-top/"), json::object()), 409,
                "not_scheduled", "site_status");
    ExpectError(client_->Post(QueuePath("rebalance", "?dry_run=maybe"), json::object()), 422,
                "invalid_choice", "dry_run");
    ExpectError(client_->Post(QueuePath("shuffle", "?seed=-1"), json::object()), 422,
                "out_of_range", "seed");
    ExpectError(client_->Send("GET", QueuePath("rebalance"), ""), 405, "method_not_allowed");
    ExpectError(client_->Send("PUT", ContentPath(a, "move-to-top/"), "{}"), 405,
                "method_not_allowed");
    // If-Match names the site's version (the item's for move-to-top).
    ExpectError(client_->Send("POST", QueuePath("rebalance"), "{}", {{"If-Match", "\"1\""}}), 412,
                "precondition_failed");
    ExpectError(
        client_->Send("POST", ContentPath(a, "move-to-top/"), "{}", {{"If-Match", "\"1\""}}), 412,
        "precondition_failed");
    EXPECT_EQ(Calendar(site_id_), before);
    // Another account's item is not found either.
    auto b = NewClient(key_b_);
    ExpectError(b->Post(ContentPath(a, "move-to-top/"), json::object()), 404, "not_found");
    EXPECT_EQ(Calendar(site_id_), before);
}

// Edits racing rebalances (API.md §10): every acknowledged title edit and pin is kept, the
// rebalances that answered 200 left a calendar with one item per instant, and no pinned item
// was moved by one that ran after its pin was acknowledged.
TEST_P(QueueApiTest, ConcurrentEditsAreKeptAndPinsHold) {
    std::vector<json> items;
    for (int i = 0; i < 8; ++i) {
        char at[32];
        std::snprintf(at, sizeof at, "2026-01-%02dT09:00:00Z", 21 + i);
        items.push_back(Scheduled(at));
    }
    std::atomic<bool> stop{false};
    std::thread editor([&] {
        auto client = NewClient(key_a_);
        for (int round = 0; round < 3; ++round) {
            for (size_t i = 0; i < items.size(); ++i) {
                auto res = client->Patch(
                    ContentPath(items[i]),
                    {{"title", "t" + std::to_string(round) + "-" + std::to_string(i)}});
                EXPECT_EQ(res.status, 200) << res.body;
            }
        }
        // Pins the last item, then remembers where it was when the pin was acknowledged.
        auto res = client->Patch(ContentPath(items.back()), {{"pinned", true}});
        EXPECT_EQ(res.status, 200) << res.body;
        stop = true;
    });
    int rebalanced = 0;
    while (!stop) {
        auto res =
            client_->Post(QueuePath(rebalanced % 2 ? "shuffle" : "rebalance"), json::object());
        ASSERT_EQ(res.status, 200) << res.body;
        ++rebalanced;
    }
    editor.join();
    const std::string pinned_at = TimeOf(items.back());
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(client_->Post(QueuePath("shuffle"), json::object()).status, 200);
    EXPECT_EQ(TimeOf(items.back()), pinned_at);
    std::set<std::string> instants;
    for (size_t i = 0; i < items.size(); ++i) {
        const json c = client_->Get(ContentPath(items[i])).json;
        EXPECT_EQ(c["title"], "t2-" + std::to_string(i));
        EXPECT_EQ(c["site_status"], "scheduled");
        EXPECT_TRUE(instants.insert(c["scheduled_publish_at"].get<std::string>()).second);
    }
    EXPECT_GT(rebalanced, 0);
}

// The dry run answers exactly what the real run does, item by item, over random settings
// (days, slots, limits), random queues with pins and random operations.
TEST_P(QueueApiTest, DryRunMatchesTheRealRunOnRandomQueues) {
    std::mt19937 rng(20260120);
    const std::vector<std::string> days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (int round = 0; round < 6; ++round) {
        const json site =
            MakeSite({{"timezone", round % 2 ? "America/New_York" : "Europe/Berlin"}});
        const int64_t site_id = site["id"].get<int64_t>();
        // Scheduling at random instants first, with no limits in the way.
        for (int i = 0; i < 12; ++i) {
            const int day = 21 + static_cast<int>(rng() % 40);
            char at[64];
            std::snprintf(at, sizeof at, "2026-%02d-%02dT%02d:%02d:00Z", day > 31 ? 2 : 1,
                          day > 31 ? day - 31 : day, static_cast<int>(rng() % 24),
                          static_cast<int>(rng() % 4) * 15);
            json c = MakeContent(site_id, {{"status", "approved"}, {"pinned", rng() % 4 == 0}});
            client_->Post(ContentPath(c, "schedule/"), {{"scheduled_at", at}});  // 409 if taken
        }
        json pub_days = json::array();
        for (const auto& d : days)
            if (rng() % 3 != 0) pub_days.push_back(d);
        json slots = json::array();
        for (const char* s : {"06:30", "09:00", "12:15", "18:00", "23:45"})
            if (rng() % 2 == 0) slots.push_back(s);
        if (slots.empty()) slots.push_back("09:00");
        const json limit = rng() % 2 ? json(1 + static_cast<int>(rng() % 3)) : json(nullptr);
        auto res = client_->Patch(SitePath(site, "publishing-settings/"),
                                  {{"publish_days", pub_days},
                                   {"publish_time_slots", slots},
                                   {"daily_publish_limit", limit},
                                   {"weekly_publish_limit", rng() % 3 ? json(nullptr) : json(5)}});
        ASSERT_EQ(res.status, 200) << res.body;

        std::string path;
        const auto scheduled = Calendar(site_id);
        switch (rng() % 3) {
            case 0:
                path = SitePath(site, "queue/rebalance/");
                break;
            case 1:
                path = SitePath(site, "queue/shuffle/") + "?seed=" + std::to_string(rng());
                break;
            default: {
                // A random item; a pinned one answers 409 both times.
                auto it = scheduled.begin();
                std::advance(it, static_cast<long>(rng() % scheduled.size()));
                path = "/api/v1/writer/content/" + std::to_string(it->first) + "/move-to-top/";
            }
        }
        const std::string sep = path.find('?') == std::string::npos ? "?" : "&";
        auto dry = client_->Post(path + sep + "dry_run=true", json::object());
        EXPECT_EQ(Calendar(site_id), scheduled) << "a dry run changed the calendar";
        auto real = client_->Post(path, json::object());
        ASSERT_EQ(dry.status, real.status) << dry.body << real.body;
        if (real.status != 200) continue;
        EXPECT_EQ(dry.json["moves"], real.json["moves"]) << path;
        // And the calendar is what the answer says: every move applied, nothing else changed.
        auto expected = scheduled;
        for (const json& m : real.json["moves"]) {
            const int64_t id = m["content_id"].get<int64_t>();
            EXPECT_EQ(expected.at(id), m["old_scheduled_publish_at"].get<std::string>());
            if (m["new_scheduled_publish_at"].is_null()) {
                expected.erase(id);
            } else {
                expected[id] = m["new_scheduled_publish_at"].get<std::string>();
            }
        }
        EXPECT_EQ(Calendar(site_id), expected) << path;
    }
}

}  // namespace
}  // namespace herald::testing
