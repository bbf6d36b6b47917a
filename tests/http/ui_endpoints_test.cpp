// The endpoints the web UI relies on beyond API.md: slot states with limits, the per-site
// slot scheduler run, the live event stream, published_* filters, static files with SPA
// fallback, /metrics and the --demo receiver.

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "http/api_fixture.hpp"

namespace herald::testing {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

/// A raw connection reading an event stream until a predicate holds or time runs out.
class SseReader {
public:
    SseReader(uint16_t port, const std::string& target, const std::string& headers = "") {
        socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
                                    "Accept: text/event-stream\r\n\r\n";
        net::write(socket_, net::buffer(request));
        socket_.non_blocking(true);
    }

    /// Reads until `text` appears in what was received (true) or `timeout` passes.
    bool WaitFor(const std::string& text, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (received_.find(text) == std::string::npos) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            char buffer[4096];
            boost::system::error_code ec;
            const size_t n = socket_.read_some(net::buffer(buffer), ec);
            if (ec == net::error::would_block) {
                // Nothing to read yet: the polling interval of this wait, not a sync.
                std::this_thread::sleep_for(std::chrono::milliseconds{20});
                continue;
            }
            if (ec) return received_.find(text) != std::string::npos;
            received_.append(buffer, n);
        }
        return true;
    }

    const std::string& received() const { return received_; }

private:
    net::io_context ioc_;
    tcp::socket socket_{ioc_};
    std::string received_;
};

class UiEndpointsTest : public ApiTest {
protected:
    void SetUp() override {
        web_root_ = dir_.File("web");
        std::filesystem::create_directories(web_root_);
        std::ofstream(web_root_ + "/index.html")
            << "<!doctype html><html><head><title>herald</title></head><body></body></html>";
        std::ofstream(web_root_ + "/app.js") << "console.log('hi');";
        http::ServerSettings settings;
        settings.web_root = web_root_;
        settings.demo_receiver = true;
        StartServer(settings);
    }

    std::string web_root_;
};

