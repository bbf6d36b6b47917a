#pragma once
// The subscriber list behind Store::SubscribeChanges, shared by both backends: each backend
// supplies a watcher (a loop that learns of changes its own way and publishes them here),
// started with the first subscription and stopped with the feed.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/store.hpp"

namespace herald::storage {

class ChangeFeed {
public:
    /// Runs on the feed's thread until `stop` is set; calls Publish for what it learns.
    /// It should look at `stop` at least every ~250 ms (WaitFor helps).
    using Watcher = std::function<void(ChangeFeed& feed, const std::atomic<bool>& stop)>;

    explicit ChangeFeed(Watcher watcher) : watcher_(std::move(watcher)) {}
    ~ChangeFeed();
    ChangeFeed(const ChangeFeed&) = delete;
    ChangeFeed& operator=(const ChangeFeed&) = delete;

    /// Registers `on_change`; starts the watcher on first use.
    std::unique_ptr<ChangeSubscription> Subscribe(ChangeCallback on_change);
    /// Calls every subscriber; an unsubscribe waits for a delivery in progress. A subscriber
    /// may subscribe (another callback) while holding a lock its callback takes: the list's
    /// own lock is never held while callbacks run.
    void Publish(const ChangeNotice& notice);
    /// Sleeps up to `timeout`; returns early (true) when the feed stops.
    bool WaitFor(std::chrono::milliseconds timeout);

private:
    void Unsubscribe(uint64_t id);
    class Subscription;

    Watcher watcher_;
    std::mutex deliver_mu_;  // held while callbacks run (Publish) and by Unsubscribe
    std::mutex mu_;          // subscribers_ and next_id_; never held while a callback runs
    std::map<uint64_t, std::shared_ptr<const ChangeCallback>> subscribers_;
    uint64_t next_id_ = 1;
    std::mutex run_mu_;  // thread_ and stop_
    std::condition_variable stop_cv_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace herald::storage
