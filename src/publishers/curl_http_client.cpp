// HttpClient over libcurl. Send: one easy handle per thread, reused across requests, so
// keep-alive connections and the DNS cache survive between publications. SendAsync: one
// event thread drives a curl multi handle, so thousands of calls can be in flight at once.

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <fmt/format.h>

#include "publishers/http_client.hpp"

namespace herald::publishers {
namespace {

// Bodies above this are cut off: publishing answers are small, and a misbehaving endpoint
// must not be able to make herald buffer gigabytes.
constexpr size_t kMaxResponseBody = size_t{8} * 1024 * 1024;
constexpr Milliseconds kMaxConnectTimeout = std::chrono::seconds{10};

void GlobalInitOnce() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

/// The calling thread's easy handle, created on first use and freed when the thread ends.
CURL* ThreadHandle() {
    struct HandleDeleter {
        void operator()(CURL* h) const { curl_easy_cleanup(h); }
    };
    thread_local std::unique_ptr<CURL, HandleDeleter> handle;
    if (!handle) {
        GlobalInitOnce();
        handle.reset(curl_easy_init());
    } else {
        // Resets options but keeps live connections and caches (that is the point).
        curl_easy_reset(handle.get());
    }
    return handle.get();
}

struct Collected {
    HttpResponse* response = nullptr;
    bool truncated = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
    auto* c = static_cast<Collected*>(user);
    const size_t n = size * count;
    std::string& body = c->response->body;
    if (body.size() + n > kMaxResponseBody) {
        body.append(data, kMaxResponseBody - body.size());
        c->truncated = true;
        return n;  // keep reading (and discarding) so the connection stays reusable
    }
    body.append(data, n);
    return n;
}

std::string Trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(first, last - first + 1));
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
    auto* c = static_cast<Collected*>(user);
    const size_t n = size * count;
    std::string_view line(data, n);
    if (line.starts_with("HTTP/")) {
        // A new response begins (e.g. after "100 Continue"): only the last one counts.
        c->response->headers.clear();
        return n;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return n;
    std::string name = Trim(line.substr(0, colon));
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    c->response->headers.emplace_back(std::move(name), Trim(line.substr(colon + 1)));
    return n;
}

std::string FormatSeconds(Milliseconds ms) {
    if (ms.count() % 1000 == 0) return fmt::format("{} s", ms.count() / 1000);
    return fmt::format("{:.1f} s", static_cast<double>(ms.count()) / 1000.0);
}

std::string HostOf(CURL* h, const std::string& url) {
    CURLU* u = curl_url();
    std::string host;
    if (u && curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
        char* part = nullptr;
        if (curl_url_get(u, CURLUPART_HOST, &part, 0) == CURLUE_OK && part) {
            host = part;
            curl_free(part);
        }
    }
    if (u) curl_url_cleanup(u);
    return host.empty() ? url : host;
}

/// Plain words for a site owner; the raw curl text is appended only where it adds detail.
std::string DescribeError(CURL* h, CURLcode code, const HttpRequest& request,
                          Milliseconds connect_timeout, const char* detail) {
    long os_errno = 0;
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT: {
            curl_off_t connected_us = 0;
            curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connected_us);
            if (connected_us == 0 && connect_timeout < request.timeout)
                return "timed out after " + FormatSeconds(connect_timeout) + " while connecting";
            return "timed out after " + FormatSeconds(request.timeout);
        }
        case CURLE_COULDNT_RESOLVE_HOST:
            return "could not resolve host " + HostOf(h, request.url);
        case CURLE_COULDNT_RESOLVE_PROXY:
            return "could not resolve the proxy host";
        case CURLE_COULDNT_CONNECT:
            if (os_errno == ECONNREFUSED) return "connection refused";
            if (os_errno == ENETUNREACH || os_errno == EHOSTUNREACH)
                return "host unreachable (" + HostOf(h, request.url) + ")";
            return "could not connect to " + HostOf(h, request.url);
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
            if (os_errno == ECONNRESET || os_errno == EPIPE) return "connection reset";
            return "connection broke while talking to the server";
        case CURLE_GOT_NOTHING:
            return "connection closed by the server without an answer";
        case CURLE_PARTIAL_FILE:
            return "connection closed before the whole answer arrived";
        case CURLE_URL_MALFORMAT:
            return "the URL '" + request.url + "' is not valid";
        case CURLE_UNSUPPORTED_PROTOCOL:
            return "the URL '" + request.url + "' does not start with http:// or https://";
        case CURLE_PEER_FAILED_VERIFICATION:
            return "the server's TLS certificate could not be verified";
        case CURLE_SSL_CONNECT_ERROR:
            return std::string("TLS handshake failed") +
                   (*detail ? std::string(": ") + detail : "");
        default:
            return std::string(*detail ? detail : curl_easy_strerror(code));
    }
}

