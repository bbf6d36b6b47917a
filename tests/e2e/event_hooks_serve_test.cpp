// `herald serve` delivers event hooks: its deliverer runs beside the dispatcher, a test ping
// queued through the API arrives signed, a refused delivery is recorded with its reason, and
// no secret reaches the process's output; SIGTERM stops it cleanly with the deliverer running.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/backends.hpp"
#include "support/http_test_client.hpp"
#include "support/process.hpp"
#include "support/wait.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class EventHooksServeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(EventHooksServeTest, AQueuedPingArrivesSignedAndNoSecretIsPrinted) {
    BackendDatabase database(GetParam());
    ServeProcess serve = StartServe(database.url());
    ASSERT_FALSE(serve.first_api_key.empty());
    HttpTestClient client("127.0.0.1", serve.port);
    client.SetApiKey(serve.first_api_key);

    WebhookReceiver good;
    WebhookReceiver refusing("refusing-secret-1234");
    refusing.SetDefaultReply({.status = 400, .body = std::string(R"({"message":"no thanks"})")});
    const auto make = [&](const WebhookReceiver& r) {
        auto res = client.Post(
            "/api/v1/event-hooks/",
            {{"url", r.Url()}, {"secret", r.secret()}, {"events", {"content.published"}}});
        EXPECT_EQ(res.status, 201) << res.body;
        return res.json["id"].get<int64_t>();
    };
    const int64_t good_id = make(good);
    const int64_t refusing_id = make(refusing);

    for (int64_t id : {good_id, refusing_id}) {
        auto queued =
            client.Post("/api/v1/event-hooks/" + std::to_string(id) + "/test/", json::object());
        ASSERT_EQ(queued.status, 202) << queued.body;
    }
    ASSERT_TRUE(good.WaitForRequests(1, 30s));
    const auto request = good.Requests().at(0);
    EXPECT_TRUE(request.signature_valid);
    EXPECT_EQ(json::parse(request.body)["type"], "ping");

    // The refused one settles as failed, with the receiver's answer as its reason.
    json last;
    EXPECT_TRUE(herald::testing::WaitUntil([&] {
        last = client.Get("/api/v1/event-hooks/" + std::to_string(refusing_id) + "/deliveries/")
                   .json["results"][0];
        return last["state"] == "failed";
    })) << last.dump();
    EXPECT_EQ(last["last_status"], 400);
    EXPECT_NE(last["last_error"].get<std::string>().find("no thanks"), std::string::npos);

    serve.process->Signal(SIGTERM);
    EXPECT_EQ(serve.process->Wait(15s), 0);
    // stdout (the log lines go to stderr; deliverer_test reads those).
    const std::string& output = serve.process->Output();
    EXPECT_EQ(output.find("refusing-secret-1234"), std::string::npos) << output;
    EXPECT_EQ(output.find(good.secret()), std::string::npos) << output;
}

}  // namespace
HERALD_ON_EVERY_BACKEND(EventHooksServeTest);

}  // namespace herald::testing
