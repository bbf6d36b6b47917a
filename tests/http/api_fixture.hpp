#pragma once
// The fixture every API test uses: the real ApiServer on 127.0.0.1 (port 0) over a real
// SQLite store in a temp dir, a settable clock, the real publishers (custom → a loopback
// webhook receiver) and dispatcher, and a real HTTP client holding account A's key.

#include <atomic>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "dispatch/dispatcher.hpp"
#include "http/api_keys.hpp"
#include "http/api_server.hpp"
#include "publishers/http_client.hpp"
#include "publishers/publisher.hpp"
#include "storage/store.hpp"
#include "support/api_builders.hpp"
#include "support/backends.hpp"
#include "support/http_test_client.hpp"
#include "support/temp_dir.hpp"

namespace herald::testing {

using nlohmann::json;

/// A clock tests move by hand.
class ManualClock final : public TimeSource {
public:
    explicit ManualClock(TimePoint now) : millis_(ToUnixMillis(now)) {}
    TimePoint Now() const override { return FromUnixMillis(millis_.load()); }
    void Set(TimePoint t) { millis_ = ToUnixMillis(t); }

private:
    std::atomic<int64_t> millis_;
};

inline TimePoint Iso(std::string_view text) { return *ParseIso(text); }

/// Parameterised by database backend (support/backends.hpp): each TEST_P runs on each.
class ApiTest : public ::testing::TestWithParam<std::string> {
protected:
    static constexpr const char* kNow = "2026-01-20T12:00:00Z";

    void SetUp() override { StartServer(http::ServerSettings{}); }

    void StartServer(http::ServerSettings settings) {
        db_ = std::make_unique<BackendDatabase>(GetParam());
        store_ = storage::OpenStore(db_->url());
        key_a_ = http::GenerateApiKey();
        key_b_ = http::GenerateApiKey();
        account_a_ = store_->CreateAccount("alice", http::HashApiKey(key_a_), clock_.Now());
        account_b_ = store_->CreateAccount("bob", http::HashApiKey(key_b_), clock_.Now());
        http_ = publishers::MakeCurlHttpClient();
        registry_ = std::make_unique<publishers::PublisherRegistry>(
            publishers::MakeDefaultPublishers(*http_));
        dispatch::DispatchSettings dispatch_settings;
        dispatch_settings.retry.max_attempts = 1;
        dispatcher_ =
            std::make_unique<dispatch::Dispatcher>(*store_, *registry_, clock_, dispatch_settings);
        settings.host = "127.0.0.1";
        settings.port = 0;
        server_ = std::make_unique<http::ApiServer>(
            settings, http::AppContext{*store_, clock_, *registry_, dispatcher_.get(), nullptr});
        server_->Start();
        client_ = NewClient(key_a_);
    }

    void TearDown() override {
        client_.reset();
        if (server_) server_->Stop();
        server_.reset();
        dispatcher_.reset();
    }

    std::unique_ptr<HttpTestClient> NewClient(const std::string& key) {
        auto client = std::make_unique<HttpTestClient>("127.0.0.1", server_->Port());
        client->SetApiKey(key);
        return client;
    }

    /// Creates a site as account A (or with `client`), returns its JSON.
    json MakeSite(json overrides = json::object(), HttpTestClient* client = nullptr) {
        const json body = herald::testing::CustomSiteBody("Blog", "https://hooks.example.com/in",
                                                          "secret-key", overrides);
        auto res = (client ? client : client_.get())->Post("/api/v1/sites/", body);
        EXPECT_EQ(res.status, 201) << res.body;
        return res.json;
    }

    json MakeContent(int64_t site_id, json overrides = json::object(),
                     HttpTestClient* client = nullptr) {
        const json body = herald::testing::ContentBody(site_id, "Hello", "<p>Hi</p>", overrides);
        auto res = (client ? client : client_.get())->Post("/api/v1/writer/content/", body);
        EXPECT_EQ(res.status, 201) << res.body;
        // The item as a GET shows it: "warnings" (duplicates) belong to the write's answer.
        EXPECT_TRUE(res.json.contains("warnings")) << res.body;
        res.json.erase("warnings");
        return res.json;
    }

    static std::string ContentPath(const json& content, const std::string& suffix = "") {
        return "/api/v1/writer/content/" + std::to_string(content["id"].get<int64_t>()) + "/" +
               suffix;
    }
    static std::string SitePath(const json& site, const std::string& suffix = "") {
        return "/api/v1/sites/" + std::to_string(site["id"].get<int64_t>()) + "/" + suffix;
    }

    /// Asserts the standard error body and returns its code.
    static void ExpectError(const HttpResult& res, int status, const std::string& code,
                            const json& field = nullptr) {
        EXPECT_EQ(res.status, status) << res.body;
        ASSERT_TRUE(res.json.is_object()) << res.body;
        ASSERT_TRUE(res.json.contains("error")) << res.body;
        const json& error = res.json["error"];
        EXPECT_EQ(error.size(), 3u) << res.body;
        EXPECT_EQ(error.value("code", ""), code) << res.body;
        EXPECT_TRUE(error["message"].is_string() && !error["message"].get<std::string>().empty())
            << res.body;
        EXPECT_EQ(error["field"], field) << res.body;
    }

    TempDir dir_;
    std::unique_ptr<BackendDatabase> db_;
    ManualClock clock_{Iso(kNow)};
    storage::StorePtr store_;
    std::string key_a_, key_b_;
    domain::AccountId account_a_ = 0, account_b_ = 0;
    publishers::HttpClientPtr http_;
    std::unique_ptr<publishers::PublisherRegistry> registry_;
    std::unique_ptr<dispatch::Dispatcher> dispatcher_;
    std::unique_ptr<http::ApiServer> server_;
    std::unique_ptr<HttpTestClient> client_;
};

}  // namespace herald::testing
