// The queue explains itself: the per-site scheduler run and its preview name, for each item
// left unscheduled, why (domain/unscheduled), and saving settings that can place nothing
// answers normally with warnings.

#include "http/api_fixture.hpp"

namespace herald::testing {
namespace {

class QueueReasonsTest : public ApiTest {};

json Reason(const std::string& code, const json& field) {
    return {{"code", code}, {"field", field}};
}

/// The reason object without its sentence (checked non-empty here, worded in the domain).
json WithoutMessage(json reason) {
    EXPECT_FALSE(reason["message"].get<std::string>().empty()) << reason.dump();
    reason.erase("message");
    return reason;
}

TEST_P(QueueReasonsTest, ARunNamesWhyEachLeftoverStaysUnscheduled) {
    const json site = MakeSite();
    // Wednesdays at 09:00, but a monthly limit of 0: the calculator places neither item.
    ASSERT_EQ(client_
                  ->Put(SitePath(site, "publishing-settings/"), {{"publish_days", {"wed"}},
                                                                 {"publish_time_slots", {"09:00"}},
                                                                 {"monthly_publish_limit", 0}})
                  .status,
              200);
    const json a = MakeContent(site["id"], {{"status", "approved"}});
    const json b = MakeContent(site["id"], {{"status", "approved"}});

    for (const bool dry_run : {true, false}) {
        auto run = client_->Post(SitePath(site, "schedule-approved/"), {{"dry_run", dry_run}});
        ASSERT_EQ(run.status, 200) << run.body;
        EXPECT_EQ(run.json["left_unscheduled"], 2);
        ASSERT_EQ(run.json["unscheduled"].size(), 2u) << run.body;
        EXPECT_EQ(run.json["unscheduled"][0]["content_id"], a["id"]);
        EXPECT_EQ(run.json["unscheduled"][1]["content_id"], b["id"]);
        EXPECT_EQ(WithoutMessage(run.json["unscheduled"][0]["reason"]),
                  Reason("limits_full", nullptr));
    }

    // No days: every item, for the site-wide reason, naming the setting.
    client_->Put(SitePath(site, "publishing-settings/"),
                 {{"publish_days", json::array()}, {"publish_time_slots", {"09:00"}}});
    auto preview = client_->Post(SitePath(site, "schedule-approved/"), {{"dry_run", true}});
    ASSERT_EQ(preview.status, 200) << preview.body;
    ASSERT_EQ(preview.json["unscheduled"].size(), 2u);
    EXPECT_EQ(WithoutMessage(preview.json["unscheduled"][1]["reason"]),
              Reason("no_publish_days", "publish_days"));

    client_->Put(SitePath(site, "publishing-settings/"),
                 {{"publish_days", {"mon"}}, {"publish_time_slots", json::array()}});
    preview = client_->Post(SitePath(site, "schedule-approved/"), {{"dry_run", true}});
    EXPECT_EQ(WithoutMessage(preview.json["unscheduled"][0]["reason"]),
              Reason("no_time_slots", "publish_time_slots"));

    // Room again: everything placed, nothing to explain.
    client_->Put(SitePath(site, "publishing-settings/"),
                 {{"publish_days", {"mon"}}, {"publish_time_slots", {"09:00"}}});
    preview = client_->Post(SitePath(site, "schedule-approved/"), {{"dry_run", true}});
    EXPECT_EQ(preview.json["assigned"], 2);
    EXPECT_EQ(preview.json["unscheduled"], json::array());
}

TEST_P(QueueReasonsTest, SavingSettingsThatCanPlaceNothingWarns) {
    const json site = MakeSite();
    auto saved = client_->Patch(SitePath(site, "publishing-settings/"),
                                {{"auto_publish_enabled", true}, {"publish_days", json::array()}});
    ASSERT_EQ(saved.status, 200) << saved.body;
    ASSERT_EQ(saved.json["warnings"].size(), 1u) << saved.body;
    EXPECT_EQ(WithoutMessage(saved.json["warnings"][0]), Reason("no_publish_days", "publish_days"));
    EXPECT_EQ(client_->Get(SitePath(site, "publishing-settings/")).json["publish_days"],
              json::array())
        << "saved all the same";

    saved = client_->Put(SitePath(site, "publishing-settings/"),
                         {{"auto_publish_enabled", true},
                          {"publish_days", json::array()},
                          {"publish_time_slots", json::array()}});
    ASSERT_EQ(saved.status, 200) << saved.body;
    ASSERT_EQ(saved.json["warnings"].size(), 2u) << saved.body;
    EXPECT_EQ(saved.json["warnings"][1]["code"], "no_time_slots");

    // Auto-publish off: nothing is placed by itself anyway, so no warning.
    saved =
        client_->Patch(SitePath(site, "publishing-settings/"), {{"auto_publish_enabled", false}});
    EXPECT_EQ(saved.json["warnings"], json::array()) << saved.body;
    // A GET answers the same, warnings included.
    saved =
        client_->Patch(SitePath(site, "publishing-settings/"), {{"auto_publish_enabled", true}});
    EXPECT_EQ(saved.json["warnings"].size(), 2u) << saved.body;
    EXPECT_EQ(client_->Get(SitePath(site, "publishing-settings/")).json, saved.json);
}

}  // namespace
HERALD_ON_EVERY_BACKEND(QueueReasonsTest);

}  // namespace herald::testing