/// Everything one exchange needs while curl works on it; owned by whoever drives `easy`.
struct Exchange {
    HttpRequest request;
    HttpResponse response;
    Collected collected{&response};
    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_slist* headers = nullptr;
    Milliseconds connect_timeout{0};
    HttpCallback done;  // async only

    Exchange() = default;
    Exchange(const Exchange&) = delete;
    Exchange& operator=(const Exchange&) = delete;
    ~Exchange() { curl_slist_free_all(headers); }
};

Milliseconds EffectiveTimeout(const HttpRequest& request, const CurlOptions& options) {
    if (options.max_timeout && *options.max_timeout < request.timeout) return *options.max_timeout;
    return request.timeout;
}

/// Sets every option of `h` for `x`. `x` must stay at its address until the call is over.
void Configure(CURL* h, Exchange& x, const CurlOptions& options) {
    const HttpRequest& request = x.request;
    x.request.timeout = EffectiveTimeout(request, options);
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    // Publishing must hit exactly the configured URL: a redirected POST would turn into
    // a GET or land somewhere the owner never named.
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // signals + threads do not mix
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    x.connect_timeout = std::min(request.timeout, kMaxConnectTimeout);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(x.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x.error_buffer);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x.collected);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x.collected);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "herald/0.1");
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // whatever curl can decode
    curl_easy_setopt(h, CURLOPT_PRIVATE, &x);

    if (request.method == "GET") {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        // POST semantics carry the body; other verbs ride on them by name.
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
        if (request.method != "POST")
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        // Set explicitly even though FOLLOWLOCATION is off: never re-POST on 301/302/303.
        curl_easy_setopt(h, CURLOPT_POSTREDIR, 0L);
    }

    for (const auto& [name, value] : request.headers)
        x.headers = curl_slist_append(x.headers, (name + ": " + value).c_str());
    // Without this curl waits for "100 Continue" before sending larger bodies, which
    // costs a round trip (or a second) against servers that never send it.
    x.headers = curl_slist_append(x.headers, "Expect:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, x.headers);
}

