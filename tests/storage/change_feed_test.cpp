// The subscriber list behind Store::SubscribeChanges (storage/change_feed.hpp): callbacks
// may take a lock their owner holds while it subscribes (the dispatcher and the slot
// scheduler do, in Start), and after an unsubscribe returns its callback never runs again.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>

#include "storage/change_feed.hpp"

namespace herald::storage::test {
namespace {

/// A watcher that publishes one notice each time `publish` is raised.
ChangeFeed::Watcher PublishOnRequest(std::atomic<int>& publish) {
    return [&publish](ChangeFeed& feed, const std::atomic<bool>& stop) {
        while (!stop) {
            if (publish.load() > 0) {
                publish.fetch_sub(1);
                feed.Publish(ChangeNotice{});
            }
            feed.WaitFor(std::chrono::milliseconds(2));
        }
    };
}

// Found by scripts/tsan.sh as a lock-order inversion: with the list locked while callbacks
// ran, this Subscribe waited for the list while the callback, holding it, waited for `owner`.
TEST(ChangeFeed, SubscribingWhileACallbackWaitsForTheSubscribersLockDoesNotDeadlock) {
    std::atomic<int> publish{0};
    ChangeFeed feed(PublishOnRequest(publish));
    std::mutex owner;  // what a dispatcher's own mutex is
    std::promise<void> entered;
    std::atomic<bool> first_call{true};
    std::atomic<int> calls{0};

    std::unique_lock held(owner);
    auto first = feed.Subscribe([&](const ChangeNotice&) {
        if (first_call.exchange(false)) entered.set_value();
        std::lock_guard lock(owner);
        calls.fetch_add(1);
    });
    publish = 1;
    entered.get_future().wait();  // the callback runs and waits for `owner`
    auto second = feed.Subscribe([](const ChangeNotice&) {});
    held.unlock();

    first.reset();  // waits for the delivery in progress
    EXPECT_EQ(calls.load(), 1);
}

TEST(ChangeFeed, NoCallbackRunsAfterUnsubscribeReturns) {
    std::atomic<int> publish{0};
    ChangeFeed feed(PublishOnRequest(publish));
    std::atomic<bool> unsubscribed{false};
    std::atomic<bool> late{false};
    std::atomic<int> heard{0};
    auto watching = feed.Subscribe([&](const ChangeNotice&) { heard.fetch_add(1); });
    auto leaving = feed.Subscribe([&](const ChangeNotice&) {
        if (unsubscribed) late = true;
    });
    for (int round = 0; round < 50; ++round) {
        publish.fetch_add(1);
        if (round == 25) {
            leaving.reset();
            unsubscribed = true;
        }
    }
    while (publish.load() > 0) feed.WaitFor(std::chrono::milliseconds(1));
    watching.reset();  // the last delivery is over once this returns
    EXPECT_FALSE(late);
    EXPECT_GT(heard.load(), 0);
}

}  // namespace
}  // namespace herald::storage::test
