#pragma once
// The event hook deliverer: takes events from emitters (EventSink) into the database's
// outbox, and POSTs due deliveries, signed with Standard Webhooks headers exactly like a
// `custom` publication, on threads of its own, so a slow or dead hook never delays
// publishing. Deliveries are claimed with a lease, so several deliverers (threads or
// processes sharing one database) never send one delivery at once; a transient failure is
// retried with growing backoff within a window (domain::HookRetryPolicy), then failed.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/time.hpp"
#include "domain/event_hooks.hpp"
#include "hooks/event_sink.hpp"
#include "publishers/http_client.hpp"
#include "storage/store.hpp"

namespace herald::hooks {

struct DelivererSettings {
    int threads = 2;  // deliveries in flight at once
    Milliseconds request_timeout = std::chrono::seconds{15};
    Milliseconds lease = std::chrono::minutes{2};      // > request_timeout: a live call keeps it
    Milliseconds idle_poll = std::chrono::seconds{1};  // other processes' events, retries due
    domain::HookRetryPolicy retry;
    size_t max_queued_events = 10000;                         // emitted, not yet in the database
    Milliseconds keep_settled = std::chrono::hours{24 * 30};  // delivered/failed rows kept
    Milliseconds prune_every = std::chrono::hours{1};
};

/// What one pass did (RunOnce), for tests and logs.
struct DeliveryPass {
    size_t queued_events = 0;  // events written to the outbox
    size_t delivered = 0;
    size_t retrying = 0;
    size_t failed = 0;
};

class HookDeliverer final : public EventSink {
public:
    /// Keeps references to all three, which must outlive it.
    HookDeliverer(storage::Store& store, publishers::HttpClient& http, const TimeSource& clock,
                  DelivererSettings settings = {});
    ~HookDeliverer() override;
    HookDeliverer(const HookDeliverer&) = delete;
    HookDeliverer& operator=(const HookDeliverer&) = delete;

    /// Starts the delivery threads. Before Start (and after Stop) Emit writes to the outbox
    /// on the caller's thread instead of queueing.
    void Start();
    /// Writes the events still queued to the outbox, lets calls in flight finish (at most the
    /// request timeout) and joins the threads. Idempotent.
    void Stop();
    /// Look for due deliveries now (e.g. after a change another process announced).
    void Wake();

    void Emit(domain::AccountId account, std::string_view type, std::string data_json) override;

    /// On the calling thread: writes queued events to the outbox, then delivers what is due
    /// until nothing is (tests, one-shot commands). Not for use while started.
    DeliveryPass RunOnce();

    /// The JSON a hook receives: {"type": TYPE, "timestamp": ISO(at), "data": DATA}.
    /// nullopt when `type` is not an event or `data_json` is not a JSON object.
    static std::optional<std::string> EventBody(std::string_view type, std::string_view data_json,
                                                TimePoint at);

private:
    struct QueuedEvent {
        domain::AccountId account = 0;
        std::string type;
        std::string body;
        TimePoint at{};
    };
    enum class Settled { kDelivered, kRetrying, kFailed, kLost };

    void Loop(int index);
    /// Writes queued events to the outbox; false when the database refused (kept queued).
    bool FlushQueue(DeliveryPass* pass);
    bool WriteEvent(const QueuedEvent& event);
    /// Claims one due delivery and sends it; false when none was due.
    bool DeliverOne(const std::string& token, DeliveryPass* pass);
    Settled Deliver(const storage::ClaimedDelivery& claimed, const std::string& token);
    /// Deletes settled deliveries older than keep_settled (thread 0, every prune_every).
    void Prune();

    storage::Store& store_;
    publishers::HttpClient& http_;
    const TimeSource& clock_;
    const DelivererSettings settings_;
    const std::string token_prefix_;  // claims: "<prefix>-<thread>"

    std::mutex mu_;
    std::condition_variable wake_;
    std::deque<QueuedEvent> queue_;
    bool running_ = false;
    bool stopping_ = false;
    bool poked_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace herald::hooks
