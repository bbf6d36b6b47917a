// `herald serve` with its background tasks: approval triggers the slot scheduler, and a
// scheduled item is published at its time without any polling interval deciding latency.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "support/api_builders.hpp"
#include "support/backends.hpp"
#include "support/http_test_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ServeTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        database_ = std::make_unique<BackendDatabase>(GetParam());
        db_ = database_->url();
        serve_ = StartServe(db_);
        ASSERT_FALSE(serve_.first_api_key.empty()) << "serve prints a first key on an empty db";
        client_ = std::make_unique<HttpTestClient>("127.0.0.1", serve_.port);
        client_->SetApiKey(serve_.first_api_key);
    }

    std::pair<int, json> Call(const std::string& method, const std::string& path,
                              const json& body = nullptr) {
        const HttpResult r = client_->Send(method, path, body.is_null() ? "" : body.dump());
        return {r.status, r.json};
    }

    int64_t CreateSite(const WebhookReceiver& receiver) {
        auto [status, site] = Call("POST", "/api/v1/sites/",
                                   CustomSiteBody("Live", receiver.Url(), receiver.secret(),
                                                  {{"timezone", "America/New_York"}}));
        EXPECT_EQ(status, 201) << site.dump();
        return site["id"];
    }

    int64_t CreateApproved(int64_t site_id, const std::string& title) {
        auto [status, content] =
            Call("POST", "/api/v1/writer/content/",
                 ContentBody(site_id, title, "<p>x</p>", {{"status", "approved"}}));
        EXPECT_EQ(status, 201) << content.dump();
        return content["id"];
    }

    json WaitForContent(int64_t id, const std::function<bool(const json&)>& done,
                        std::chrono::milliseconds timeout) {
        json content;
        herald::testing::WaitUntil(
            [&] {
                content = Call("GET", "/api/v1/writer/content/" + std::to_string(id) + "/").second;
                return done(content);
            },
            timeout, 50ms);
        return content;  // the callers check it, and so say what it was on a timeout
    }

    TempDir dir_;
    std::unique_ptr<BackendDatabase> database_;
    std::string db_;
    ServeProcess serve_;
    std::unique_ptr<HttpTestClient> client_;
};

TEST_P(ServeTest, ApprovingContentPlacesItInTheNextSlotAtOnce) {
    WebhookReceiver receiver;
    const int64_t site_id = CreateSite(receiver);
    ASSERT_EQ(Call("PATCH", "/api/v1/sites/" + std::to_string(site_id) + "/publishing-settings/",
                   {{"auto_publish_enabled", true},
                    {"publish_days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                    {"publish_time_slots", {"00:00", "06:00", "12:00", "18:00"}}})
                  .first,
              200);
    const int64_t id = CreateApproved(site_id, "Auto");
    // The approval wakes the scheduler; the safety-net pass is a minute away, so a quick
    // placement proves the wake-up.
    const json placed = WaitForContent(
        id, [](const json& c) { return c["site_status"] == "scheduled"; }, 10s);
    ASSERT_EQ(placed["site_status"], "scheduled") << placed.dump();
    const auto at = ParseIso(placed["scheduled_publish_at"].get<std::string>());
    ASSERT_TRUE(at);
    const auto now = SystemTimeSource{}.Now();
    EXPECT_GT(*at, now);
    EXPECT_LE(*at, now + std::chrono::hours{6});
    EXPECT_EQ(receiver.RequestCount(), 0u) << "a slot in the future is not published yet";
}

TEST_P(ServeTest, ScheduledItemIsPublishedAtItsTime) {
    WebhookReceiver receiver;
    const int64_t site_id = CreateSite(receiver);
    const int64_t id = CreateApproved(site_id, "On time");
    const auto due = std::chrono::time_point_cast<std::chrono::seconds>(SystemTimeSource{}.Now()) +
                     std::chrono::seconds{3};
    auto [status, scheduled] =
        Call("POST", "/api/v1/writer/content/" + std::to_string(id) + "/schedule/",
             {{"scheduled_at", FormatIso(TimePoint{due})}});
    ASSERT_EQ(status, 200) << scheduled.dump();

    ASSERT_TRUE(receiver.WaitForRequests(1, 15s));
    const auto received = receiver.Requests().front().received_at;
    EXPECT_GE(received, due) << "never early";
    // Loose bound: the point is that no polling interval (the seed's five minutes) decides.
    EXPECT_LT(received - due, 5s);

    const json published = WaitForContent(
        id, [](const json& c) { return c["site_status"] == "published"; }, 10s);
    EXPECT_EQ(published["site_status"], "published");
    EXPECT_EQ(published["scheduled_publish_at"], FormatIso(TimePoint{due}));
    EXPECT_EQ(receiver.RequestCount(), 1u);
}

TEST_P(ServeTest, SigtermStopsCleanly) {
    serve_.process->Signal(SIGTERM);
    EXPECT_EQ(serve_.process->Wait(15s), 0);
}

}  // namespace
HERALD_ON_EVERY_BACKEND(ServeTest);

}  // namespace herald::testing
