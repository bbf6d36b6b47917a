// The libcurl client against a real loopback server.

#include "publishers/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include "support/webhook_receiver.hpp"

namespace herald::publishers {
namespace {

using testing::ReceiverReply;
using testing::WebhookReceiver;

/// A port on 127.0.0.1 that nothing listens on (bound, then closed).
uint16_t UnusedPort() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
    return a.local_endpoint().port();
}

TEST(CurlHttpClientTest, PostsHeadersAndBodyAndReadsTheAnswer) {
    WebhookReceiver receiver;
    ReceiverReply reply;
    reply.status = 201;
    reply.body = R"({"ok":true})";
    reply.headers = {{"X-Custom", "Value"}};
    receiver.SetDefaultReply(reply);
    auto client = MakeCurlHttpClient();

    HttpRequest request;
    request.method = "POST";
    request.url = receiver.Url("/in");
    request.headers = {{"Content-Type", "application/json"}, {"X-Test", "1"}};
    request.body = std::string(5000, 'a');  // large enough that curl would want 100-continue
    const HttpResponse response = client->Send(request);
    EXPECT_EQ(response.status, 201);
    EXPECT_EQ(response.body, R"({"ok":true})");
    EXPECT_EQ(response.Header("x-custom"), "Value");
    EXPECT_TRUE(response.transport_error.empty());

    const auto requests = receiver.Requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].target, "/in");
    EXPECT_EQ(requests[0].Header("x-test"), "1");
    EXPECT_FALSE(requests[0].Header("expect"));
    EXPECT_EQ(requests[0].body.size(), 5000u);
}

TEST(CurlHttpClientTest, PutAndGet) {
    WebhookReceiver receiver;
    auto client = MakeCurlHttpClient();
    HttpRequest put;
    put.method = "PUT";
    put.url = receiver.Url("/x");
    put.body = "{}";
    EXPECT_EQ(client->Send(put).status, 200);
    HttpRequest get;
    get.url = receiver.Url("/y");
    EXPECT_EQ(client->Send(get).status, 200);
    const auto requests = receiver.Requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].method, "PUT");
    EXPECT_EQ(requests[0].body, "{}");
    EXPECT_EQ(requests[1].method, "GET");
}

TEST(CurlHttpClientTest, DoesNotFollowRedirects) {
    WebhookReceiver receiver;
    ReceiverReply reply;
    reply.status = 302;
    reply.headers = {{"Location", receiver.Url("/elsewhere")}};
    receiver.EnqueueReply(reply);
    auto client = MakeCurlHttpClient();
    HttpRequest request;
    request.method = "POST";
    request.url = receiver.Url("/start");
    const HttpResponse response = client->Send(request);
    EXPECT_EQ(response.status, 302);
    EXPECT_EQ(response.Header("location"), receiver.Url("/elsewhere"));
    EXPECT_EQ(receiver.RequestCount(), 1u);
}

TEST(CurlHttpClientTest, ConnectionRefusedInPlainWords) {
    auto client = MakeCurlHttpClient();
    HttpRequest request;
    request.method = "POST";
    request.url = "http://127.0.0.1:" + std::to_string(UnusedPort()) + "/";
    const HttpResponse response = client->Send(request);
    EXPECT_EQ(response.status, 0);
    EXPECT_EQ(response.transport_error, "connection refused");
    EXPECT_FALSE(response.timed_out);
}

TEST(CurlHttpClientTest, TimeoutInPlainWords) {
    WebhookReceiver receiver;
    ReceiverReply slow;
    slow.delay = std::chrono::seconds{3};
    receiver.SetDefaultReply(slow);
    auto client = MakeCurlHttpClient();
    HttpRequest request;
    request.url = receiver.Url();
    request.timeout = Milliseconds{300};
    const auto start = std::chrono::steady_clock::now();
    const HttpResponse response = client->Send(request);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds{2});
    EXPECT_EQ(response.status, 0);
    EXPECT_TRUE(response.timed_out);
    EXPECT_EQ(response.transport_error, "timed out after 0.3 s");
}

TEST(CurlHttpClientTest, ResetConnection) {
    WebhookReceiver receiver;
    ReceiverReply drop;
    drop.drop_connection = true;
    receiver.SetDefaultReply(drop);
    auto client = MakeCurlHttpClient();
    HttpRequest request;
    request.method = "POST";
    request.url = receiver.Url();
    const HttpResponse response = client->Send(request);
    EXPECT_EQ(response.status, 0);
    EXPECT_FALSE(response.transport_error.empty());
    EXPECT_TRUE(response.transport_error == "connection reset" ||
                response.transport_error.find("closed") != std::string::npos)
        << response.transport_error;
}

TEST(CurlHttpClientTest, UnresolvableHost) {
    auto client = MakeCurlHttpClient();
    HttpRequest request;
    request.url = "http://herald-test.invalid/";
    request.timeout = std::chrono::seconds{5};
    const HttpResponse response = client->Send(request);
    EXPECT_EQ(response.status, 0);
    EXPECT_EQ(response.transport_error, "could not resolve host herald-test.invalid");
}

TEST(CurlHttpClientTest, ReusesTheConnection) {
    WebhookReceiver receiver;
    auto client = MakeCurlHttpClient();
    HttpRequest request;
    request.url = receiver.Url();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(client->Send(request).status, 200);
    EXPECT_EQ(receiver.RequestCount(), 3u);
    EXPECT_EQ(receiver.ConnectionCount(), 1u);  // the thread's handle kept it alive
}

TEST(CurlHttpClientTest, ManyThreadsAtOnce) {
    WebhookReceiver receiver;
    auto client = MakeCurlHttpClient();
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            HttpRequest request;
            request.method = "POST";
            request.url = receiver.Url();
            request.body = "x";
            for (int i = 0; i < 10; ++i)
                if (client->Send(request).status == 200) ++ok;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 80);
}

}  // namespace
}  // namespace herald::publishers
