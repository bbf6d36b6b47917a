// ApiServer on Boost.Beast: one strand per connection, requests handled in order
// (pipelining-safe), keep-alive, body/header limits, idle timeout and a graceful Stop().
// The only file that sees Beast.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <list>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/api.hpp"
#include "http/api_server.hpp"
#include "http/errors.hpp"
#include "http/request_parsing.hpp"

namespace herald::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr auto kIdleTimeout = std::chrono::seconds{60};
constexpr auto kWriteTimeout = std::chrono::seconds{30};
constexpr auto kDrainTimeout = std::chrono::seconds{2};
constexpr size_t kDrainLimit = size_t{64} * 1024 * 1024;
constexpr int kBlockingThreads = 8;  // publish-now / test-connection wait on remote platforms
// Event streams: how often they poll, and the comment that keeps proxies and the browser's
// EventSource from timing the connection out.
constexpr auto kStreamPoll = std::chrono::seconds{1};
constexpr auto kStreamKeepAlive = std::chrono::seconds{15};

/// The address to listen on: a literal, or a name ("localhost") resolved; of a name's
/// addresses the IPv4 one is preferred, since that is what "http://localhost:…" reaches
/// first in most clients.
net::ip::address ListenAddress(net::io_context& ioc, const std::string& host) {
    beast::error_code ec;
    auto address = net::ip::make_address(host, ec);
    if (!ec) return address;
    tcp::resolver resolver(ioc);
    const auto results = resolver.resolve(host, "", ec);
    if (ec || results.empty())
        throw std::runtime_error("cannot listen on '" + host + "': the name does not resolve (" +
                                 (ec ? ec.message() : "no address") + ")");
    for (const auto& result : results)
        if (result.endpoint().address().is_v4()) return result.endpoint().address();
    return results.begin()->endpoint().address();
}

}  // namespace

class Session;

// Everything the server owns; Sessions refer to it (ApiServer::Impl is private).
struct ServerCore {
    ServerCore(ServerSettings s, AppContext context)
        : settings(std::move(s)), api(context, settings) {}

    // Declared before the io_context so they outlive the handlers it destroys.
    std::mutex sessions_mutex;
    std::condition_variable sessions_gone;
    std::list<std::weak_ptr<Session>> sessions;

    ServerSettings settings;
    Api api;
    net::io_context ioc{std::max(1, settings.threads)};
    tcp::acceptor acceptor{net::make_strand(ioc)};
    net::steady_timer accept_retry{acceptor.get_executor()};
    net::thread_pool blocking{kBlockingThreads};
    std::vector<std::thread> threads;
    uint16_t port = 0;
    bool started = false;
    std::atomic<bool> stopping{false};

    void Accept();
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket&& socket, ServerCore& server)
        : stream_(std::move(socket)), server_(server) {
        beast::error_code ec;
        const auto endpoint = stream_.socket().remote_endpoint(ec);
        if (!ec) {
            auto address = endpoint.address();
            if (address.is_v6() && address.to_v6().is_v4_mapped())
                address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
            remote_ = address.to_string();
        }
    }

    ~Session() {
        std::lock_guard lock(server_.sessions_mutex);
        server_.sessions.erase(registration_);
        if (server_.sessions.empty()) server_.sessions_gone.notify_all();
    }

    void Start() {
        {
            std::lock_guard lock(server_.sessions_mutex);
            registration_ = server_.sessions.insert(server_.sessions.end(), weak_from_this());
        }
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
    }

    /// From any thread: finish the request in hand (if any), then close.
    void Close() {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            self->closing_ = true;
            if (self->stream_source_) return self->EndStream();
            if (!self->busy_) {
                beast::error_code ec;
                self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
                self->stream_.close();
            }
        });
    }

