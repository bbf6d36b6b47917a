#include "support/webhook_receiver.hpp"

#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include <sodium.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace herald::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::optional<std::string> DecodeBase64(std::string_view text) {
    std::string out(text.size(), '\0');
    size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                          text.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    out.resize(len);
    return out;
}

std::string EncodeBase64(const unsigned char* data, size_t size) {
    std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);
    return out;
}

}  // namespace

std::optional<std::string> ReceivedRequest::Header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers)
        if (name == lower_name) return value;
    return std::nullopt;
}

bool WebhookReceiver::VerifySignature(std::string_view secret, std::string_view msg_id,
                                      std::string_view timestamp, std::string_view body,
                                      std::string_view signature_header) {
    if (sodium_init() < 0) return false;
    std::string key(secret);
    if (secret.starts_with("whsec_")) {
        auto decoded = DecodeBase64(secret.substr(6));
        if (!decoded) return false;
        key = *decoded;
    }
    int64_t ts = 0;
    try {
        ts = std::stoll(std::string(timestamp));
    } catch (...) {
        return false;
    }
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    if (std::llabs(now - ts) > 300) return false;

    const std::string signed_text =
        std::string(msg_id) + "." + std::string(timestamp) + "." + std::string(body);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                                key.size());
    crypto_auth_hmacsha256_update(
        &state, reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size());
    crypto_auth_hmacsha256_final(&state, mac);
    const std::string expected = EncodeBase64(mac, sizeof mac);

    // The header may carry several space-separated "version,signature" entries.
    size_t pos = 0;
    while (pos < signature_header.size()) {
        size_t end = signature_header.find(' ', pos);
        if (end == std::string_view::npos) end = signature_header.size();
        const std::string_view entry = signature_header.substr(pos, end - pos);
        if (entry.starts_with("v1,") && entry.substr(3).size() == expected.size() &&
            sodium_memcmp(entry.data() + 3, expected.data(), expected.size()) == 0)
            return true;
        pos = end + 1;
    }
    return false;
}

struct WebhookReceiver::Impl {
    std::string secret;
    asio::io_context io;
    tcp::acceptor acceptor{io};
    uint16_t port = 0;
    std::thread accept_thread;

    mutable std::mutex mu;
    mutable std::condition_variable changed;
    bool stopping = false;
    std::vector<std::thread> connections;
    std::set<int> open_fds;
    size_t accepted = 0;
    std::vector<ReceivedRequest> requests;
    std::map<std::string, int> counts;
    std::map<std::string, int> post_numbers;  // webhook-id → N of "post-N"
    std::deque<ReceiverReply> queued;
    ReceiverReply default_reply;
    std::function<std::optional<ReceiverReply>(const ReceivedRequest&)> handler;

    void AcceptLoop() {
        for (;;) {
            tcp::socket socket{io};
            beast::error_code ec;
            acceptor.accept(socket, ec);
            std::lock_guard lock(mu);
            if (stopping) return;
            if (ec) continue;
            ++accepted;
            open_fds.insert(socket.native_handle());
            connections.emplace_back(
                [this, s = std::move(socket)]() mutable { Serve(std::move(s)); });
        }
    }

    ReceiverReply Choose(const ReceivedRequest& request) {
        if (!queued.empty()) {
            ReceiverReply reply = std::move(queued.front());
            queued.pop_front();
            return reply;
        }
        if (handler) {
            if (auto reply = handler(request)) return *reply;
        }
        return default_reply;
    }

