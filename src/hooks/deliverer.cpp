#include "hooks/deliverer.hpp"

#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "publishers/failure.hpp"
#include "publishers/webhook/signature.hpp"
#include "publishers/webhook/webhook_publisher.hpp"

namespace herald::hooks {
namespace {

constexpr std::string_view kTarget = "the hook's URL";

std::string RandomHex() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format("{:016x}", rng());
}

/// The shared failure wording speaks of a site's settings; a hook's are its URL and secret.
std::string HookWording(std::string error) {
    const auto swap = [&error](std::string_view from, std::string_view to) {
        if (const size_t at = error.find(from); at != std::string::npos)
            error.replace(at, from.size(), to);
    };
    swap("check the site's API key", "check what the receiver expects");
    swap("check the site's domain", "check the hook's URL");
    swap("set the site's domain to the final address", "set the hook's URL to the final address");
    return error;
}

double JitterUnit() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

HookDeliverer::HookDeliverer(storage::Store& store, publishers::HttpClient& http,
                             const TimeSource& clock, DelivererSettings settings)
    : store_(store),
      http_(http),
      clock_(clock),
      settings_(settings),
      token_prefix_("hooks-" + RandomHex()) {}

HookDeliverer::~HookDeliverer() { Stop(); }

std::optional<std::string> HookDeliverer::EventBody(std::string_view type,
                                                    std::string_view data_json, TimePoint at) {
    if (!domain::IsHookEvent(type)) return std::nullopt;
    auto data = nlohmann::ordered_json::parse(data_json, nullptr, /*allow_exceptions=*/false);
    if (!data.is_object()) return std::nullopt;
    nlohmann::ordered_json body;
    body["type"] = std::string(type);
    body["timestamp"] = FormatIso(at);
    body["data"] = std::move(data);
    return body.dump();
}

void HookDeliverer::Emit(domain::AccountId account, std::string_view type, std::string data_json) {
    try {
        const TimePoint at = clock_.Now();
        auto body = EventBody(type, data_json, at);
        if (!body) {
            spdlog::error(
                "event hooks: dropped event '{}' of account {}: not an event type, or "
                "its data is not a JSON object",
                type, account);
            return;
        }
        QueuedEvent event{account, std::string(type), std::move(*body), at};
        {
            std::lock_guard lock(mu_);
            if (running_) {
                if (queue_.size() >= settings_.max_queued_events) {
                    spdlog::error(
                        "event hooks: dropped event '{}' of account {}: {} events are "
                        "already waiting for the database",
                        type, account, queue_.size());
                    return;
                }
                queue_.push_back(std::move(event));
                poked_ = true;
                wake_.notify_one();
                return;
            }
        }
        WriteEvent(event);  // not started: no publishing thread is waiting on this
    } catch (const std::exception& e) {
        spdlog::error("event hooks: dropped event '{}' of account {}: {}", type, account, e.what());
    }
}

bool HookDeliverer::WriteEvent(const QueuedEvent& event) {
    try {
        store_.EnqueueHookEvent(event.account, event.type, event.body, event.at);
        return true;
    } catch (const std::exception& e) {
        spdlog::error("event hooks: could not queue event '{}' of account {}: {}", event.type,
                      event.account, e.what());
        return false;
    }
}

bool HookDeliverer::FlushQueue(DeliveryPass* pass) {
    for (;;) {
        QueuedEvent event;
        {
            std::lock_guard lock(mu_);
            if (queue_.empty()) return true;
            event = std::move(queue_.front());
            queue_.pop_front();
        }
        if (!WriteEvent(event)) {
            std::lock_guard lock(mu_);
            queue_.push_front(std::move(event));  // the database is away: try again later
            return false;
        }
        if (pass) ++pass->queued_events;
    }
}

void HookDeliverer::Start() {
    std::lock_guard lock(mu_);
    if (running_) return;
    running_ = true;
    stopping_ = false;
    for (int i = 0; i < std::max(1, settings_.threads); ++i)
        threads_.emplace_back([this, i] { Loop(i); });
}

void HookDeliverer::Stop() {
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mu_);
        if (!running_) return;
        stopping_ = true;
        threads.swap(threads_);
        wake_.notify_all();
    }
    for (auto& t : threads) t.join();
    {
        std::lock_guard lock(mu_);
        running_ = false;
    }
    // Events emitted while stopping (or left by a database outage) go in now, or are logged.
    std::deque<QueuedEvent> left;
    {
        std::lock_guard lock(mu_);
        left.swap(queue_);
    }
    for (const auto& event : left) WriteEvent(event);
}

void HookDeliverer::Wake() {
    std::lock_guard lock(mu_);
    poked_ = true;
    wake_.notify_all();
}

void HookDeliverer::Prune() {
    try {
        constexpr int kBatch = 1000;  // short transactions: other writers are not held up
        const TimePoint before = clock_.Now() - settings_.keep_settled;
        int64_t total = 0;
        int64_t n = 0;
        do {
            n = store_.PruneHookDeliveries(before, kBatch);
            total += n;
        } while (n == kBatch);
        if (total > 0) spdlog::info("event hooks: pruned {} settled deliveries", total);
    } catch (const std::exception& e) {
        spdlog::error("event hooks: {}", e.what());
    }
}

