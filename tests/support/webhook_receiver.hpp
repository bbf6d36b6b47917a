#pragma once
// A real HTTP server on 127.0.0.1 (random port) that plays a Standard Webhooks receiver:
// it records every request, checks its signature, and answers as each test tells it to.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::testing {

struct ReceivedRequest {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string body;
    std::string webhook_id;
    bool signature_valid = false;  // Standard Webhooks signature checked with the secret
    std::chrono::system_clock::time_point received_at;

    std::optional<std::string> Header(std::string_view lower_name) const;
};

/// How to answer one request.
struct ReceiverReply {
    int status = 200;
    /// nullopt: {"id": "post-N", "url": "<receiver>/posts/post-N"}, N stable per webhook-id
    /// (so a repeated delivery gets the same remote post, like a deduplicating receiver).
    std::optional<std::string> body;
    std::chrono::milliseconds delay{0};      // wait this long before answering
    std::optional<std::string> retry_after;  // sets Retry-After
    bool drop_connection = false;            // reset the connection instead of answering
    std::vector<std::pair<std::string, std::string>> headers;
};

class WebhookReceiver {
public:
    /// `secret` is the site's api_key as herald sees it ("whsec_…" or raw bytes).
    explicit WebhookReceiver(std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    ~WebhookReceiver();
    WebhookReceiver(const WebhookReceiver&) = delete;
    WebhookReceiver& operator=(const WebhookReceiver&) = delete;

    uint16_t port() const;
    const std::string& secret() const;
    /// "http://127.0.0.1:PORT" + path.
    std::string Url(std::string_view path = "/hooks/herald") const;

    /// The answer for requests not covered by a queued reply or the handler.
    void SetDefaultReply(ReceiverReply reply);
    /// Answers for the next requests, one each, in order (before the default).
    void EnqueueReply(ReceiverReply reply);
    /// Decides per request (after queued replies); nullopt falls back to the default.
    /// Runs under the receiver's lock: it must not call back into the receiver.
    void SetHandler(std::function<std::optional<ReceiverReply>(const ReceivedRequest&)> handler);

    std::vector<ReceivedRequest> Requests() const;
    size_t RequestCount() const;
    /// TCP connections accepted so far (to see keep-alive at work).
    size_t ConnectionCount() const;
    /// Deliveries per distinct webhook-id.
    std::map<std::string, int> CountsByWebhookId() const;
    /// Blocks until at least `n` requests arrived or `timeout` passed; true when they did.
    bool WaitForRequests(size_t n, std::chrono::milliseconds timeout) const;

    /// Standard Webhooks verification of one delivery (any listed v1 signature matches and
    /// the timestamp is within 5 minutes).
    static bool VerifySignature(std::string_view secret, std::string_view msg_id,
                                std::string_view timestamp, std::string_view body,
                                std::string_view signature_header);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace herald::testing
