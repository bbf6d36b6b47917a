#pragma once
// A platform adapter: turns one content item into one remote post, and checks
// credentials. Outcomes are values; an adapter never throws for a remote answer.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/time.hpp"
#include "domain/model.hpp"
#include "publishers/http_client.hpp"

namespace herald::publishers {

enum class PublishOutcome {
    kPublished,  // the remote post exists; external_id/url are set
    kTransient,  // try again later (timeout, connection error, 408/429/5xx)
    kPermanent,  // retrying this item cannot help (a 4xx about the item)
    /// The target refuses the site's credentials (401/403), or the site lacks credentials,
    /// domain or options: every item of the site would fail alike, so the site pauses.
    kSiteRefused,
};

struct PublishResult {
    PublishOutcome outcome = PublishOutcome::kPermanent;
    std::optional<int> http_status;
    std::string external_id;
    std::string external_url;
    std::string error;                        // for a site owner, when not published
    std::optional<Milliseconds> retry_after;  // from Retry-After, when the server said
};

struct PublishRequest {
    const domain::Site& site;
    const domain::Content& content;
    /// Stable across every retry of one publication (the webhook-id), so receivers and
    /// recovery lookups can recognise a repeat.
    std::string publication_id;
    /// An earlier attempt of this publication may have reached the target (it timed out, the
    /// connection broke, or its dispatcher died mid-call). An adapter that can should look
    /// for the post it may have created and adopt it instead of creating a second one.
    bool maybe_delivered = false;
};

/// Receives the result of PublishAsync; may run on any thread and must return quickly.
using PublishCallback = std::function<void(PublishResult)>;

struct ConnectionCheck {
    bool ok = false;
    std::string message;  // what works or what failed, for a site owner
    std::optional<int> http_status;
};

class Publisher {
public:
    virtual ~Publisher() = default;
    /// Creates the remote post, or updates it when content.external_id is set.
    /// Thread-safe; blocks the calling thread for the duration of the remote calls.
    virtual PublishResult Publish(const PublishRequest& request) = 0;
    /// Publish without blocking the caller: `done` gets the result exactly once, later and
    /// possibly on another thread. The caller keeps `request`'s site and content alive until
    /// then. This default runs Publish on a shared pool of threads (fine for multi-step
    /// adapters); adapters with one call override it on HttpClient::SendAsync.
    virtual void PublishAsync(const PublishRequest& request, PublishCallback done);
    /// Authenticates against the platform without publishing anything.
    virtual ConnectionCheck TestConnection(const domain::Site& site) = 0;
};

using PublisherPtr = std::unique_ptr<Publisher>;

/// One adapter per platform.
class PublisherRegistry {
public:
    void Register(domain::Platform platform, PublisherPtr publisher) {
        publishers_[platform] = std::move(publisher);
    }
    /// nullptr when the platform has no adapter in this build.
    Publisher* For(domain::Platform platform) const {
        auto it = publishers_.find(platform);
        return it == publishers_.end() ? nullptr : it->second.get();
    }

private:
    std::map<domain::Platform, PublisherPtr> publishers_;
};

/// The registry with every adapter this build has, all sharing `http`.
PublisherRegistry MakeDefaultPublishers(HttpClient& http);

}  // namespace herald::publishers