/// Fills x.response from the finished transfer and detaches x's buffers from `h`.
void Complete(CURL* h, CURLcode code, Exchange& x) {
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    HttpResponse& response = x.response;
    if (code != CURLE_OK) {
        response.status = 0;
        response.headers.clear();
        response.body.clear();
        response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
        response.transport_error =
            DescribeError(h, code, x.request, x.connect_timeout, x.error_buffer);
        return;
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
}

void Deliver(Exchange& x) {
    try {
        x.done(std::move(x.response));
    } catch (...) {
        // A callback must not throw; one that does must not take the event thread down.
    }
}

/// The asynchronous side: one thread, one curl multi handle, any number of transfers.
/// curl's socket interface over epoll, so each event costs work for its own socket only
/// (curl_multi_perform/poll would walk every transfer on every wake-up). Connections stay
/// alive in the multi handle's cache between transfers.
class EventLoop {
public:
    explicit EventLoop(CurlOptions options) : options_(options) {
        epoll_ = epoll_create1(EPOLL_CLOEXEC);
        wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = wake_;
        epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev);
        multi_ = curl_multi_init();
        // Keep enough idle connections that a burst to many sites reuses them next time.
        curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(kMaxIdleConnections));
        curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &EventLoop::OnSocket);
        curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
        curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &EventLoop::OnTimer);
        curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
        thread_ = std::thread([this] { Run(); });
    }

    ~EventLoop() {
        {
            std::lock_guard lock(mu_);
            stopping_ = true;
        }
        Wake();
        thread_.join();
        // Whatever never finished is answered, so no caller waits forever.
        for (auto& [easy, x] : active_) {
            curl_multi_remove_handle(multi_, easy);
            curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
            curl_easy_cleanup(easy);
            x->response = HttpResponse{};
            x->response.transport_error = "the HTTP client shut down before the answer arrived";
            Deliver(*x);
        }
        for (auto& x : pending_) {
            x->response.transport_error = "the HTTP client shut down before the call started";
            Deliver(*x);
        }
        for (CURL* easy : idle_) curl_easy_cleanup(easy);
        curl_multi_cleanup(multi_);
        close(wake_);
        close(epoll_);
    }

    void Add(HttpRequest request, HttpCallback done) {
        auto x = std::make_unique<Exchange>();
        x->request = std::move(request);
        x->done = std::move(done);
        bool was_empty;
        {
            std::lock_guard lock(mu_);
            was_empty = pending_.empty();
            pending_.push_back(std::move(x));
        }
        // One wake-up per batch: the event thread takes every pending call when it wakes.
        if (was_empty) Wake();
    }

