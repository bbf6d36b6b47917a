#pragma once
// The `custom` platform (API.md §6): a signed Standard Webhooks POST of the content to the
// site's endpoint URL.

#include "common/result.hpp"
#include "publishers/http_client.hpp"
#include "publishers/publisher.hpp"

namespace herald::publishers::webhook {

struct WebhookOptions {
    Milliseconds timeout = std::chrono::seconds{30};
};

/// The adapter keeps a reference to `http`, which must outlive it.
PublisherPtr MakeWebhookPublisher(HttpClient& http, WebhookOptions options = {});

/// The API's check of Site::options_json for a `custom` site: the delivery options only;
/// any other key is refused.
Status ValidateWebhookOptions(std::string_view options_json);

/// The webhook-id for a publication: the same for every retry of it.
std::string WebhookId(std::string_view publication_id);

/// A Standard Webhooks POST of the JSON `body` to `url`: webhook-id `id`, webhook-timestamp
/// now (unix seconds), webhook-signature "v1,…" under `key` (SigningKey of the secret). The
/// one signing path of `custom` publications and event hook deliveries.
HttpRequest SignedPost(const std::string& url, std::string_view key, const std::string& id,
                       std::string body, Milliseconds timeout);

}  // namespace herald::publishers::webhook