    void Serve(tcp::socket socket) {
        const int fd = socket.native_handle();
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(64 * 1024 * 1024);
            beast::error_code ec;
            http::read(socket, buffer, parser, ec);
            if (ec) break;
            const auto& req = parser.get();

            ReceivedRequest received;
            received.method = std::string(req.method_string());
            received.target = std::string(req.target());
            for (const auto& field : req) {
                std::string name(field.name_string());
                for (char& c : name)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                received.headers.emplace_back(std::move(name), std::string(field.value()));
            }
            received.body = req.body();
            received.webhook_id = received.Header("webhook-id").value_or("");
            received.signature_valid = VerifySignature(
                secret, received.webhook_id, received.Header("webhook-timestamp").value_or(""),
                received.body, received.Header("webhook-signature").value_or(""));
            received.received_at = std::chrono::system_clock::now();

            ReceiverReply reply;
            std::string reply_body;
            {
                std::unique_lock lock(mu);
                reply = Choose(received);
                if (!reply.body) {
                    auto [it, inserted] = post_numbers.try_emplace(
                        received.webhook_id, static_cast<int>(post_numbers.size()) + 1);
                    const std::string id = "post-" + std::to_string(it->second);
                    reply_body = nlohmann::json{
                        {"id", id},
                        {"url",
                         "http://127.0.0.1:" + std::to_string(port) + "/posts/" +
                             id}}.dump();
                } else {
                    reply_body = *reply.body;
                }
                ++counts[received.webhook_id];
                requests.push_back(received);
                changed.notify_all();
                if (reply.delay.count() > 0) {
                    changed.wait_for(lock, reply.delay, [this] { return stopping; });
                    if (stopping) break;
                }
            }
            if (reply.drop_connection) {
                // Linger 0 makes close() send a reset: the client sees "connection reset".
                socket.set_option(asio::socket_base::linger(true, 0), ec);
                break;
            }
            http::response<http::string_body> res{static_cast<http::status>(reply.status),
                                                  req.version()};
            res.set(http::field::server, "herald-test-receiver");
            res.set(http::field::content_type, "application/json");
            if (reply.retry_after) res.set(http::field::retry_after, *reply.retry_after);
            for (const auto& [name, value] : reply.headers) res.set(name, value);
            res.body() = reply_body;
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            http::write(socket, res, ec);
            if (ec || !req.keep_alive()) break;
        }
        std::lock_guard lock(mu);
        open_fds.erase(fd);
        beast::error_code ignored;
        socket.close(ignored);
    }
};

WebhookReceiver::WebhookReceiver(std::string secret) : impl_(std::make_unique<Impl>()) {
    impl_->secret = std::move(secret);
    tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), 0};
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    impl_->accept_thread = std::thread([this] { impl_->AcceptLoop(); });
}

WebhookReceiver::~WebhookReceiver() {
    {
        std::lock_guard lock(impl_->mu);
        impl_->stopping = true;
        // Wake blocked reads; the connection thread closes its own socket.
        for (int fd : impl_->open_fds) ::shutdown(fd, SHUT_RDWR);
        impl_->changed.notify_all();
    }
    {
        // Wake the blocked accept() with one last connection.
        asio::io_context io;
        tcp::socket poke{io};
        beast::error_code ignored;
        poke.connect({asio::ip::make_address("127.0.0.1"), impl_->port}, ignored);
        impl_->accept_thread.join();
    }
    std::vector<std::thread> connections;
    {
        std::lock_guard lock(impl_->mu);
        connections.swap(impl_->connections);
    }
    for (auto& t : connections) t.join();
}

uint16_t WebhookReceiver::port() const { return impl_->port; }
const std::string& WebhookReceiver::secret() const { return impl_->secret; }

std::string WebhookReceiver::Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(impl_->port) + std::string(path);
}

void WebhookReceiver::SetDefaultReply(ReceiverReply reply) {
    std::lock_guard lock(impl_->mu);
    impl_->default_reply = std::move(reply);
}

void WebhookReceiver::EnqueueReply(ReceiverReply reply) {
    std::lock_guard lock(impl_->mu);
    impl_->queued.push_back(std::move(reply));
}

void WebhookReceiver::SetHandler(
    std::function<std::optional<ReceiverReply>(const ReceivedRequest&)> handler) {
    std::lock_guard lock(impl_->mu);
    impl_->handler = std::move(handler);
}

std::vector<ReceivedRequest> WebhookReceiver::Requests() const {
    std::lock_guard lock(impl_->mu);
    return impl_->requests;
}

size_t WebhookReceiver::RequestCount() const {
    std::lock_guard lock(impl_->mu);
    return impl_->requests.size();
}

size_t WebhookReceiver::ConnectionCount() const {
    std::lock_guard lock(impl_->mu);
    return impl_->accepted;
}

std::map<std::string, int> WebhookReceiver::CountsByWebhookId() const {
    std::lock_guard lock(impl_->mu);
    return impl_->counts;
}

bool WebhookReceiver::WaitForRequests(size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(impl_->mu);
    return impl_->changed.wait_for(lock, timeout, [&] { return impl_->requests.size() >= n; });
}

}  // namespace herald::testing