private:
    void ReadHeader() {
        busy_ = false;
        if (closing_) return Shutdown();
        parser_.emplace();
        // Beast refuses a Content-Length over the limit as the header ends, so the header is
        // read under the largest limit of any route; OnHeader narrows it to the route's.
        ConfigureParser(*parser_, server_.api.LargestBodyLimit(server_.settings.max_body_bytes));
        stream_.expires_after(kIdleTimeout);
        bhttp::async_read_header(stream_, buffer_, *parser_,
                                 beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
    }

    void OnHeader(beast::error_code ec, size_t) {
        busy_ = true;
        if (ec) return OnReadError(ec);
        version_ = parser_->get().version();
        if (!FramingIsUnambiguous(parser_->get())) {
            return WriteError(400, "bad_request",
                              "Transfer-Encoding must end in 'chunked' and may not come with "
                              "Content-Length.");
        }
        // A route may take larger bodies than the server's default (bulk imports).
        size_t limit = server_.settings.max_body_bytes;
        if (const Api::Match route = server_.api.Find(ViewOf(parser_->get(), remote_));
            route.route && route.route->options.max_body_bytes > 0) {
            limit = route.route->options.max_body_bytes;
        }
        parser_->body_limit(limit);  // chunked bodies: checked as they arrive
        if (const auto length = parser_->content_length(); length && *length > limit)
            return OnReadError(bhttp::error::body_limit);
        // Clients such as curl wait for this before sending a large body.
        const auto expect = parser_->get()[bhttp::field::expect];
        if (!parser_->is_done() &&
            EqualsIgnoringCase({expect.data(), expect.size()}, "100-continue")) {
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                                 if (ec) return self->stream_.close();
                                 self->ReadBody();
                             });
            return;
        }
        ReadBody();
    }

    void ReadBody() {
        if (parser_->is_done()) return Handle();
        stream_.expires_after(kIdleTimeout);
        bhttp::async_read(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::OnBody, shared_from_this()));
    }

    void OnBody(beast::error_code ec, size_t) {
        if (ec) return OnReadError(ec);
        Handle();
    }

    void OnReadError(beast::error_code ec) {
        if (ec == bhttp::error::end_of_stream) return Shutdown();
        if (ec == bhttp::error::body_limit) {
            return WriteError(413, "payload_too_large",
                              "The request body is larger than this server accepts.");
        }
        if (ec == bhttp::error::header_limit) {
            return WriteError(431, "headers_too_large", "The request headers are too large.");
        }
        if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
            return WriteError(400, "bad_request", "The request is not valid HTTP/1.1.");
        }
        // Timeouts, resets, aborts from Stop(): nothing to answer.
        stream_.close();
    }

    void WriteError(int status, std::string_view code, std::string_view message) {
        Response response = ErrorResponse(status, code, message);
        response.close = true;
        drain_after_write_ = true;  // the unread body must not turn our close into a reset
        Write(std::move(response));
    }

    void Handle() {
        request_ = parser_->release();
        view_ = ViewOf(request_, remote_);
        Api::Match match = server_.api.Find(view_);
        if (match.route && match.route->options.blocking) {
            net::post(server_.blocking, [self = shared_from_this(), match = std::move(match)] {
                Response response = self->server_.api.Handle(self->view_, match);
                net::post(self->stream_.get_executor(),
                          [self, response = std::move(response)]() mutable {
                              self->Write(std::move(response));
                          });
            });
            return;
        }
        Write(server_.api.Handle(view_, match));
    }

    void Write(Response&& response) {
        if (response.deferred) {
            auto start = std::move(response.deferred);
            start([self = shared_from_this()](Response answer) {
                net::post(self->stream_.get_executor(),
                          [self, answer = std::move(answer)]() mutable {
                              self->Write(std::move(answer));
                          });
            });
            return;
        }
        if (response.stream) return StartStream(std::move(response));
        keep_alive_ = !response.close && !closing_ && !server_.stopping && request_.keep_alive();
        response_ = {};
        response_.version(version_);
        response_.result(static_cast<unsigned>(response.status));
        response_.set(bhttp::field::server, "herald");
        if (!response.body.empty()) {
            response_.set(
                bhttp::field::content_type,
                beast::string_view(response.content_type.data(), response.content_type.size()));
        }
        if (!response.allow.empty()) response_.set(bhttp::field::allow, response.allow);
        if (!response.etag.empty()) response_.set(bhttp::field::etag, response.etag);
        if (response.retry_after > 0)
            response_.set(bhttp::field::retry_after, std::to_string(response.retry_after));
        if (!response.set_cookie.empty())
            response_.set(bhttp::field::set_cookie, response.set_cookie);
        if (!response.cache_control.empty()) {
            response_.set(
                bhttp::field::cache_control,
                beast::string_view(response.cache_control.data(), response.cache_control.size()));
        }
        response_.body() = std::move(response.body);
        response_.keep_alive(keep_alive_);
        response_.prepare_payload();
        stream_.expires_after(kWriteTimeout);
        bhttp::async_write(stream_, response_,
                           beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
    }

    void OnWrite(beast::error_code ec, size_t) {
        if (ec) return stream_.close();
        if (drain_after_write_) return Drain();
        if (!keep_alive_) return Shutdown();
        request_ = {};
        ReadHeader();
    }

    // --- event streams (SSE) ------------------------------------------------------------
    // After the head, the connection only carries frames until either side closes it: the
    // body is delimited by the close (no chunking), and nothing else is read from it. All of
    // it runs on this connection's strand except Poll, which may touch the database and so
    // runs on the blocking pool; a timer per stream drives it.

    void StartStream(Response&& response) {
        stream_source_ = std::move(response.stream);
        stream_.expires_never();  // our own timer watches writes from here on
        std::string head = version_ == 10 ? "HTTP/1.0 200 OK\r\n" : "HTTP/1.1 200 OK\r\n";
        head +=
            "Server: herald\r\nContent-Type: text/event-stream\r\n"
            "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\n";
        head += response.body;
        WriteFrames(std::move(head));
        WatchForClose();
        ScheduleTick();
    }

    void WriteFrames(std::string frames) {
        if (writing_) {  // queue behind the write in flight; Tick ends a stuck one
            pending_out_ += frames;
            return;
        }
        stream_out_ = std::move(frames);
        writing_ = true;
        write_started_ = std::chrono::steady_clock::now();
        net::async_write(
            stream_.socket(), net::buffer(stream_out_),
            net::bind_executor(stream_.get_executor(),
                               [self = shared_from_this()](beast::error_code ec, size_t) {
                                   self->writing_ = false;
                                   if (ec) return self->EndStream();
                                   self->last_write_ = std::chrono::steady_clock::now();
                                   if (!self->pending_out_.empty()) {
                                       self->WriteFrames(std::exchange(self->pending_out_, {}));
                                   }
                               }));
    }

    // The client sends nothing more on an event stream; a read completing means it left.
    void WatchForClose() {
        drain_buffer_.resize(512);
        stream_.socket().async_read_some(
            net::buffer(drain_buffer_),
            net::bind_executor(stream_.get_executor(),
                               [self = shared_from_this()](beast::error_code ec, size_t) {
                                   if (ec) return self->EndStream();
                                   self->WatchForClose();
                               }));
    }

    void ScheduleTick() {
        if (stream_ended_) return;
        if (!timer_) timer_.emplace(stream_.get_executor());
        timer_->expires_after(kStreamPoll);
        timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec) self->Tick();
        });
    }

    void Tick() {
        if (stream_ended_ || closing_) return EndStream();
        const auto now = std::chrono::steady_clock::now();
        if (writing_ && now - write_started_ > kWriteTimeout) return EndStream();
        if (polling_) return ScheduleTick();
        polling_ = true;
        net::post(server_.blocking, [self = shared_from_this()] {
            std::string out;
            bool ok = true;
            try {
                self->stream_source_->Poll(out);
            } catch (const std::exception& e) {
                spdlog::warn("event stream ended: {}", e.what());
                ok = false;
            }
            net::post(self->stream_.get_executor(), [self, ok, out = std::move(out)]() mutable {
                self->polling_ = false;
                if (!ok || self->stream_ended_) return self->EndStream();
                if (out.empty() &&
                    std::chrono::steady_clock::now() - self->last_write_ >= kStreamKeepAlive) {
                    out = ": keep-alive\n\n";
                }
                if (!out.empty()) self->WriteFrames(std::move(out));
                self->ScheduleTick();
            });
        });
    }

    void EndStream() {
        if (stream_ended_) return;
        stream_ended_ = true;
        if (timer_) timer_->cancel();
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.socket().close(ignored);
    }

    // Lingering close: stop sending, read and discard what the client still sends for a
    // while, so the kernel does not answer unread data with a reset that eats our reply.
    void Drain() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.expires_after(kDrainTimeout);
        drain_buffer_.resize(size_t{16} * 1024);
        DrainSome();
    }

    void DrainSome() {
        stream_.async_read_some(net::buffer(drain_buffer_),
                                [self = shared_from_this()](beast::error_code ec, size_t n) {
                                    self->drained_ += n;
                                    if (ec || self->drained_ > kDrainLimit) {
                                        return self->stream_.close();
                                    }
                                    self->DrainSome();
                                });
    }

    void Shutdown() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.close();
    }

    beast::tcp_stream stream_;
    ServerCore& server_;
    std::list<std::weak_ptr<Session>>::iterator registration_;
    beast::flat_buffer buffer_;
    std::optional<RequestParser> parser_;
    bhttp::request<bhttp::string_body> request_;
    bhttp::response<bhttp::string_body> response_;
    Request view_;
    std::string remote_;  // the client's address, for the failed-authentication limit
    unsigned version_ = 11;
    bool busy_ = false;     // a request is being handled or answered
    bool closing_ = false;  // Stop() asked; close after the current answer
    bool keep_alive_ = true;
    bool drain_after_write_ = false;
    std::vector<char> drain_buffer_;
    size_t drained_ = 0;
    // Event stream state (StartStream on).
    std::shared_ptr<EventStream> stream_source_;
    std::optional<net::steady_timer> timer_;
    std::string stream_out_;
    std::string pending_out_;
    bool writing_ = false;
    bool polling_ = false;
    bool stream_ended_ = false;
    std::chrono::steady_clock::time_point write_started_{};
    std::chrono::steady_clock::time_point last_write_ = std::chrono::steady_clock::now();
};

