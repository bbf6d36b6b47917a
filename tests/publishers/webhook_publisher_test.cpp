// The `custom` adapter end to end: real curl client, real loopback receiver.

#include "publishers/webhook/webhook_publisher.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <boost/asio.hpp>

#include "publishers/publisher.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::publishers::webhook {
namespace {

using nlohmann::json;
using testing::ReceiverReply;
using testing::WebhookReceiver;

ReceiverReply Answer(int status, std::string body = "", std::string retry_after = "") {
    ReceiverReply reply;
    reply.status = status;
    reply.body = std::move(body);
    if (!retry_after.empty()) reply.retry_after = retry_after;
    return reply;
}

ReceiverReply Slow(std::chrono::milliseconds delay) {
    ReceiverReply reply;
    reply.delay = delay;
    return reply;
}

ReceiverReply Dropped() {
    ReceiverReply reply;
    reply.drop_connection = true;
    return reply;
}

class WebhookPublisherTest : public ::testing::Test {
protected:
    WebhookPublisherTest() : http_(MakeCurlHttpClient()), publisher_(MakeWebhookPublisher(*http_)) {
        site_.id = 7;
        site_.platform_type = domain::Platform::kCustom;
        site_.domain = receiver_.Url();
        site_.api_key = receiver_.secret();
        content_.id = 42;
        content_.site_id = 7;
        content_.title = "Hello";
        content_.content_html = "<p>World</p>";
        content_.excerpt = "Hi";
        content_.slug = "hello";
        content_.categories = {"News"};
        content_.tags = {"a", "b"};
        content_.featured_image_url = "https://img.example/x.png";
        content_.scheduled_publish_at = ParseIso("2026-01-20T14:00:00Z");
    }

    PublishResult Publish(const std::string& publication_id = "pub-1") {
        return publisher_->Publish(PublishRequest{site_, content_, publication_id});
    }

