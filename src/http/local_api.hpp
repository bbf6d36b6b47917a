#pragma once
// The API's own handlers called in-process, for herald's command line: the CLI acts as the
// local administrator (no API key), names the account each call is for, and gets the very
// JSON bodies the HTTP API answers, so both share one write path and one set of serialisers.

#include <memory>
#include <string>
#include <string_view>

#include "domain/model.hpp"
#include "http/api_server.hpp"

namespace herald::http {

class Api;

class LocalApi {
public:
    explicit LocalApi(AppContext context);
    ~LocalApi();
    LocalApi(const LocalApi&) = delete;
    LocalApi& operator=(const LocalApi&) = delete;

    struct Answer {
        int status = 0;
        std::string body;  // the API's JSON (an error body {"error": …} when not 2xx)
        bool ok() const { return status >= 200 && status < 300; }
    };

    /// One API call (`path` as routed, e.g. "/api/v1/sites/", `query` without '?') for
    /// `account`; blocks until the answer is known (publish-now waits for its attempt).
    /// `content_type`: the body's Content-Type header (imports); empty for JSON.
    Answer Call(domain::AccountId account, std::string_view method, std::string_view path,
                std::string_view query = {}, std::string_view body = {},
                std::string_view content_type = {});

private:
    std::unique_ptr<Api> api_;
};

}  // namespace herald::http