void ServerCore::Accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
        if (ec) {
            // Usually out of file descriptors: back off instead of spinning.
            spdlog::warn("accept failed: {}", ec.message());
            accept_retry.expires_after(std::chrono::milliseconds{100});
            accept_retry.async_wait([this](beast::error_code wait_ec) {
                if (!wait_ec) Accept();
            });
            return;
        }
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<Session>(std::move(socket), *this)->Start();
        Accept();
    });
}

struct ApiServer::Impl : ServerCore {
    using ServerCore::ServerCore;
};

ApiServer::ApiServer(ServerSettings settings, AppContext context)
    : impl_(std::make_unique<Impl>(std::move(settings), context)) {}

ApiServer::~ApiServer() { Stop(); }

void ApiServer::Start() {
    Impl& s = *impl_;
    if (s.started) return;
    beast::error_code ec;
    const tcp::endpoint endpoint{ListenAddress(s.ioc, s.settings.host), s.settings.port};
    s.acceptor.open(endpoint.protocol(), ec);
    if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) s.acceptor.bind(endpoint, ec);
    if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        throw std::runtime_error("cannot listen on " + s.settings.host + ":" +
                                 std::to_string(s.settings.port) + ": " + ec.message());
    }
    s.port = s.acceptor.local_endpoint().port();
    s.started = true;
    s.Accept();
    const int threads = std::max(1, s.settings.threads);
    s.threads.reserve(threads);
    for (int i = 0; i < threads; ++i) {
        s.threads.emplace_back([&s] {
            for (;;) {
                try {
                    s.ioc.run();
                    return;
                } catch (const std::exception& e) {  // a handler bug must not kill the server
                    spdlog::error("HTTP I/O thread caught: {}", e.what());
                }
            }
        });
    }
}

uint16_t ApiServer::Port() const { return impl_->port; }

void ApiServer::Stop() {
    Impl& s = *impl_;
    if (!s.started || s.stopping.exchange(true)) return;
    net::post(s.acceptor.get_executor(), [&s] {
        beast::error_code ignored;
        s.acceptor.close(ignored);
        s.accept_retry.cancel();
    });
    std::vector<std::shared_ptr<Session>> live;
    {
        std::lock_guard lock(s.sessions_mutex);
        for (auto& weak : s.sessions)
            if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    for (auto& session : live) session->Close();
    live.clear();
    s.blocking.join();  // remote calls in flight finish and queue their answers
    {
        std::unique_lock lock(s.sessions_mutex);
        s.sessions_gone.wait_for(lock, std::chrono::seconds{3},
                                 [&s] { return s.sessions.empty(); });
    }
    s.ioc.stop();
    for (auto& thread : s.threads) thread.join();
    s.threads.clear();
}

}  // namespace herald::http