TEST_P(UiEndpointsTest, SlotsAreFreeTakenOrFullByLimit) {
    const json site = MakeSite();
    ASSERT_EQ(client_
                  ->Put(SitePath(site, "publishing-settings/"),
                        {{"publish_days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                         {"publish_time_slots", {"09:00", "14:00"}},
                         {"daily_publish_limit", 1}})
                  .status,
              200);
    const json c = MakeContent(site["id"], {{"status", "approved"}});
    ASSERT_EQ(client_->Post(ContentPath(c, "schedule/"), {{"scheduled_at", "2026-01-21T09:00:00Z"}})
                  .status,
              200);
    auto res = client_->Get(SitePath(site, "slots/") +
                            "?from=2026-01-20T00:00:00Z&to=2026-01-22T23:00:00Z");
    ASSERT_EQ(res.status, 200) << res.body;
    const json& slots = res.json["results"];
    ASSERT_EQ(slots.size(), 6u) << res.body;
    // Now is 2026-01-20T12:00Z.
    EXPECT_EQ(slots[0],
              json({{"at", "2026-01-20T09:00:00Z"}, {"state", "past"}, {"reason", nullptr}}));
    EXPECT_EQ(slots[1],
              json({{"at", "2026-01-20T14:00:00Z"}, {"state", "free"}, {"reason", nullptr}}));
    EXPECT_EQ(slots[2],
              json({{"at", "2026-01-21T09:00:00Z"}, {"state", "taken"}, {"reason", nullptr}}));
    EXPECT_EQ(slots[3],
              json({{"at", "2026-01-21T14:00:00Z"}, {"state", "full"}, {"reason", nullptr}}));
    EXPECT_EQ(slots[4]["state"], "free");
    EXPECT_EQ(slots[5]["state"], "free");
}

TEST_P(UiEndpointsTest, SlotsCountWeeklyLimitsInTheSiteZone) {
    // Tokyo: 2026-01-25 23:30Z is already Monday 26th there, a new ISO week.
    const json site = MakeSite({{"timezone", "Asia/Tokyo"}});
    client_->Put(SitePath(site, "publishing-settings/"),
                 {{"publish_days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                  {"publish_time_slots", {"08:30"}},
                  {"weekly_publish_limit", 1}});
    const json c = MakeContent(site["id"], {{"status", "approved"}});
    // Sat 2026-01-24 08:30 Tokyo = 2026-01-23T23:30Z.
    ASSERT_EQ(client_->Post(ContentPath(c, "schedule/"), {{"scheduled_at", "2026-01-23T23:30:00Z"}})
                  .status,
              200);
    auto res = client_->Get(SitePath(site, "slots/") +
                            "?from=2026-01-22T00:00:00Z&to=2026-01-26T00:00:00Z");
    ASSERT_EQ(res.status, 200) << res.body;
    const json& slots = res.json["results"];
    ASSERT_EQ(slots.size(), 4u) << res.body;
    EXPECT_EQ(slots[0]["state"], "full");   // Fri 23rd, same week
    EXPECT_EQ(slots[1]["state"], "taken");  // Sat 24th
    EXPECT_EQ(slots[2]["state"], "full");   // Sun 25th
    EXPECT_EQ(slots[3]["state"], "free");   // Mon 26th, next week
}

TEST_P(UiEndpointsTest, ScheduleApprovedForOneSiteDryRunThenForReal) {
    const json site = MakeSite();  // auto_publish_enabled is off: an explicit run still assigns
    const json other = MakeSite({{"name", "Other"}});
    client_->Put(SitePath(site, "publishing-settings/"),
                 {{"publish_days", {"wed"}}, {"publish_time_slots", {"09:00"}}});
    const json a = MakeContent(site["id"], {{"status", "approved"}});
    const json b = MakeContent(site["id"], {{"status", "approved"}});
    const json elsewhere = MakeContent(other["id"], {{"status", "approved"}});
    MakeContent(site["id"]);  // a draft: not queued

    auto dry = client_->Post(SitePath(site, "schedule-approved/"), {{"dry_run", true}});
    ASSERT_EQ(dry.status, 200) << dry.body;
    EXPECT_EQ(dry.json["assigned"], 2);
    ASSERT_EQ(dry.json["assignments"].size(), 2u);
    EXPECT_EQ(dry.json["assignments"][0],
              json({{"content_id", a["id"]}, {"scheduled_publish_at", "2026-01-21T09:00:00Z"}}));
    EXPECT_EQ(dry.json["assignments"][1]["scheduled_publish_at"], "2026-01-28T09:00:00Z");
    EXPECT_EQ(client_->Get(ContentPath(a)).json["site_status"], "not_published");

    auto run = client_->Post(SitePath(site, "schedule-approved/"), json::object());
    ASSERT_EQ(run.status, 200) << run.body;
    EXPECT_EQ(run.json["assigned"], 2);
    EXPECT_EQ(client_->Get(ContentPath(a)).json["site_status"], "scheduled");
    EXPECT_EQ(client_->Get(ContentPath(b)).json["scheduled_publish_at"], "2026-01-28T09:00:00Z");
    EXPECT_EQ(client_->Get(ContentPath(elsewhere)).json["site_status"], "not_published");

    // Nothing left: a second run assigns nothing.
    EXPECT_EQ(client_->Post(SitePath(site, "schedule-approved/"), json::object()).json["assigned"],
              0);
    // Another account's site is not found; a bad body is 400; an inactive site 409.
    auto bob = NewClient(key_b_);
    ExpectError(bob->Post(SitePath(site, "schedule-approved/"), json::object()), 404, "not_found");
    ExpectError(client_->Post(SitePath(site, "schedule-approved/"), {{"dry_run", "yes"}}), 400,
                "invalid_type", "dry_run");
    client_->Patch(SitePath(other), {{"is_active", false}});
    ExpectError(client_->Post(SitePath(other, "schedule-approved/"), json::object()), 409,
                "site_inactive");
}

TEST_P(UiEndpointsTest, EventStreamSendsChangesOfItsSiteOnly) {
    const json site = MakeSite();
    const json other = MakeSite({{"name", "Other"}});
    const json c = MakeContent(site["id"], {{"status", "approved"}});
    const json elsewhere = MakeContent(other["id"], {{"status", "approved"}});
    const std::string target =
        "/api/v1/events/?site_id=" + std::to_string(site["id"].get<int64_t>()) +
        "&api_key=" + key_a_;
    SseReader reader(server_->Port(), target);
    ASSERT_TRUE(reader.WaitFor(": connected", std::chrono::seconds{5})) << reader.received();
    EXPECT_NE(reader.received().find("Content-Type: text/event-stream"), std::string::npos);

    clock_.Set(Iso("2026-01-20T12:00:01Z"));
    ASSERT_EQ(client_->Post(ContentPath(c, "schedule/"), {{"scheduled_at", "2026-01-21T09:00:00Z"}})
                  .status,
              200);
    ASSERT_EQ(
        client_
            ->Post(ContentPath(elsewhere, "schedule/"), {{"scheduled_at", "2026-01-21T09:00:00Z"}})
            .status,
        200);
    ASSERT_TRUE(reader.WaitFor("\"site_status\":\"scheduled\"", std::chrono::seconds{5}))
        << reader.received();
    // The frame is one event with the content JSON on one data line.
    const std::string& got = reader.received();
    const size_t frame = got.find("event: content\ndata: {");
    ASSERT_NE(frame, std::string::npos) << got;
    const size_t data = got.find("data: ", frame) + 6;
    const json item = json::parse(got.substr(data, got.find('\n', data) - data));
    EXPECT_EQ(item["id"], c["id"]);
    EXPECT_EQ(item["site_status"], "scheduled");
    // Only that site's item, and only once, though the polls re-read their window. A later
    // change of the site is the marker: the poll that reports it has re-read the scheduled
    // item (it is inside the look-back) and has read past the other site's change (made
    // before), so by then a duplicate or a leak would have arrived.
    clock_.Set(Iso("2026-01-20T12:00:02Z"));
    const json later = MakeContent(site["id"], {{"title", "Later"}});
    const auto frame_of = [](const json& content) {
        return "\"id\":" + std::to_string(content["id"].get<int64_t>()) + ",";
    };
    ASSERT_TRUE(reader.WaitFor(frame_of(later), std::chrono::seconds{10})) << reader.received();
    EXPECT_EQ(reader.received().find(frame_of(elsewhere)), std::string::npos) << reader.received();
    const auto count = [&](const std::string& text) {
        size_t n = 0;
        for (size_t at = 0; (at = reader.received().find(text, at)) != std::string::npos; ++at) ++n;
        return n;
    };
    EXPECT_EQ(count(frame_of(c)), 1u) << reader.received();
    EXPECT_EQ(count("event: content"), 2u) << reader.received();
}

TEST_P(UiEndpointsTest, EventStreamNeedsAKeyAndTheAccountsSite) {
    const json site = MakeSite();
    const std::string sid = std::to_string(site["id"].get<int64_t>());
    auto anonymous = NewClient("");
    ExpectError(anonymous->Get("/api/v1/events/?site_id=" + sid), 401, "unauthorized");
    ExpectError(anonymous->Get("/api/v1/events/?site_id=" + sid + "&api_key=hk_wrong"), 401,
                "unauthorized");
    ExpectError(NewClient(key_b_)->Get("/api/v1/events/?site_id=" + sid), 404, "not_found");
    ExpectError(client_->Get("/api/v1/events/"), 422, "required", "site_id");
    // The header works too.
    SseReader reader(server_->Port(), "/api/v1/events/?site_id=" + sid,
                     "Authorization: Api-Key " + key_a_ + "\r\n");
    EXPECT_TRUE(reader.WaitFor("200 OK", std::chrono::seconds{5})) << reader.received();
}

TEST_P(UiEndpointsTest, EventStreamTakesTheSessionCookieSoNoKeyIsInItsUrl) {
    const json site = MakeSite();
    const std::string sid = std::to_string(site["id"].get<int64_t>());
    auto opened = client_->Post("/api/v1/events/session/", json::object());
    ASSERT_EQ(opened.status, 204) << opened.body;
    const std::string set_cookie = opened.Header("set-cookie");
    EXPECT_EQ(set_cookie.rfind("herald_events=" + key_a_ + ";", 0), 0u) << set_cookie;
    for (const char* attribute : {"HttpOnly", "SameSite=Strict", "Path=/api/v1/events/"})
        EXPECT_NE(set_cookie.find(attribute), std::string::npos) << attribute;
    ExpectError(NewClient("")->Post("/api/v1/events/session/", json::object()), 401,
                "unauthorized");

    const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
    SseReader reader(server_->Port(), "/api/v1/events/?site_id=" + sid,
                     "Cookie: theme=dark; " + cookie + "\r\n");
    EXPECT_TRUE(reader.WaitFor(": connected", std::chrono::seconds{5})) << reader.received();
    SseReader wrong(server_->Port(), "/api/v1/events/?site_id=" + sid,
                    "Cookie: herald_events=hk_wrong\r\n");
    EXPECT_TRUE(wrong.WaitFor("401", std::chrono::seconds{5})) << wrong.received();

    auto closed = client_->Send("DELETE", "/api/v1/events/session/", "");
    ASSERT_EQ(closed.status, 204) << closed.body;
    EXPECT_EQ(closed.Header("set-cookie").rfind("herald_events=;", 0), 0u);
    EXPECT_NE(closed.Header("set-cookie").find("Max-Age=0"), std::string::npos);
}

TEST_P(UiEndpointsTest, ContentListFiltersOnPublishedAt) {
    const json site = MakeSite({{"domain", "http://127.0.0.1:9/nothing"}});
    const json c = MakeContent(site["id"], {{"status", "approved"}});
    // Published through the store (the dispatcher would need a receiver).
    auto stored = store_->GetContent(account_a_, c["id"]);
    stored->site_status = domain::SiteStatus::kPublished;
    stored->published_at = Iso("2026-01-19T10:00:00Z");
    ASSERT_TRUE(
        store_->UpdateContent(*stored, stored->version, storage::kContentSchedule).applied());
    const std::string base =
        "/api/v1/writer/content/?site_id=" + std::to_string(site["id"].get<int64_t>());
    EXPECT_EQ(client_->Get(base + "&published_after=2026-01-19T00:00:00Z").json["count"], 1);
    EXPECT_EQ(client_->Get(base + "&published_after=2026-01-19T11:00:00Z").json["count"], 0);
    EXPECT_EQ(client_->Get(base + "&published_before=2026-01-19T11:00:00Z").json["count"], 1);
    EXPECT_EQ(client_->Get(base + "&published_before=2026-01-19T09:00:00Z").json["count"], 0);
    ExpectError(client_->Get(base + "&published_after=soon"), 422, "invalid_datetime",
                "published_after");
}

TEST_P(UiEndpointsTest, StaticFilesWithCacheHeadersAndSpaFallback) {
    auto anonymous = NewClient("");
    auto index = anonymous->Get("/");
    ASSERT_EQ(index.status, 200);
    EXPECT_EQ(index.Header("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(index.Header("cache-control"), "no-cache");
    EXPECT_EQ(index.body.find("<base"), std::string::npos);

    auto js = anonymous->Get("/app.js?v=0123abcd");
    ASSERT_EQ(js.status, 200);
    EXPECT_EQ(js.Header("content-type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(js.Header("cache-control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(anonymous->Get("/app.js").Header("cache-control"), "no-cache");

    auto page = anonymous->Get("/calendar/week");
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("<head><base href=\"/\">"), std::string::npos) << page.body;
    EXPECT_EQ(anonymous->Get("/missing.js").status, 404);
    EXPECT_EQ(anonymous->Get("/../etc/passwd").status, 404);
    ExpectError(anonymous->Get("/api/v1/unknown/"), 404, "not_found");
}

TEST_P(UiEndpointsTest, MetricsCountResponses) {
    client_->Get("/api/v1/sites/");
    NewClient("")->Get("/api/v1/sites/");
    auto res = NewClient("")->Get("/metrics");
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(res.body.find("# TYPE herald_http_responses_total counter"), std::string::npos);
    EXPECT_NE(res.body.find("herald_http_responses_total{code=\"4xx\"} 1"), std::string::npos)
        << res.body;
}

TEST_P(UiEndpointsTest, DemoSitePublishesToTheBuiltInReceiver) {
    const std::string base = "http://127.0.0.1:" + std::to_string(server_->Port());
    const std::string key = http::SeedDemo(*store_, clock_.Now(), base);
    auto demo = NewClient(key);
    auto sites = demo->Get("/api/v1/sites/");
    ASSERT_EQ(sites.json["count"], 1);
    const json site = sites.json["results"][0];
    EXPECT_EQ(site["domain"], base + "/demo/receiver");
    const std::string list =
        "/api/v1/writer/content/?site_id=" + std::to_string(site["id"].get<int64_t>());
    EXPECT_EQ(demo->Get(list + "&site_status=scheduled").json["count"], 5);
    EXPECT_EQ(demo->Get(list).json["count"], 7);

    clock_.Set(Iso("2026-01-20T12:10:00Z"));
    const auto summary = dispatcher_->RunDueOnce(clock_.Now());
    EXPECT_EQ(summary.published, 5);
    auto published = demo->Get(list + "&site_status=published&ordering=scheduled_publish_at");
    ASSERT_EQ(published.json["count"], 5) << published.body;
    const json first = published.json["results"][0];
    EXPECT_EQ(first["scheduled_publish_at"], "2026-01-20T12:01:00Z");
    const std::string url = first["external_url"];
    ASSERT_EQ(url.rfind(base + "/demo/posts/", 0), 0u) << url;
    auto page = NewClient("")->Get(url.substr(base.size()));
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("Welcome to herald"), std::string::npos) << page.body;
}

}  // namespace
HERALD_ON_EVERY_BACKEND(UiEndpointsTest);

}  // namespace herald::testing
