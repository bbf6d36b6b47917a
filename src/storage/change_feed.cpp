#include "storage/change_feed.hpp"

namespace herald::storage {

class ChangeFeed::Subscription final : public ChangeSubscription {
public:
    Subscription(ChangeFeed& feed, uint64_t id) : feed_(feed), id_(id) {}
    ~Subscription() override { feed_.Unsubscribe(id_); }

private:
    ChangeFeed& feed_;
    uint64_t id_;
};

ChangeFeed::~ChangeFeed() {
    {
        std::lock_guard lock(run_mu_);
        stop_ = true;
    }
    stop_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::unique_ptr<ChangeSubscription> ChangeFeed::Subscribe(ChangeCallback on_change) {
    uint64_t id;
    {
        std::lock_guard lock(mu_);
        id = next_id_++;
        subscribers_.emplace(id, std::move(on_change));
    }
    {
        std::lock_guard lock(run_mu_);
        if (!thread_.joinable() && !stop_)
            thread_ = std::thread([this] { watcher_(*this, stop_); });
    }
    return std::make_unique<Subscription>(*this, id);
}

void ChangeFeed::Unsubscribe(uint64_t id) {
    std::lock_guard lock(mu_);
    subscribers_.erase(id);
}

void ChangeFeed::Publish(const ChangeNotice& notice) {
    std::lock_guard lock(mu_);
    for (auto& [id, callback] : subscribers_) {
        try {
            callback(notice);
        } catch (...) {
            // A subscriber's failure is its own; the others still hear of the change.
        }
    }
}

bool ChangeFeed::WaitFor(std::chrono::milliseconds timeout) {
    std::unique_lock lock(run_mu_);
    return stop_cv_.wait_for(lock, timeout, [this] { return stop_.load(); });
}

}  // namespace herald::storage
