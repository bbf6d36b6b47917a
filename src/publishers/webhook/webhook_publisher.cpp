#include "publishers/webhook/webhook_publisher.hpp"

#include <optional>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "publishers/common/adapter_util.hpp"
#include "publishers/common/site_options.hpp"
#include "publishers/failure.hpp"
#include "publishers/webhook/signature.hpp"

namespace herald::publishers::webhook {
namespace {

using nlohmann::json;

constexpr std::string_view kTarget = "the endpoint";

std::string RandomId() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format("{:016x}{:016x}", rng(), rng());
}

json Document(const domain::Content& c) {
    json content = {
        {"id", c.id},
        {"site_id", c.site_id},
        {"title", c.title},
        {"content_html", c.content_html},
        {"excerpt", c.excerpt},
        {"slug", c.slug},
        {"content_type", c.content_type},
        {"categories", c.categories},
        {"tags", c.tags},
        {"featured_image_url", c.featured_image_url},
        {"scheduled_publish_at",
         c.scheduled_publish_at ? json(FormatIso(*c.scheduled_publish_at)) : json(nullptr)},
    };
    return json{
        {"type", "content.publish"},
        {"content", std::move(content)},
        {"external_id", c.external_id.empty() ? json(nullptr) : json(c.external_id)},
    };
}

constexpr common::RequiredSettings kRequired{
    .domain = "the site has no endpoint URL: set its domain to the full webhook URL",
    .api_key = "the site has no API key: set it to the webhook signing secret",
};

/// The signing key; the site's options hold only delivery keys, which are not ours to read.
Result<std::string> ReadKey(const domain::Site& site) {
    if (auto key = SigningKey(site.api_key)) return std::move(*key);
    return Error::Invalid("site_misconfigured",
                          "the site's API key starts with whsec_ but the rest is not valid "
                          "base64: copy the signing secret again",
                          "api_key");
}

class WebhookPublisher final : public Publisher {
public:
    WebhookPublisher(HttpClient& http, WebhookOptions options) : http_(http), options_(options) {}

    PublishResult Publish(const PublishRequest& request) override {
        PublishResult result;
        auto prepared = Prepare(request, result);
        if (!prepared) return result;
        return Interpret(http_.Send(prepared->post), prepared->id, prepared->earlier_id,
                         prepared->earlier_url);
    }

    /// One signed POST on the client's event thread: no thread is held while it is in flight.
    void PublishAsync(const PublishRequest& request, PublishCallback done) override {
        PublishResult result;
        auto prepared = Prepare(request, result);
        if (!prepared) {
            done(std::move(result));
            return;
        }
        http_.SendAsync(std::move(prepared->post),
                        [id = std::move(prepared->id), earlier_id = std::move(prepared->earlier_id),
                         earlier_url = std::move(prepared->earlier_url),
                         done = std::move(done)](const HttpResponse& response) {
                            done(Interpret(response, id, earlier_id, earlier_url));
                        });
    }

    ConnectionCheck TestConnection(const domain::Site& site) override {
        const auto key = common::OpenSite(site, kRequired, ReadKey);
        if (!key) return common::CheckFailed(key.error());
        const HttpResponse response = http_.Send(
            SignedPost(site.domain, *key, WebhookId(RandomId()), R"({"type":"connection.test"})"));
        if (response.status < 200 || response.status >= 300)
            return FailedCheck(response, kTarget, common::WallNow());
        return ConnectionCheck{
            true,
            fmt::format("the endpoint accepted a signed test message (HTTP {})", response.status),
            response.status};
    }

private:
    /// What a publish sends, with the bits of the content the answer is read against (copied:
    /// the async answer arrives after the caller's request may be gone).
    struct Prepared {
        HttpRequest post;
        std::string id;
        std::string earlier_id;
        std::string earlier_url;
    };

    /// nullopt (with `failed` filled) when the site's settings make a call pointless.
    std::optional<Prepared> Prepare(const PublishRequest& request, PublishResult& failed) const {
        const auto key = common::OpenSite(request.site, kRequired, ReadKey);
        if (!key) {
            failed = common::SiteMisconfigured(key.error());
            return std::nullopt;
        }
        // The dispatcher always passes a publication id; a random one only keeps direct
        // callers working (their retries then look like new messages to the receiver).
        // A possible earlier delivery (request.maybe_delivered) needs nothing more here: the
        // webhook-id is the same as then, and Standard Webhooks receivers drop repeats by it.
        Prepared p;
        p.id = WebhookId(request.publication_id.empty() ? RandomId() : request.publication_id);
        p.post = SignedPost(request.site.domain, *key, p.id, Document(request.content).dump());
        p.earlier_id = request.content.external_id;
        p.earlier_url = request.content.external_url;
        return p;
    }

    static PublishResult Interpret(const HttpResponse& response, const std::string& id,
                                   const std::string& earlier_id, const std::string& earlier_url) {
        if (response.status < 200 || response.status >= 300)
            return FailureFromResponse(response, kTarget, common::WallNow());
        PublishResult result = common::Published(response.status, {}, {});
        const auto answer = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
        if (answer.is_object()) {
            if (auto it = answer.find("id"); it != answer.end()) {
                if (it->is_string())
                    result.external_id = it->get<std::string>();
                else if (it->is_number_integer())
                    result.external_id = std::to_string(it->get<int64_t>());
                else if (it->is_number())
                    result.external_id = it->dump();
            }
            if (auto it = answer.find("url"); it != answer.end() && it->is_string())
                result.external_url = it->get<std::string>();
        }
        // A 2xx without an id still means the receiver took the post. Keep the id from an
        // earlier publish (so updates keep addressing the same remote post), else use the
        // webhook-id: it is unique per publication and lets the owner match the delivery.
        if (result.external_id.empty()) result.external_id = earlier_id.empty() ? id : earlier_id;
        if (result.external_url.empty()) result.external_url = earlier_url;
        return result;
    }

    HttpRequest SignedPost(const std::string& url, const std::string& key, const std::string& id,
                           std::string body) const {
        return webhook::SignedPost(url, key, id, std::move(body), options_.timeout);
    }

    HttpClient& http_;
    WebhookOptions options_;
};

}  // namespace

std::string WebhookId(std::string_view publication_id) {
    if (publication_id.starts_with("msg_")) return std::string(publication_id);
    return "msg_" + std::string(publication_id);
}

HttpRequest SignedPost(const std::string& url, std::string_view key, const std::string& id,
                       std::string body, Milliseconds timeout) {
    const int64_t timestamp =
        std::chrono::duration_cast<Seconds>(common::WallNow().time_since_epoch()).count();
    HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.timeout = timeout;
    request.headers = {
        {"Content-Type", "application/json"},
        {"webhook-id", id},
        {"webhook-timestamp", std::to_string(timestamp)},
        {"webhook-signature", Sign(key, id, timestamp, body)},
    };
    request.body = std::move(body);
    return request;
}

PublisherPtr MakeWebhookPublisher(HttpClient& http, WebhookOptions options) {
    return std::make_unique<WebhookPublisher>(http, options);
}

Status ValidateWebhookOptions(std::string_view options_json) {
    // The endpoint gets the content, not the options: only the delivery keys mean anything.
    static constexpr common::OptionsSpec kSpec{"custom", {}};
    auto options = common::ParseOptionsObject(options_json, kSpec);
    if (!options) return options.error();
    return common::RefuseUnknownKeys(*options, kSpec);
}

}  // namespace herald::publishers::webhook
