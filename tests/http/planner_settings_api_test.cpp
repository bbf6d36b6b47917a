// API.md §9's planner settings through the API: stored and answered on both backends,
// validated with the field named (nothing changed), shown on the calendar's slots, and the
// lateness of a publication in its record.

#include <string>

#include "http/api_fixture.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::testing {
namespace {

class PlannerSettingsApiTest : public ApiTest {};

TEST_P(PlannerSettingsApiTest, DefaultsPatchPutAndNullClear) {
    const json site = MakeSite();
    const std::string path = SitePath(site, "publishing-settings/");
    auto res = client_->Get(path);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["missed_slot_policy"], "publish_late");
    EXPECT_EQ(res.json["max_lateness_minutes"], 60);
    EXPECT_EQ(res.json["blackout_dates"], json::array());
    EXPECT_EQ(res.json["min_spacing_minutes"], 0);

    const json blackouts =
        json::array({{{"from", "2026-12-24"}, {"to", "2026-12-26"}, {"reason", "Holidays"}},
                     {{"from", "2027-01-31"}, {"to", "2027-02-01"}, {"reason", ""}}});
    res = client_->Patch(path, {{"missed_slot_policy", "hold"},
                                {"max_lateness_minutes", 0},
                                {"blackout_dates", blackouts},
                                {"min_spacing_minutes", 90}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["missed_slot_policy"], "hold");
    EXPECT_EQ(res.json["max_lateness_minutes"], 0);
    EXPECT_EQ(res.json["blackout_dates"], blackouts);
    EXPECT_EQ(res.json["min_spacing_minutes"], 90);
    EXPECT_EQ(client_->Get(path).json, res.json);

    // A reason may be left out; PATCH of one field keeps the others.
    res =
        client_->Patch(path, {{"blackout_dates", {{{"from", "2026-05-01"}, {"to", "2026-05-01"}}}},
                              {"missed_slot_policy", "next_free_slot"}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["blackout_dates"],
              json::array({{{"from", "2026-05-01"}, {"to", "2026-05-01"}, {"reason", ""}}}));
    EXPECT_EQ(res.json["min_spacing_minutes"], 90);

    res = client_->Patch(path, {{"blackout_dates", nullptr}});
    EXPECT_EQ(res.json["blackout_dates"], json::array());

    res = client_->Put(path, {{"publish_time_slots", {"07:30"}}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["missed_slot_policy"], "publish_late");
    EXPECT_EQ(res.json["max_lateness_minutes"], 60);
    EXPECT_EQ(res.json["min_spacing_minutes"], 0);
}

TEST_P(PlannerSettingsApiTest, InvalidPlannerSettingsAreRefusedNamingTheFieldAndChangeNothing) {
    const json site = MakeSite();
    const std::string path = SitePath(site, "publishing-settings/");
    ASSERT_EQ(
        client_->Patch(path, {{"blackout_dates", {{{"from", "2026-01-01"}, {"to", "2026-01-02"}}}}})
            .status,
        200);
    const json before = client_->Get(path).json;
    json many = json::array();
    for (int i = 0; i <= 100; ++i) many.push_back({{"from", "2026-01-01"}, {"to", "2026-01-01"}});
    auto range = [](const char* from, const char* to) { return json{{"from", from}, {"to", to}}; };
    struct Case {
        json body;
        int status;
        const char* code;
        const char* field;
    };
    const Case cases[] = {
        {{{"missed_slot_policy", "later"}}, 422, "invalid_choice", "missed_slot_policy"},
        {{{"missed_slot_policy", 2}}, 400, "invalid_type", "missed_slot_policy"},
        {{{"missed_slot_policy", nullptr}}, 400, "invalid_type", "missed_slot_policy"},
        {{{"max_lateness_minutes", -1}}, 422, "invalid_minutes", "max_lateness_minutes"},
        {{{"max_lateness_minutes", 527041}}, 422, "invalid_minutes", "max_lateness_minutes"},
        {{{"max_lateness_minutes", "60"}}, 400, "invalid_type", "max_lateness_minutes"},
        {{{"min_spacing_minutes", -1}}, 422, "invalid_minutes", "min_spacing_minutes"},
        {{{"min_spacing_minutes", 10081}}, 422, "invalid_minutes", "min_spacing_minutes"},
        {{{"min_spacing_minutes", 9999999999LL}}, 422, "out_of_range", "min_spacing_minutes"},
        {{{"min_spacing_minutes", 1.5}}, 400, "invalid_type", "min_spacing_minutes"},
        {{{"blackout_dates", "2026-01-01"}}, 400, "invalid_type", "blackout_dates"},
        {{{"blackout_dates", {1}}}, 400, "invalid_type", "blackout_dates[0]"},
        {{{"blackout_dates", {range("2026-02-30", "2026-03-01")}}},
         422,
         "invalid_date",
         "blackout_dates[0].from"},
        {{{"blackout_dates", {range("2026-03-01", "2026-3-2")}}},
         422,
         "invalid_date",
         "blackout_dates[0].to"},
        {{{"blackout_dates",
           {range("2026-03-01", "2026-03-02"), range("2026-03-05", "2026-03-04")}}},
         422,
         "invalid_range",
         "blackout_dates[1].to"},
        {{{"blackout_dates",
           {range("2026-03-01", "2026-03-10"), range("2026-03-10", "2026-03-12")}}},
         422,
         "overlapping_blackouts",
         "blackout_dates[1].from"},
        {{{"blackout_dates", {{{"from", "2026-03-01"}}}}}, 422, "required", "blackout_dates[0].to"},
        {{{"blackout_dates", {{{"from", "2026-03-01"}, {"to", 20260302}}}}},
         400,
         "invalid_type",
         "blackout_dates[0].to"},
        {{{"blackout_dates", {{{"from", "2026-03-01"}, {"to", "2026-03-01"}, {"until", "x"}}}}},
         422,
         "unknown_field",
         "blackout_dates[0].until"},
        {{{"blackout_dates",
           {{{"from", "2026-03-01"}, {"to", "2026-03-01"}, {"reason", std::string(201, 'r')}}}}},
         422,
         "too_long",
         "blackout_dates[0].reason"},
        {{{"blackout_dates", {{{"from", "2026-03-01"}, {"to", "2026-03-01"}, {"reason", 5}}}}},
         400,
         "invalid_type",
         "blackout_dates[0].reason"},
        {{{"blackout_dates", many}}, 422, "too_many_blackouts", "blackout_dates"},
    };
    for (const Case& c : cases) {
        for (const char* method : {"PATCH", "PUT"}) {
            SCOPED_TRACE(std::string(method) + " " + c.body.dump().substr(0, 200));
            ExpectError(client_->Send(method, path, c.body.dump()), c.status, c.code, c.field);
        }
    }
    EXPECT_EQ(client_->Get(path).json, before);
}

TEST_P(PlannerSettingsApiTest, SlotsShowBlackoutsAndSpacingWithReasons) {
    const json site = MakeSite();
    ASSERT_EQ(client_
                  ->Put(SitePath(site, "publishing-settings/"),
                        {{"publish_days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                         {"publish_time_slots", {"09:00", "10:00"}},
                         {"min_spacing_minutes", 120},
                         {"blackout_dates",
                          {{{"from", "2026-01-31"}, {"to", "2026-02-01"}, {"reason", "Offsite"}}}}})
                  .status,
              200);
    const json c = MakeContent(site["id"].get<int64_t>(), {{"status", "approved"}});
    ASSERT_EQ(client_->Post(ContentPath(c, "schedule/"), {{"scheduled_at", "2026-01-30T09:00:00Z"}})
                  .status,
              200);
    auto res = client_->Get(SitePath(site, "slots/") +
                            "?from=2026-01-30T00:00:00Z&to=2026-02-02T23:00:00Z");
    ASSERT_EQ(res.status, 200) << res.body;
    std::vector<std::string> lines;
    for (const json& s : res.json["results"]) {
        lines.push_back(s["at"].get<std::string>() + " " + s["state"].get<std::string>() + " " +
                        (s["reason"].is_null() ? "-" : s["reason"].get<std::string>()));
    }
    EXPECT_EQ(lines,
              (std::vector<std::string>{
                  "2026-01-30T09:00:00Z taken -",
                  "2026-01-30T10:00:00Z too_close less than 120 minutes from the item at "
                  "2026-01-30T09:00:00Z",
                  "2026-01-31T09:00:00Z blackout Offsite", "2026-01-31T10:00:00Z blackout Offsite",
                  "2026-02-01T09:00:00Z blackout Offsite", "2026-02-01T10:00:00Z blackout Offsite",
                  "2026-02-02T09:00:00Z free -", "2026-02-02T10:00:00Z free -"}));
}

TEST_P(PlannerSettingsApiTest, RecordsCarryTheLatenessOfALatePublication) {
    WebhookReceiver receiver;
    const json site = MakeSite({{"domain", receiver.Url()}, {"api_key", receiver.secret()}});
    const json c = MakeContent(site["id"].get<int64_t>(), {{"status", "approved"}});
    ASSERT_EQ(client_->Post(ContentPath(c, "schedule/"), {{"scheduled_at", "2026-01-20T13:00:00Z"}})
                  .status,
              200);
    // Reached 30 minutes late (publish_late within the default 60): published, lateness kept.
    clock_.Set(Iso("2026-01-20T13:30:00Z"));
    EXPECT_EQ(dispatcher_->RunDueOnce(clock_.Now()).published, 1);
    auto records = client_->Get("/api/v1/publisher/records/?content_id=" +
                                std::to_string(c["id"].get<int64_t>()));
    ASSERT_EQ(records.json["count"], 1) << records.body;
    const json& record = records.json["results"][0];
    EXPECT_EQ(record["due_at"], "2026-01-20T13:00:00Z");
    EXPECT_GE(record["lateness_seconds"].get<int64_t>(), 1800);
    EXPECT_LT(record["lateness_seconds"].get<int64_t>(), 1800 + 60);
}

}  // namespace
HERALD_ON_EVERY_BACKEND(PlannerSettingsApiTest);

}  // namespace herald::testing
