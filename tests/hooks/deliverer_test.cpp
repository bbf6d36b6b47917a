// The event hook deliverer against a real receiver on 127.0.0.1, on every backend: each of
// the five events arrives signed (Standard Webhooks, checked by the receiver with the hook's
// secret), a 503 is retried with the same webhook-id, a 4xx fails at once, and two
// deliverers sharing one database never send a delivery twice.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "hooks/deliverer.hpp"
#include "publishers/http_client.hpp"
#include "storage/store.hpp"
#include "support/backends.hpp"
#include "support/wait.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::hooks {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using herald::testing::WaitUntil;

class DelivererTest : public ::testing::TestWithParam<std::string> {
protected:
    DelivererTest()
        : db_(GetParam()),
          store_(storage::OpenStore(db_.url())),
          http_(publishers::MakeCurlHttpClient()) {
        account_ = store_->CreateAccount("alice", "hash-alice", clock_.Now());
        other_ = store_->CreateAccount("bob", "hash-bob", clock_.Now());
    }

    static DelivererSettings FastSettings() {
        DelivererSettings s;
        s.request_timeout = 10s;
        s.retry.backoff.base_delay = 20ms;
        s.retry.backoff.max_delay = 100ms;
        s.retry.backoff.jitter_fraction = 0;
        return s;
    }

    domain::EventHook NewHook(std::vector<std::string> events, domain::AccountId account = 0) {
        domain::EventHook h;
        h.account_id = account ? account : account_;
        h.url = receiver_.Url();
        h.secret = receiver_.secret();
        h.events = std::move(events);
        h.created_at = h.updated_at = clock_.Now();
        return store_->CreateEventHook(h);
    }

    bool AllSettled(domain::EventHookId hook, size_t n) {
        const auto list = store_->ListHookDeliveries(account_, hook, 1000);
        if (list.size() != n) return false;
        for (const auto& d : list)
            if (d.state == domain::DeliveryState::kPending) return false;
        return true;
    }

    herald::testing::BackendDatabase db_;
    storage::StorePtr store_;
    publishers::HttpClientPtr http_;
    SystemTimeSource clock_;
    herald::testing::WebhookReceiver receiver_;
    domain::AccountId account_ = 0;
    domain::AccountId other_ = 0;
};

TEST_P(DelivererTest, EachOfTheFiveEventsArrivesSigned) {
    const auto hook = NewHook({domain::kHookEvents.begin(), domain::kHookEvents.end()});
    NewHook({"content.published"}, other_);  // another account's hook hears nothing
    HookDeliverer deliverer(*store_, *http_, clock_, FastSettings());
    deliverer.Start();
    int n = 0;
    for (std::string_view type : domain::kHookEvents)
        deliverer.Emit(account_, type, json{{"n", ++n}, {"site_id", 7}}.dump());
    ASSERT_TRUE(receiver_.WaitForRequests(5, 30s)) << receiver_.RequestCount();
    ASSERT_TRUE(WaitUntil([&] { return AllSettled(hook.id, 5); }));
    deliverer.Stop();

    const auto requests = receiver_.Requests();
    ASSERT_EQ(requests.size(), 5u);
    std::set<std::string> types, ids;
    for (const auto& r : requests) {
        EXPECT_EQ(r.method, "POST");
        EXPECT_EQ(r.target, "/hooks/herald");
        EXPECT_TRUE(r.signature_valid) << r.body;
        EXPECT_EQ(r.Header("content-type").value_or(""), "application/json");
        ASSERT_TRUE(r.Header("webhook-timestamp"));
        const json body = json::parse(r.body);
        types.insert(body.at("type").get<std::string>());
        EXPECT_TRUE(ParseIso(body.at("timestamp").get<std::string>())) << r.body;
        EXPECT_EQ(body.at("data").at("site_id"), 7);
        EXPECT_EQ(body.size(), 3u) << r.body;
        ids.insert(r.webhook_id);
    }
    EXPECT_EQ(types, std::set<std::string>(domain::kHookEvents.begin(), domain::kHookEvents.end()));
    EXPECT_EQ(ids.size(), 5u);
    for (const auto& d : store_->ListHookDeliveries(account_, hook.id, 10)) {
        EXPECT_EQ(d.state, domain::DeliveryState::kDelivered);
        EXPECT_EQ(d.attempts, 1);
        EXPECT_EQ(d.last_status, 200);
        EXPECT_TRUE(ids.count(d.webhook_id)) << d.webhook_id;
    }
}

TEST_P(DelivererTest, ATransientFailureIsRetriedWithTheSameWebhookId) {
    const auto hook = NewHook({"content.failed"});
    receiver_.EnqueueReply({.status = 503});
    HookDeliverer deliverer(*store_, *http_, clock_, FastSettings());
    deliverer.Start();
    deliverer.Emit(account_, "content.failed", R"({"content_id":3,"error":"boom"})");
    ASSERT_TRUE(receiver_.WaitForRequests(2, 30s));
    ASSERT_TRUE(WaitUntil([&] { return AllSettled(hook.id, 1); }));
    deliverer.Stop();
    const auto requests = receiver_.Requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].webhook_id, requests[1].webhook_id);
    EXPECT_EQ(requests[0].body, requests[1].body);
    EXPECT_TRUE(requests[1].signature_valid);
    const auto d = store_->ListHookDeliveries(account_, hook.id, 10).at(0);
    EXPECT_EQ(d.state, domain::DeliveryState::kDelivered);
    EXPECT_EQ(d.attempts, 2);
}

/// Captures what herald logs while it lives (the default logger, as in the binary).
class LogCapture {
public:
    LogCapture() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
        spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    std::string Text() const { return out_.str(); }

private:
    std::shared_ptr<spdlog::logger> previous_;
    std::ostringstream out_;
};

