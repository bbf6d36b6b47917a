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
        subscribers_.emplace(id, std::make_shared<const ChangeCallback>(std::move(on_change)));
    }
    {
        std::lock_guard lock(run_mu_);
        if (!thread_.joinable() && !stop_)
            thread_ = std::thread([this] { watcher_(*this, stop_); });
    }
    return std::make_unique<Subscription>(*this, id);
}

// After this returns no callback of `id` runs: a delivery that may have taken it is waited
// for, and later ones no longer see it.
void ChangeFeed::Unsubscribe(uint64_t id) {
    std::lock_guard delivering(deliver_mu_);
    std::lock_guard lock(mu_);
    subscribers_.erase(id);
}

// The callbacks run outside mu_: the dispatcher and the slot scheduler subscribe while
// holding their own lock, which their callbacks take too, so with mu_ held across callbacks
// the two locks were taken in both orders (a lock-order inversion scripts/tsan.sh reported).
void ChangeFeed::Publish(const ChangeNotice& notice) {
    std::lock_guard delivering(deliver_mu_);
    std::vector<std::shared_ptr<const ChangeCallback>> callbacks;
    {
        std::lock_guard lock(mu_);
        callbacks.reserve(subscribers_.size());
        for (const auto& [id, callback] : subscribers_) callbacks.push_back(callback);
    }
    for (const auto& callback : callbacks) {
        try {
            (*callback)(notice);
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
