#pragma once
// The request and response as handlers see them: plain views and strings, so handler code
// never includes Beast. Private to src/http/.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace herald::http {

struct Request {
    std::string_view method;  // "GET", "POST", …
    std::string_view path;    // without the query string
    std::string_view query;   // after '?', still percent-encoded
    std::string_view body;
    std::string_view authorization;  // the Authorization header, or empty
    std::string_view host;           // the Host header, or empty
    std::string_view if_match;       // the If-Match header, or empty
    std::string_view remote;         // the client's address ("127.0.0.1"), or empty
    std::string_view cookie;         // the Cookie header, or empty
    std::string_view content_type;   // the Content-Type header, or empty
};

/// A long-lived text/event-stream answer. The server calls Poll on the connection's strand
/// every PollInterval (or sooner after Wake) and writes what it appends; it owns the timer
/// and the keep-alive comments, so implementations stay transport-free.
class EventStream {
public:
    virtual ~EventStream() = default;
    /// Appends zero or more complete SSE frames to `out`. May throw (the stream then ends).
    virtual void Poll(std::string& out) = 0;
};

struct Response {
    int status = 200;
    std::string body;  // JSON unless content_type says otherwise
    std::string_view content_type = "application/json";
    std::string allow;               // the Allow header of a 405
    std::string etag;                // the ETag header ("\"<version>\""), if any
    std::string_view cache_control;  // the Cache-Control header, if any
    int retry_after = 0;             // > 0: the Retry-After header (seconds)
    std::string set_cookie;          // the Set-Cookie header, if any
    bool close = false;              // close the connection after writing
    /// Set: the answer is an event stream; `body` is written first, then the stream's
    /// frames until the client goes away or the server stops.
    std::shared_ptr<EventStream> stream;
    /// Set: the answer is not ready yet (it waits on a remote call, and no thread should wait
    /// with it). The server calls this once with `respond`, which takes the final answer from
    /// any thread, exactly once.
    std::function<void(std::function<void(Response)> respond)> deferred;
};

/// Path parameters captured by the router ({id} segments), in pattern order.
struct PathParams {
    static constexpr int kMax = 2;
    int64_t values[kMax] = {0, 0};
    int size = 0;
    int64_t operator[](int i) const { return values[i]; }
};

}  // namespace herald::http
