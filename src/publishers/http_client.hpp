#pragma once
// Outbound HTTP as a small interface, so publishers never see libcurl.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/time.hpp"

namespace herald::publishers {

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    Milliseconds timeout = std::chrono::seconds{30};
};

struct HttpResponse {
    int status = 0;  // 0: no HTTP answer (see transport_error)
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string body;
    std::string transport_error;  // connect refused, reset, DNS, TLS … in words
    bool timed_out = false;

    /// First header with that (lower-case) name, or nullopt.
    std::optional<std::string> Header(std::string_view lower_name) const {
        for (const auto& [name, value] : headers)
            if (name == lower_name) return value;
        return std::nullopt;
    }
};

/// Receives the answer of an asynchronous request. Runs on the client's event thread, so it
/// must return quickly (hand the work to another thread) and must not call Send on it.
using HttpCallback = std::function<void(HttpResponse)>;

class HttpClient {
public:
    virtual ~HttpClient() = default;
    /// Performs the request, blocking the calling thread. Never throws for network or
    /// HTTP failures: they come back in the response. Thread-safe.
    virtual HttpResponse Send(const HttpRequest& request) = 0;
    /// Starts the request and returns at once; `done` gets the response exactly once (also
    /// for failures, and with a transport_error if the client is destroyed first).
    /// Thread-safe. This default blocks on Send; the libcurl client multiplexes instead.
    // Sink parameters: the libcurl client keeps both until the transfer ends; only this
    // blocking default does not need to.
    // NOLINTNEXTLINE(performance-unnecessary-value-param)
    virtual void SendAsync(HttpRequest request, HttpCallback done) { done(Send(request)); }
};

using HttpClientPtr = std::unique_ptr<HttpClient>;

struct CurlOptions {
    /// When set, no request may take longer than this, whatever it asks for (an operator's
    /// cap, e.g. `herald serve --request-timeout-ms`).
    std::optional<Milliseconds> max_timeout;
};

/// libcurl-backed client: Send keeps connections alive per thread; SendAsync drives every
/// asynchronous request from one event thread over curl_multi (started on first use).
HttpClientPtr MakeCurlHttpClient(CurlOptions options = {});

}  // namespace herald::publishers
