// Content events from the dispatcher (app::HookEvents) on every backend: an account without
// an active hook has no events built at all, while a hook created between two settle
// batches receives the second batch's events; an account with hooks gets one delivery per
// published or given-up item.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/hook_events.hpp"
#include "hooks/deliverer.hpp"
#include "publishers/http_client.hpp"
#include "storage/store.hpp"
#include "support/backends.hpp"

namespace herald::hooks {
namespace {

using nlohmann::json;
using Settled = dispatch::DispatchObserver::Settled;

/// Counts what reaches the sink per account and passes it on to the real deliverer, whose
/// outbox (it is not started, so Emit writes on this thread) is what the hooks receive.
class CountingSink final : public EventSink {
public:
    explicit CountingSink(EventSink& next) : next_(next) {}
    void Emit(domain::AccountId account, std::string_view type, std::string data_json) override {
        ++emitted[account];
        next_.Emit(account, type, std::move(data_json));
    }
    std::map<domain::AccountId, int> emitted;

private:
    EventSink& next_;
};

class HookEventsTest : public ::testing::TestWithParam<std::string> {
protected:
    HookEventsTest()
        : db_(GetParam()),
          store_(storage::OpenStore(db_.url())),
          http_(publishers::MakeCurlHttpClient()),
          deliverer_(*store_, *http_, clock_),
          sink_(deliverer_),
          events_(*store_, sink_) {
        alice_ = store_->CreateAccount("alice", "hash-alice", clock_.Now());
        bob_ = store_->CreateAccount("bob", "hash-bob", clock_.Now());
    }

    domain::EventHook NewHook(domain::AccountId account, std::vector<std::string> events) {
        domain::EventHook h;
        h.account_id = account;
        h.url = "http://127.0.0.1:9/hook";  // never called: nothing here delivers
        h.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        h.events = std::move(events);
        h.created_at = h.updated_at = clock_.Now();
        return store_->CreateEventHook(h);
    }

    domain::Content Item(domain::AccountId account, domain::ContentId id,
                         domain::SiteStatus status) {
        domain::Content c;
        c.id = id;
        c.account_id = account;
        c.site_id = 7;
        c.title = "Post " + std::to_string(id);
        c.site_status = status;
        return c;
    }

    /// The content_id of each delivery queued for `hook`, oldest first.
    std::vector<int64_t> Delivered(domain::AccountId account, domain::EventHookId hook) {
        std::vector<int64_t> ids;
        for (const auto& d : store_->ListHookDeliveries(account, hook, 100))
            ids.insert(ids.begin(), json::parse(d.body).at("data").at("content_id").get<int64_t>());
        return ids;
    }

    herald::testing::BackendDatabase db_;
    storage::StorePtr store_;
    publishers::HttpClientPtr http_;
    SystemTimeSource clock_;
    HookDeliverer deliverer_;
    CountingSink sink_;
    app::HookEvents events_;
    domain::Site site_;
    domain::AccountId alice_ = 0;
    domain::AccountId bob_ = 0;
};

TEST_P(HookEventsTest, AHookCreatedBetweenTwoBatchesGetsTheSecondBatchsEvents) {
    const auto bobs = NewHook(bob_, {"content.published", "content.failed"});
    const auto a1 = Item(alice_, 1, domain::SiteStatus::kPublished);
    const auto b2 = Item(bob_, 2, domain::SiteStatus::kPublished);
    const auto b3 = Item(bob_, 3, domain::SiteStatus::kFailed);
    const auto b4 = Item(bob_, 4, domain::SiteStatus::kScheduled);  // a retry: no event
    const std::vector<Settled> first = {{&a1, &site_, domain::Settled::kPublished, 1},
                                        {&b2, &site_, domain::Settled::kPublished, 1},
                                        {&b3, &site_, domain::Settled::kFailed, 3},
                                        {&b4, &site_, domain::Settled::kRetry, 1}};
    events_.ContentSettled(first);
    EXPECT_EQ(sink_.emitted[alice_], 0);  // alice has no hook: nothing built for her
    EXPECT_EQ(sink_.emitted[bob_], 2);
    EXPECT_EQ(Delivered(bob_, bobs.id), (std::vector<int64_t>{2, 3}));

    // A hook created now hears the next batch, though alice had none a batch ago.
    const auto alices = NewHook(alice_, {"content.published"});
    const auto a5 = Item(alice_, 5, domain::SiteStatus::kPublished);
    const std::vector<Settled> second = {{&a5, &site_, domain::Settled::kPublished, 1}};
    events_.ContentSettled(second);
    EXPECT_EQ(sink_.emitted[alice_], 1);
    EXPECT_EQ(Delivered(alice_, alices.id), (std::vector<int64_t>{5}));
    EXPECT_EQ(Delivered(bob_, bobs.id), (std::vector<int64_t>{2, 3}));

    // Switched off: its account's events are no longer built.
    auto off = alices;
    off.is_active = false;
    ASSERT_TRUE(store_->UpdateEventHook(off, off.version).applied());
    events_.ContentSettled(second);
    EXPECT_EQ(sink_.emitted[alice_], 1);
}

}  // namespace
HERALD_ON_EVERY_BACKEND(HookEventsTest);

}  // namespace herald::hooks
