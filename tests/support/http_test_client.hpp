#pragma once
// A small synchronous HTTP/1.1 client for tests against a real server: keeps one
// keep-alive connection (reconnecting when the server closes it) and parses JSON answers.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace herald::testing {

struct HttpResult {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    nlohmann::json json;  // parsed body; null when empty or not JSON

    std::string Header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

class HttpTestClient {
public:
    HttpTestClient(std::string host, uint16_t port);
    ~HttpTestClient();
    HttpTestClient(const HttpTestClient&) = delete;
    HttpTestClient& operator=(const HttpTestClient&) = delete;

    /// Sent as "Authorization: Api-Key <key>" on every request; empty: no header.
    void SetApiKey(std::string key) { api_key_ = std::move(key); }

    HttpResult Get(const std::string& target) { return Send("GET", target, ""); }
    HttpResult Delete(const std::string& target) { return Send("DELETE", target, ""); }
    HttpResult Post(const std::string& target, const nlohmann::json& body) {
        return Send("POST", target, body.dump());
    }
    HttpResult Patch(const std::string& target, const nlohmann::json& body) {
        return Send("PATCH", target, body.dump());
    }
    HttpResult Put(const std::string& target, const nlohmann::json& body) {
        return Send("PUT", target, body.dump());
    }

    /// Any method with a raw body (sent as application/json when non-empty) and extra headers.
    HttpResult Send(const std::string& method, const std::string& target, std::string body,
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

    /// Writes `raw` bytes on a fresh connection and reads `responses` answers from it
    /// (for pipelining and malformed-request tests).
    std::vector<HttpResult> SendRaw(const std::string& raw, int responses);

    /// TCP connections opened so far.
    int connections() const { return connections_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string host_;
    uint16_t port_;
    std::string api_key_;
    int connections_ = 0;
};

}  // namespace herald::testing