TEST_P(DelivererTest, APermanentRefusalFailsAtOnceAndAnOldDeliveryGivesUp) {
    LogCapture log;
    const auto hook = NewHook({"site.paused"});
    receiver_.SetDefaultReply({.status = 410, .body = std::string(R"({"message":"gone"})")});
    HookDeliverer deliverer(*store_, *http_, clock_, FastSettings());
    deliverer.Emit(account_, "site.paused", R"({"site_id":1})");  // not started: written now
    const DeliveryPass pass = deliverer.RunOnce();
    EXPECT_EQ(pass.failed, 1u);
    EXPECT_EQ(receiver_.RequestCount(), 1u);
    const auto d = store_->ListHookDeliveries(account_, hook.id, 10).at(0);
    EXPECT_EQ(d.state, domain::DeliveryState::kFailed);
    EXPECT_EQ(d.last_status, 410);
    EXPECT_NE(d.last_error.find("410"), std::string::npos) << d.last_error;
    EXPECT_NE(d.last_error.find("check the hook's URL"), std::string::npos) << d.last_error;
    EXPECT_EQ(d.last_error.find(receiver_.secret()), std::string::npos);

    // A transient failure past the window is given up, not retried.
    receiver_.SetDefaultReply({.status = 503});
    DelivererSettings tight = FastSettings();
    tight.retry.window = 0ms;
    HookDeliverer strict(*store_, *http_, clock_, tight);
    strict.Emit(account_, "site.paused", R"({"site_id":2})");
    const DeliveryPass second = strict.RunOnce();
    EXPECT_EQ(second.failed, 1u);
    EXPECT_EQ(second.retrying, 0u);
    const auto gave_up = store_->ListHookDeliveries(account_, hook.id, 10).at(0);
    EXPECT_EQ(gave_up.state, domain::DeliveryState::kFailed);
    EXPECT_NE(gave_up.last_error.find("gave up after 1 attempt)"), std::string::npos)
        << gave_up.last_error;
    // Both failures were logged, without the secret or the URL (which may carry a token).
    const std::string text = log.Text();
    EXPECT_NE(text.find("delivery 1 of 'site.paused' to hook"), std::string::npos) << text;
    EXPECT_NE(text.find("gave up"), std::string::npos) << text;
    EXPECT_EQ(text.find(receiver_.secret()), std::string::npos) << text;
    EXPECT_EQ(text.find("/hooks/herald"), std::string::npos) << text;
}

TEST_P(DelivererTest, BadEventsAreDroppedWithoutThrowing) {
    const auto hook = NewHook({"content.published"});
    HookDeliverer deliverer(*store_, *http_, clock_, FastSettings());
    EXPECT_NO_THROW(deliverer.Emit(account_, "content.unknown", "{}"));
    EXPECT_NO_THROW(deliverer.Emit(account_, "content.published", "[1, 2]"));
    EXPECT_NO_THROW(deliverer.Emit(account_, "content.published", "{not json"));
    EXPECT_TRUE(store_->ListHookDeliveries(account_, hook.id, 10).empty());
    EXPECT_FALSE(HookDeliverer::EventBody("site.paused", "null", clock_.Now()));
    EXPECT_TRUE(HookDeliverer::EventBody("site.paused", "{}", clock_.Now()));
}

TEST_P(DelivererTest, TwoDeliverersSharingTheDatabaseNeverSendADeliveryTwice) {
    const auto hook = NewHook({"content.published"});
    // A second store on the same database: what another process would hold.
    storage::StorePtr second_store = storage::OpenStore(db_.url());
    HookDeliverer first(*store_, *http_, clock_, FastSettings());
    HookDeliverer second(*second_store, *http_, clock_, FastSettings());
    constexpr int kEvents = 40;
    for (int i = 0; i < kEvents; ++i)
        store_->EnqueueHookEvent(account_, "content.published",
                                 json{{"type", "content.published"}, {"n", i}}.dump(),
                                 clock_.Now());
    first.Start();
    second.Start();
    ASSERT_TRUE(receiver_.WaitForRequests(kEvents, 60s)) << receiver_.RequestCount();
    ASSERT_TRUE(WaitUntil([&] { return AllSettled(hook.id, kEvents); }));
    first.Stop();
    second.Stop();
    const auto counts = receiver_.CountsByWebhookId();
    EXPECT_EQ(counts.size(), static_cast<size_t>(kEvents));
    for (const auto& [id, count] : counts) EXPECT_EQ(count, 1) << id;
    EXPECT_EQ(receiver_.RequestCount(), static_cast<size_t>(kEvents));
}

TEST_P(DelivererTest, ATestPingIsDeliveredSignedToItsHookAlone) {
    const auto hook = NewHook({"site.paused"});
    const auto queued = store_->EnqueueHookDelivery(account_, hook.id, "ping",
                                                    R"({"type":"ping","data":{}})", clock_.Now());
    ASSERT_TRUE(queued);
    EXPECT_FALSE(store_->EnqueueHookDelivery(other_, hook.id, "ping", "{}", clock_.Now()));
    HookDeliverer deliverer(*store_, *http_, clock_, FastSettings());
    EXPECT_EQ(deliverer.RunOnce().delivered, 1u);
    ASSERT_EQ(receiver_.RequestCount(), 1u);
    const auto request = receiver_.Requests().at(0);
    EXPECT_TRUE(request.signature_valid);
    EXPECT_EQ(request.webhook_id, queued->webhook_id);
}

HERALD_ON_EVERY_BACKEND(DelivererTest);

}  // namespace
}  // namespace herald::hooks