void HookDeliverer::Loop(int index) {
    const std::string token = token_prefix_ + "-" + std::to_string(index);
    auto next_prune = std::chrono::steady_clock::now();
    for (;;) {
        {
            std::lock_guard lock(mu_);
            if (stopping_) break;
        }
        if (index == 0 && std::chrono::steady_clock::now() >= next_prune) {
            Prune();
            next_prune = std::chrono::steady_clock::now() + settings_.prune_every;
        }
        bool database_ok = FlushQueue(nullptr);
        bool worked = false;
        if (database_ok) {
            try {
                worked = DeliverOne(token, nullptr);
            } catch (const std::exception& e) {
                spdlog::error("event hooks: {}", e.what());
                database_ok = false;
            }
        }
        if (worked) continue;  // more may be due
        Milliseconds wait = settings_.idle_poll;
        if (database_ok) {
            try {
                if (const auto next = store_.NextHookDeliveryIn(clock_.Now()))
                    wait = std::clamp(*next, Milliseconds{0}, settings_.idle_poll);
            } catch (const std::exception& e) {
                spdlog::error("event hooks: {}", e.what());
            }
        }
        if (wait <= Milliseconds{0}) continue;
        std::unique_lock lock(mu_);
        wake_.wait_for(lock, wait, [&] { return stopping_ || poked_ || !queue_.empty(); });
        poked_ = false;
    }
}

bool HookDeliverer::DeliverOne(const std::string& token, DeliveryPass* pass) {
    storage::HookClaimRequest request;
    request.now = clock_.Now();
    request.limit = 1;  // one at a time: nothing claimed is left unsent when stopping
    request.claim_token = token;
    request.lease = settings_.lease;
    auto claimed = store_.ClaimHookDeliveries(request);
    if (claimed.empty()) return false;
    for (const auto& c : claimed) {
        const Settled settled = Deliver(c, token);
        if (!pass) continue;
        switch (settled) {
            case Settled::kDelivered:
                ++pass->delivered;
                break;
            case Settled::kRetrying:
                ++pass->retrying;
                break;
            case Settled::kFailed:
                ++pass->failed;
                break;
            case Settled::kLost:
                break;
        }
    }
    return true;
}

HookDeliverer::Settled HookDeliverer::Deliver(const storage::ClaimedDelivery& claimed,
                                              const std::string& token) {
    const domain::HookDelivery& d = claimed.delivery;
    storage::HookAttemptResult result;
    result.id = d.id;
    const auto key = publishers::webhook::SigningKey(claimed.secret);
    if (claimed.secret.empty() || !key) {
        result.state = domain::DeliveryState::kFailed;
        result.error = claimed.secret.empty()
                           ? "the hook has no secret to sign with: set one"
                           : "the hook's secret starts with whsec_ but the rest is not valid "
                             "base64: copy the signing secret again";
    } else {
        const publishers::HttpResponse response = http_.Send(publishers::webhook::SignedPost(
            claimed.url, *key, d.webhook_id, d.body, settings_.request_timeout));
        const TimePoint now = clock_.Now();
        if (response.status >= 200 && response.status < 300) {
            result.state = domain::DeliveryState::kDelivered;
            result.status = response.status;
        } else {
            publishers::PublishResult failure =
                publishers::FailureFromResponse(response, kTarget, now);
            failure.error = HookWording(std::move(failure.error));
            result.status = failure.http_status;
            const auto kind = failure.outcome == publishers::PublishOutcome::kTransient
                                  ? domain::FailureKind::kTransient
                                  : domain::FailureKind::kPermanent;
            const auto next =
                domain::NextHookAttempt(settings_.retry, d.attempts, kind, failure.retry_after,
                                        d.created_at, now, JitterUnit());
            if (next) {
                result.state = domain::DeliveryState::kPending;
                result.next_attempt_at = *next;
                result.error = failure.error;
            } else {
                result.state = domain::DeliveryState::kFailed;
                result.error = kind == domain::FailureKind::kTransient
                                   ? fmt::format("{} (gave up after {} attempt{})", failure.error,
                                                 d.attempts, d.attempts == 1 ? "" : "s")
                                   : failure.error;
            }
        }
    }
    result.finished_at = clock_.Now();
    if (result.state != domain::DeliveryState::kPending) result.next_attempt_at = d.next_attempt_at;
    // The URL may carry a token of the receiver's (many automation services do): not logged.
    if (result.state == domain::DeliveryState::kFailed)
        spdlog::warn("event hooks: delivery {} of '{}' to hook {} failed: {}", d.id, d.event_type,
                     d.hook_id, result.error);
    else if (result.state == domain::DeliveryState::kPending)
        spdlog::info("event hooks: delivery {} of '{}' to hook {} will be retried: {}", d.id,
                     d.event_type, d.hook_id, result.error);
    try {
        if (!store_.FinishHookDelivery(result, token)) {
            spdlog::warn("event hooks: delivery {} was taken over by another deliverer", d.id);
            return Settled::kLost;
        }
    } catch (const std::exception& e) {
        // The lease runs out and the delivery is sent again, with the same webhook-id.
        spdlog::error("event hooks: could not record delivery {}: {}", d.id, e.what());
        return Settled::kLost;
    }
    switch (result.state) {
        case domain::DeliveryState::kDelivered:
            return Settled::kDelivered;
        case domain::DeliveryState::kPending:
            return Settled::kRetrying;
        case domain::DeliveryState::kFailed:
            return Settled::kFailed;
    }
    return Settled::kFailed;
}

DeliveryPass HookDeliverer::RunOnce() {
    DeliveryPass pass;
    FlushQueue(&pass);
    const std::string token = token_prefix_ + "-once";
    while (DeliverOne(token, &pass)) {
    }
    return pass;
}

}  // namespace herald::hooks