    WebhookReceiver receiver_;
    HttpClientPtr http_;
    PublisherPtr publisher_;
    domain::Site site_;
    domain::Content content_;
};

TEST_F(WebhookPublisherTest, PublishesASignedDocument) {
    ReceiverReply reply;
    reply.body = R"({"id":"remote-9","url":"https://site.example/hello"})";
    receiver_.SetDefaultReply(reply);

    const PublishResult result = Publish();
    EXPECT_EQ(result.outcome, PublishOutcome::kPublished) << result.error;
    EXPECT_EQ(result.external_id, "remote-9");
    EXPECT_EQ(result.external_url, "https://site.example/hello");
    EXPECT_EQ(result.http_status, 200);

    const auto requests = receiver_.Requests();
    ASSERT_EQ(requests.size(), 1u);
    const auto& r = requests[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/hooks/herald");
    EXPECT_TRUE(r.signature_valid);
    EXPECT_EQ(r.webhook_id, "msg_pub-1");
    EXPECT_EQ(r.Header("content-type"), "application/json");

    const json doc = json::parse(r.body);
    EXPECT_EQ(doc["type"], "content.publish");
    EXPECT_TRUE(doc["external_id"].is_null());
    const json& c = doc["content"];
    EXPECT_EQ(c["id"], 42);
    EXPECT_EQ(c["site_id"], 7);
    EXPECT_EQ(c["title"], "Hello");
    EXPECT_EQ(c["content_html"], "<p>World</p>");
    EXPECT_EQ(c["excerpt"], "Hi");
    EXPECT_EQ(c["slug"], "hello");
    EXPECT_EQ(c["content_type"], "post");
    EXPECT_EQ(c["categories"], json::array({"News"}));
    EXPECT_EQ(c["tags"], json::array({"a", "b"}));
    EXPECT_EQ(c["featured_image_url"], "https://img.example/x.png");
    EXPECT_EQ(c["scheduled_publish_at"], "2026-01-20T14:00:00Z");
}

TEST_F(WebhookPublisherTest, RepublishCarriesTheEarlierExternalId) {
    content_.external_id = "remote-9";
    content_.scheduled_publish_at.reset();
    EXPECT_EQ(Publish().outcome, PublishOutcome::kPublished);
    const json doc = json::parse(receiver_.Requests().at(0).body);
    EXPECT_EQ(doc["external_id"], "remote-9");
    EXPECT_TRUE(doc["content"]["scheduled_publish_at"].is_null());
}

TEST_F(WebhookPublisherTest, NumericIdIsAccepted) {
    ReceiverReply reply;
    reply.status = 201;
    reply.body = R"({"id":12345,"url":"https://site.example/p/12345"})";
    receiver_.SetDefaultReply(reply);
    const PublishResult result = Publish();
    EXPECT_EQ(result.outcome, PublishOutcome::kPublished);
    EXPECT_EQ(result.external_id, "12345");
}

TEST_F(WebhookPublisherTest, SuccessWithoutIdUsesTheWebhookId) {
    ReceiverReply reply;
    reply.status = 204;
    reply.body = "";
    receiver_.SetDefaultReply(reply);
    const PublishResult result = Publish("pub-77");
    EXPECT_EQ(result.outcome, PublishOutcome::kPublished);
    EXPECT_EQ(result.external_id, "msg_pub-77");
    EXPECT_EQ(result.external_url, "");
}

TEST_F(WebhookPublisherTest, RawApiKeyIsUsedAsIs) {
    WebhookReceiver raw_receiver{"a plain shared secret"};
    site_.domain = raw_receiver.Url();
    site_.api_key = "a plain shared secret";
    EXPECT_EQ(Publish().outcome, PublishOutcome::kPublished);
    ASSERT_EQ(raw_receiver.RequestCount(), 1u);
    EXPECT_TRUE(raw_receiver.Requests()[0].signature_valid);
}

TEST_F(WebhookPublisherTest, WrongSecretFailsVerificationAtTheReceiver) {
    site_.api_key = "whsec_" + std::string("c29tZXRoaW5nIGVsc2U=");
    Publish();
    ASSERT_EQ(receiver_.RequestCount(), 1u);
    EXPECT_FALSE(receiver_.Requests()[0].signature_valid);
}

TEST_F(WebhookPublisherTest, SameWebhookIdForEveryRetryOfOnePublication) {
    receiver_.EnqueueReply(Answer(503));
    receiver_.EnqueueReply(Answer(503));
    EXPECT_EQ(Publish("pub-A").outcome, PublishOutcome::kTransient);
    EXPECT_EQ(Publish("pub-A").outcome, PublishOutcome::kTransient);
    EXPECT_EQ(Publish("pub-A").outcome, PublishOutcome::kPublished);
    EXPECT_EQ(Publish("pub-B").outcome, PublishOutcome::kPublished);
    const auto counts = receiver_.CountsByWebhookId();
    EXPECT_EQ(counts.at("msg_pub-A"), 3);
    EXPECT_EQ(counts.at("msg_pub-B"), 1);
}

TEST_F(WebhookPublisherTest, UnauthorizedRefusesTheSiteWithCredentialsWording) {
    receiver_.SetDefaultReply(Answer(401, R"({"error":"bad signature"})"));
    const PublishResult result = Publish();
    EXPECT_EQ(result.outcome, PublishOutcome::kSiteRefused);
    EXPECT_EQ(result.http_status, 401);
    EXPECT_EQ(result.error,
              "the endpoint refused herald's credentials (HTTP 401): check the site's API key");
}

TEST_F(WebhookPublisherTest, NotFoundIsPermanent) {
    receiver_.SetDefaultReply(Answer(404));
    const PublishResult result = Publish();
    EXPECT_EQ(result.outcome, PublishOutcome::kPermanent);
    EXPECT_NE(result.error.find("endpoint was not found"), std::string::npos) << result.error;
}

TEST_F(WebhookPublisherTest, ServerErrorIsTransientWithRetryAfter) {
    receiver_.SetDefaultReply(Answer(500, "", "17"));
    const PublishResult result = Publish();
    EXPECT_EQ(result.outcome, PublishOutcome::kTransient);
    EXPECT_EQ(result.http_status, 500);
    EXPECT_EQ(result.retry_after, Milliseconds{17000});
    EXPECT_NE(result.error.find("HTTP 500"), std::string::npos);
}

TEST_F(WebhookPublisherTest, TooManyRequestsIsTransientWithRetryAfter) {
    receiver_.SetDefaultReply(Answer(429, "", "3"));
    const PublishResult result = Publish();
    EXPECT_EQ(result.outcome, PublishOutcome::kTransient);
    EXPECT_EQ(result.retry_after, Milliseconds{3000});
    EXPECT_NE(result.error.find("rate limiting"), std::string::npos);
}

TEST_F(WebhookPublisherTest, TimeoutIsTransient) {
    publisher_ = MakeWebhookPublisher(*http_, WebhookOptions{Milliseconds{300}});
    receiver_.SetDefaultReply(Slow(std::chrono::seconds{3}));
    const PublishResult result = Publish();
    EXPECT_EQ(result.outcome, PublishOutcome::kTransient);
    EXPECT_FALSE(result.http_status);
    EXPECT_EQ(result.error, "could not reach the endpoint: timed out after 0.3 s");
}

TEST_F(WebhookPublisherTest, ConnectionRefusedIsTransient) {
    boost::asio::io_context io;
    uint16_t port = 0;
    {
        boost::asio::ip::tcp::acceptor a{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
        port = a.local_endpoint().port();
    }
    site_.domain = "http://127.0.0.1:" + std::to_string(port) + "/hook";
    const PublishResult result = Publish();
    EXPECT_EQ(result.outcome, PublishOutcome::kTransient);
    EXPECT_EQ(result.error, "could not reach the endpoint: connection refused");
}

TEST_F(WebhookPublisherTest, DroppedConnectionIsTransient) {
    receiver_.SetDefaultReply(Dropped());
    EXPECT_EQ(Publish().outcome, PublishOutcome::kTransient);
}

TEST_F(WebhookPublisherTest, MissingDomainOrKeyFailsWithoutACall) {
    site_.domain = "";
    PublishResult result = Publish();
    EXPECT_EQ(result.outcome, PublishOutcome::kSiteRefused);
    EXPECT_NE(result.error.find("no endpoint URL"), std::string::npos);
    site_.domain = receiver_.Url();
    site_.api_key = "";
    result = Publish();
    EXPECT_EQ(result.outcome, PublishOutcome::kSiteRefused);
    EXPECT_NE(result.error.find("no API key"), std::string::npos);
    EXPECT_EQ(receiver_.RequestCount(), 0u);
}

TEST_F(WebhookPublisherTest, TestConnectionSendsASignedTestMessage) {
    const ConnectionCheck check = publisher_->TestConnection(site_);
    EXPECT_TRUE(check.ok) << check.message;
    ASSERT_EQ(receiver_.RequestCount(), 1u);
    const auto r = receiver_.Requests()[0];
    EXPECT_TRUE(r.signature_valid);
    EXPECT_EQ(json::parse(r.body), json({{"type", "connection.test"}}));
}

TEST_F(WebhookPublisherTest, TestConnectionReportsRefusedCredentials) {
    receiver_.SetDefaultReply(Answer(403));
    const ConnectionCheck check = publisher_->TestConnection(site_);
    EXPECT_FALSE(check.ok);
    EXPECT_EQ(check.http_status, 403);
    EXPECT_EQ(check.message,
              "the endpoint refused herald's credentials (HTTP 403): check the site's API key");
    site_.api_key = "";
    EXPECT_FALSE(publisher_->TestConnection(site_).ok);
}

TEST(PublisherRegistryTest, DefaultHasAnAdapterForEveryPlatform) {
    auto http = MakeCurlHttpClient();
    const PublisherRegistry registry = MakeDefaultPublishers(*http);
    for (const auto platform : {domain::Platform::kCustom, domain::Platform::kWordPress,
                                domain::Platform::kShopify, domain::Platform::kGhost}) {
        EXPECT_NE(registry.For(platform), nullptr) << domain::ToString(platform);
    }
}

}  // namespace
}  // namespace herald::publishers::webhook
