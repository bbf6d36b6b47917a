#pragma once
// Outbound HTTP as a small interface, so publishers never see libcurl.

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

class HttpClient {
public:
    virtual ~HttpClient() = default;
    /// Performs the request, blocking the calling thread. Never throws for network or
    /// HTTP failures: they come back in the response. Thread-safe.
    virtual HttpResponse Send(const HttpRequest& request) = 0;
};

using HttpClientPtr = std::unique_ptr<HttpClient>;

/// libcurl-backed client (keeps connections alive per thread).
HttpClientPtr MakeCurlHttpClient();

}  // namespace herald::publishers
