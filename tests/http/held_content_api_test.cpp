// An item held after a missed slot (API.md §9, missed_slot_policy hold): `held` in the API,
// read-only, ended by exactly the person's actions domain::EndsHold lists (schedule,
// reschedule, publish-now, a status set), not by other edits, and named by a scheduler run
// (and its dry run) as unscheduled because it is held.

#include <utility>

#include "http/api_fixture.hpp"

#include "domain/missed_slot.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::testing {
namespace {

class HeldContentApiTest : public ApiTest {
protected:
    void SetUp() override {
        ApiTest::SetUp();
        site_ = MakeSite({{"domain", receiver_.Url()}, {"api_key", receiver_.secret()}});
    }

    /// An approved item given back by the dispatcher's hold, as missed_slots.cpp writes it.
    json Held() {
        const json c = MakeContent(site_["id"].get<int64_t>(), {{"status", "approved"}});
        domain::Content stored = *store_->GetContent(account_a_, c["id"].get<int64_t>());
        domain::MissedSlotDecision hold;
        hold.action = domain::MissedSlotAction::kHold;
        hold.reason = "Missed its slot; held for a person to decide";
        const domain::Content back = domain::GiveBackMissed(stored, hold, clock_.Now());
        EXPECT_TRUE(
            store_->UpdateContent(back, stored.version, storage::kContentSchedule).applied());
        const auto got = client_->Get(ContentPath(c));
        EXPECT_EQ(got.json["held"], true) << got.body;
        return got.json;
    }

    WebhookReceiver receiver_;
    json site_;
};

TEST_P(HeldContentApiTest, OtherEditsKeepItAndHeldIsReadOnly) {
    const json c = Held();
    auto res = client_->Patch(ContentPath(c), {{"title", "New title"}, {"held", false}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["held"], true);
    EXPECT_EQ(res.json["last_error"], "Missed its slot; held for a person to decide");
    EXPECT_EQ(client_->Get(ContentPath(c)).json["held"], true);
}

TEST_P(HeldContentApiTest, SettingTheStatusEndsIt) {
    const json c = Held();
    auto res = client_->Patch(ContentPath(c), {{"status", "approved"}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["held"], false);
    EXPECT_EQ(client_->Get(ContentPath(c)).json["held"], false);

    const json d = Held();
    res = client_->Patch(ContentPath(d), {{"status", "draft"}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["held"], false);
}

TEST_P(HeldContentApiTest, SchedulingOrReschedulingEndsIt) {
    for (const auto& [action, at] : {std::pair{"/schedule/", "2030-01-01T10:00:00Z"},
                                     std::pair{"/reschedule/", "2030-01-02T10:00:00Z"}}) {
        const json c = Held();
        auto res = client_->Post(ContentPath(c, action), {{"scheduled_at", at}});
        ASSERT_EQ(res.status, 200) << action << res.body;
        EXPECT_EQ(res.json["held"], false) << action;
        EXPECT_EQ(res.json["site_status"], "scheduled") << action;
    }
}

TEST_P(HeldContentApiTest, PublishNowEndsIt) {
    const json c = Held();
    auto res = client_->Post("/api/v1/publisher/publish", {{"content_id", c["id"]}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json["content"]["held"], false);
    EXPECT_EQ(client_->Get(ContentPath(c)).json["held"], false);
}

TEST_P(HeldContentApiTest, ARunAndItsDryRunNameItHeldAndLeaveIt) {
    const auto run = [&](bool dry_run) {
        auto res = client_->Post(SitePath(site_, "schedule-approved/"), {{"dry_run", dry_run}});
        EXPECT_EQ(res.status, 200) << res.body;
        return res.json;
    };
    const auto expect_held = [&](const json& answer, const json& c) {
        ASSERT_EQ(answer["unscheduled"].size(), 1u) << answer.dump();
        EXPECT_EQ(answer["unscheduled"][0]["content_id"], c["id"]);
        const json& reason = answer["unscheduled"][0]["reason"];
        EXPECT_EQ(reason["code"], "held") << reason.dump();
        EXPECT_EQ(reason["field"], nullptr);
        EXPECT_NE(reason["message"].get<std::string>().find("held for a person"), std::string::npos)
            << reason.dump();
        EXPECT_EQ(answer["left_unscheduled"], 1);
    };
    ASSERT_EQ(client_
                  ->Put(SitePath(site_, "publishing-settings/"),
                        {{"publish_days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                         {"publish_time_slots", {"09:00"}}})
                  .status,
              200);
    // Held alone: nothing else queued, still named.
    const json held = Held();
    for (const bool dry_run : {true, false}) {
        const json answer = run(dry_run);
        EXPECT_EQ(answer["assigned"], 0) << dry_run;
        expect_held(answer, held);
    }
    // Beside an item the run places: that one is scheduled, the held one named and left.
    const json other = MakeContent(site_["id"].get<int64_t>(), {{"status", "approved"}});
    const json preview = run(true);
    ASSERT_EQ(preview["assignments"].size(), 1u) << preview.dump();
    EXPECT_EQ(preview["assignments"][0]["content_id"], other["id"]);
    expect_held(preview, held);
    const json done = run(false);
    EXPECT_EQ(done["assigned"], 1) << done.dump();
    expect_held(done, held);
    const json after = client_->Get(ContentPath(held)).json;
    EXPECT_EQ(after["held"], true);
    EXPECT_EQ(after["site_status"], "not_published");
    EXPECT_EQ(client_->Get(ContentPath(other)).json["site_status"], "scheduled");
}

}  // namespace
HERALD_ON_EVERY_BACKEND(HeldContentApiTest);

}  // namespace herald::testing