private:
    static constexpr size_t kMaxIdleConnections = 2048;
    static constexpr size_t kMaxIdleHandles = 256;

    void Wake() {
        const uint64_t one = 1;
        [[maybe_unused]] const auto n = write(wake_, &one, sizeof one);
    }

    /// curl tells which events it wants on a socket.
    static int OnSocket(CURL*, curl_socket_t fd, int what, void* self, void*) {
        auto* loop = static_cast<EventLoop*>(self);
        if (what == CURL_POLL_REMOVE) {
            epoll_ctl(loop->epoll_, EPOLL_CTL_DEL, fd, nullptr);
            return 0;
        }
        epoll_event ev{};
        ev.data.fd = fd;
        if (what & CURL_POLL_IN) ev.events |= EPOLLIN;
        if (what & CURL_POLL_OUT) ev.events |= EPOLLOUT;
        if (epoll_ctl(loop->epoll_, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT)
            epoll_ctl(loop->epoll_, EPOLL_CTL_ADD, fd, &ev);
        return 0;
    }

    /// curl's single timer: -1 none, else due in `ms`.
    static int OnTimer(CURLM*, long ms, void* self) {
        auto* loop = static_cast<EventLoop*>(self);
        if (ms < 0)
            loop->timer_.reset();
        else
            loop->timer_ = std::chrono::steady_clock::now() + std::chrono::milliseconds{ms};
        return 0;
    }

    void Run() {
        constexpr int kMaxEvents = 256;
        epoll_event events[kMaxEvents];
        int running = 0;
        for (;;) {
            std::vector<std::unique_ptr<Exchange>> started;
            {
                std::lock_guard lock(mu_);
                if (stopping_) return;
                while (!pending_.empty()) {
                    started.push_back(std::move(pending_.front()));
                    pending_.pop_front();
                }
            }
            for (auto& x : started) Start(std::move(x));

            int wait_ms = 1000;
            if (timer_) {
                const auto left = std::chrono::ceil<std::chrono::milliseconds>(
                    *timer_ - std::chrono::steady_clock::now());
                wait_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1000));
            }
            const int n = epoll_wait(epoll_, events, kMaxEvents, wait_ms);
            for (int i = 0; i < n; ++i) {
                const int fd = events[i].data.fd;
                if (fd == wake_) {
                    uint64_t count = 0;
                    [[maybe_unused]] const auto r = read(wake_, &count, sizeof count);
                    continue;
                }
                int action = 0;
                if (events[i].events & EPOLLIN) action |= CURL_CSELECT_IN;
                if (events[i].events & EPOLLOUT) action |= CURL_CSELECT_OUT;
                if (events[i].events & (EPOLLERR | EPOLLHUP)) action |= CURL_CSELECT_ERR;
                curl_multi_socket_action(multi_, fd, action, &running);
            }
            if (timer_ && std::chrono::steady_clock::now() >= *timer_) {
                timer_.reset();  // the call may set the next one
                curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
            }
            int left = 0;
            while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
                if (msg->msg != CURLMSG_DONE) continue;
                Finish(msg->easy_handle, msg->data.result);
            }
        }
    }

    void Start(std::unique_ptr<Exchange> x) {
        CURL* easy = nullptr;
        if (!idle_.empty()) {
            easy = idle_.back();
            idle_.pop_back();
            curl_easy_reset(easy);
        } else {
            easy = curl_easy_init();
        }
        if (!easy) {
            x->response.transport_error = "could not start an HTTP call (out of memory)";
            Deliver(*x);
            return;
        }
        Configure(easy, *x, options_);
        if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
            curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
            curl_easy_cleanup(easy);
            x->response.transport_error = "could not start an HTTP call";
            Deliver(*x);
            return;
        }
        active_.emplace(easy, std::move(x));
    }

    void Finish(CURL* easy, CURLcode code) {
        auto it = active_.find(easy);
        if (it == active_.end()) return;
        std::unique_ptr<Exchange> x = std::move(it->second);
        active_.erase(it);
        curl_multi_remove_handle(multi_, easy);
        Complete(easy, code, *x);
        if (idle_.size() < kMaxIdleHandles)
            idle_.push_back(easy);
        else
            curl_easy_cleanup(easy);
        Deliver(*x);
    }

    const CurlOptions options_;
    int epoll_ = -1;
    int wake_ = -1;                                               // eventfd: new calls or shutdown
    std::optional<std::chrono::steady_clock::time_point> timer_;  // event thread only
    CURLM* multi_ = nullptr;
    std::thread thread_;
    std::mutex mu_;  // guards pending_ and stopping_
    std::deque<std::unique_ptr<Exchange>> pending_;
    bool stopping_ = false;
    // Event thread only:
    std::map<CURL*, std::unique_ptr<Exchange>> active_;
    std::vector<CURL*> idle_;
};

class CurlHttpClient final : public HttpClient {
public:
    explicit CurlHttpClient(CurlOptions options) : options_(options) { GlobalInitOnce(); }

    HttpResponse Send(const HttpRequest& request) override {
        CURL* h = ThreadHandle();
        if (!h) {
            HttpResponse response;
            response.transport_error = "could not start an HTTP call (out of memory)";
            return response;
        }
        Exchange x;
        x.request = request;
        Configure(h, x, options_);
        const CURLcode code = curl_easy_perform(h);
        Complete(h, code, x);
        return std::move(x.response);
    }

    void SendAsync(HttpRequest request, HttpCallback done) override {
        {
            std::lock_guard lock(loop_mu_);
            if (!loop_) loop_ = std::make_unique<EventLoop>(options_);
        }
        loop_->Add(std::move(request), std::move(done));
    }

private:
    const CurlOptions options_;
    std::mutex loop_mu_;
    std::unique_ptr<EventLoop> loop_;
};

}  // namespace

HttpClientPtr MakeCurlHttpClient(CurlOptions options) {
    return std::make_unique<CurlHttpClient>(options);
}

}  // namespace herald::publishers
