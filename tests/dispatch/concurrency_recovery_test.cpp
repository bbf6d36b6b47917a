// The dispatcher's non-blocking path and its recovery rules, in-process: many calls in
// flight at once, per-site rate limits, take-over of a dead local process's claims, the
// "maybe delivered" hint, shutdown deadlines, overdue ordering and the metrics it keeps.

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "dispatch/dispatch_fixture.hpp"
#include "dispatch/dispatcher.hpp"

namespace herald::dispatch::testing {
namespace {

using namespace std::chrono_literals;
using publishers::PublishRequest;
using publishers::PublishResult;

int MaxOverlap(const std::vector<PublishRecord>& records) {
    std::vector<std::pair<TimePoint, int>> events;
    for (const auto& r : records) {
        events.emplace_back(r.started_at, +1);
        events.emplace_back(r.finished_at, -1);
    }
    std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : a.second < b.second;
    });
    int open = 0, most = 0;
    for (const auto& [t, d] : events) most = std::max(most, open += d);
    return most;
}

/// The real webhook adapter, noting what the dispatcher told it about each request.
class Noting final : public publishers::Publisher {
public:
    explicit Noting(publishers::Publisher& real) : real_(real) {}
    PublishResult Publish(const PublishRequest& r) override {
        Note(r);
        return real_.Publish(r);
    }
    void PublishAsync(const PublishRequest& r, publishers::PublishCallback done) override {
        Note(r);
        real_.PublishAsync(r, std::move(done));
    }
    publishers::ConnectionCheck TestConnection(const Site& site) override {
        return real_.TestConnection(site);
    }
    std::map<ContentId, std::vector<bool>> maybe_delivered() const {
        std::lock_guard lock(mu_);
        return seen_;
    }

private:
    void Note(const PublishRequest& r) {
        std::lock_guard lock(mu_);
        seen_[r.content.id].push_back(r.maybe_delivered);
    }
    publishers::Publisher& real_;
    mutable std::mutex mu_;
    std::map<ContentId, std::vector<bool>> seen_;
};

TEST_P(DispatchTest, HundredsInFlightAtOnceOnOneSiteWhenItAllowsIt) {
    Site site = site_;
    site.options_json = R"({"max_in_flight": 300})";
    ASSERT_TRUE(store_->UpdateSite(site, site.version).applied());
    receiver_.SetDefaultReply(Slow(400ms));
    settings_.max_in_flight = 1000;
    constexpr int kItems = 300;
    std::vector<ContentId> ids;
    for (int i = 0; i < kItems; ++i)
        ids.push_back(AddScheduled(site, now_ - 1s - Milliseconds{i}).id);

    Dispatcher dispatcher = MakeDispatcher(clock_);
    EXPECT_EQ(dispatcher.RunDueOnce(now_).published, kItems);
    std::vector<PublishRecord> records;
    for (ContentId id : ids) records.push_back(Records(id).at(0));
    const int overlap = MaxOverlap(records);
    std::cout << "[ overlap  ] " << overlap << " calls in flight at once\n";
    // Without a thread per call: only the per-site option limits it.
    EXPECT_GE(overlap, kItems / 2);
    EXPECT_LE(overlap, kItems);
    EXPECT_EQ(dispatcher.Metrics().Outcomes("custom", "published"), kItems);
    EXPECT_EQ(dispatcher.Metrics().InFlight(), 0);
    EXPECT_EQ(dispatcher.Metrics().QueueDepth(), 0);
}

TEST_P(DispatchTest, PerSiteRateLimitSpacesOneSiteAndNotTheOther) {
    Site limited = AddSite("limited");
    limited.options_json = R"({"rate_limit_per_minute": 120, "rate_limit_burst": 1})";
    ASSERT_TRUE(store_->UpdateSite(limited, limited.version).applied());
    const Site free_site = AddSite("free");
    std::vector<ContentId> limited_ids, free_ids;
    for (int i = 0; i < 4; ++i)
        limited_ids.push_back(AddScheduled(limited, now_ - 5s - Milliseconds{i}).id);
    for (int i = 0; i < 4; ++i)
        free_ids.push_back(AddScheduled(free_site, now_ - 1s - Milliseconds{i}).id);

    Dispatcher dispatcher = MakeDispatcher(clock_);
    EXPECT_EQ(dispatcher.RunDueOnce(now_).published, 8);
    std::vector<TimePoint> starts;
    for (ContentId id : limited_ids) starts.push_back(Records(id).at(0).started_at);
    std::sort(starts.begin(), starts.end());
    for (size_t i = 1; i < starts.size(); ++i)
        EXPECT_GE(starts[i] - starts[i - 1], 400ms) << i;  // 2 per second
    // The other site did not wait behind the limited one.
    for (ContentId id : free_ids) EXPECT_LT(Records(id).at(0).started_at, starts[1]) << id;
}

std::string HostName() {
    char buf[256] = {0};
    gethostname(buf, sizeof buf - 1);
    return buf;
}

pid_t DeadPid() {
    const pid_t pid = fork();
    if (pid == 0) _exit(0);
    int status = 0;
    waitpid(pid, &status, 0);
    return pid;
}

TEST_P(DispatchTest, ClaimsOfADeadLocalProcessAreTakenOverAtOnceAndFlaggedMaybeDelivered) {
    const ContentId mine = AddScheduled(site_, now_ - 2s).id;
    const ContentId elsewhere = AddScheduled(site_, now_ - 1s).id;
    // A herald on this host that died mid-call, with a lease an hour long …
    const std::string dead = "d1/" + HostName() + "/" + std::to_string(DeadPid()) + ".1/abc";
    ASSERT_EQ(herald::testing::ClaimBatch(*store_, now_, 1, dead, 1h).size(), 1u);
    // … and one on another host, whose claim only its lease can end.
    ASSERT_EQ(herald::testing::ClaimBatch(*store_, now_, 1, "d1/other-host/1.1/abc", 1h).size(),
              1u);

    publishers::PublisherRegistry registry;
    auto owned = std::make_unique<Noting>(*registry_.For(Platform::kCustom));
    Noting& noting = *owned;
    registry.Register(Platform::kCustom, std::move(owned));
    Dispatcher dispatcher(*store_, registry, clock_, settings_);
    EXPECT_EQ(dispatcher.RunDueOnce(clock_.Now()).published, 1);
    EXPECT_EQ(Get(mine).site_status, SiteStatus::kPublished);
    EXPECT_EQ(Records(mine).at(0).attempt, 2);  // the dead process's try counts
    EXPECT_EQ(Get(elsewhere).site_status, SiteStatus::kPublishing);
    EXPECT_EQ(noting.maybe_delivered().at(mine), std::vector<bool>{true});
    EXPECT_NE(dispatcher.ClaimToken().find("d1/" + HostName() + "/" + std::to_string(getpid())),
              std::string::npos);
    EXPECT_NE(dispatcher.Metrics().RenderPrometheus().find("herald_dispatch_recovered_total 1"),
              std::string::npos);
}

TEST_P(DispatchTest, RetriesAreFlaggedMaybeDeliveredAndKeepTheirWebhookId) {
    const ContentId id = AddScheduled(site_, now_ - 1s).id;
    receiver_.EnqueueReply(Answer(503));
    publishers::PublisherRegistry registry;
    auto owned = std::make_unique<Noting>(*registry_.For(Platform::kCustom));
    Noting& noting = *owned;
    registry.Register(Platform::kCustom, std::move(owned));
    Dispatcher dispatcher(*store_, registry, clock_, settings_);
    EXPECT_EQ(dispatcher.RunDueOnce(now_).retry, 1);
    EXPECT_EQ(dispatcher.RunDueOnce(now_ + 1h).published, 1);
    EXPECT_EQ(noting.maybe_delivered().at(id), (std::vector<bool>{false, true}));
    EXPECT_EQ(receiver_.CountsByWebhookId().size(), 1u);
}

TEST_P(DispatchTest, ShutdownDeadlineGivesInFlightItemsBackWithTheirAttemptCounted) {
    receiver_.SetDefaultReply(Slow(3s));
    const ContentId id = AddScheduled(site_, now_ - 1s).id;
    {
        Dispatcher dispatcher = MakeDispatcher(clock_);
        dispatcher.Start();
        ASSERT_TRUE(receiver_.WaitForRequests(1, 3s));
        const auto stop_at = std::chrono::steady_clock::now();
        dispatcher.Stop(200ms);
        EXPECT_LT(std::chrono::steady_clock::now() - stop_at, 2s);
        const Content c = Get(id);
        EXPECT_EQ(c.site_status, SiteStatus::kScheduled);
        EXPECT_EQ(c.attempts, 1);
        EXPECT_TRUE(c.claim_token.empty());
        EXPECT_FALSE(c.publication_id.empty());
    }
    receiver_.SetDefaultReply(ReceiverReply{});
    Dispatcher next = MakeDispatcher(clock_);
    EXPECT_EQ(next.RunDueOnce(clock_.Now()).published, 1);
    EXPECT_EQ(Records(id).back().attempt, 2);
    // Both deliveries under one webhook-id: a receiver keeps one post.
    const auto counts = receiver_.CountsByWebhookId();
    ASSERT_EQ(counts.size(), 1u);
    EXPECT_EQ(counts.begin()->second, 2);
}

TEST_P(DispatchTest, OverdueItemsGoOutOldestFirstWithTheirLatenessRecorded) {
    settings_.max_in_flight = 1;
    settings_.max_in_flight_per_site = 1;
    std::vector<ContentId> ids;  // created newest-due first
    for (int h = 1; h <= 3; ++h)
        ids.push_back(AddScheduled(site_, now_ - std::chrono::hours{h}).id);
    Dispatcher dispatcher = MakeDispatcher(clock_);
    dispatcher.Start();
    ASSERT_TRUE(receiver_.WaitForRequests(3, 5s));
    dispatcher.Stop();
    std::vector<ContentId> order;
    for (const auto& r : receiver_.Requests())
        order.push_back(nlohmann::json::parse(r.body)["content"]["id"].get<ContentId>());
    EXPECT_EQ(order, (std::vector<ContentId>{ids[2], ids[1], ids[0]}));
    for (int h = 1; h <= 3; ++h) {
        const auto r = Records(ids[static_cast<size_t>(h - 1)]).at(0);
        EXPECT_GE(r.started_at - *r.due_at, std::chrono::hours{h});  // lateness = start - due
    }
    const auto lateness = dispatcher.Metrics().LatenessHistogram();
    EXPECT_EQ(lateness.count(), 3u);
    EXPECT_GE(lateness.sum(), 6 * 3600.0);
}

/// Prometheus text format: every sample line is `name{labels} value` after a # TYPE of it.
TEST_P(DispatchTest, MetricsRenderPrometheusText) {
    for (int i = 0; i < 3; ++i) AddScheduled(site_, now_ - 1s - Milliseconds{i});
    receiver_.EnqueueReply(Answer(500));
    Dispatcher dispatcher = MakeDispatcher(clock_);
    const RunSummary summary = dispatcher.RunDueOnce(now_);
    EXPECT_EQ(summary.published, 2);
    EXPECT_EQ(summary.retry, 1);
    const std::string text = dispatcher.Metrics().RenderPrometheus();
    std::cout << text;
    EXPECT_NE(text.find("herald_publications_total{platform=\"custom\",outcome=\"published\"} 2\n"),
              std::string::npos);
    EXPECT_NE(text.find("herald_publications_total{platform=\"custom\",outcome=\"retry\"} 1\n"),
              std::string::npos);
    EXPECT_NE(text.find("herald_publish_attempts_total{platform=\"custom\"} 3\n"),
              std::string::npos);
    EXPECT_NE(text.find("# TYPE herald_publish_lateness_seconds histogram\n"), std::string::npos);
    EXPECT_NE(text.find("herald_publish_lateness_seconds_bucket{le=\"+Inf\"} 3\n"),
              std::string::npos);
    EXPECT_NE(text.find("herald_publish_lateness_seconds_count 3\n"), std::string::npos);
    EXPECT_NE(
        text.find(
            "herald_publish_request_duration_seconds_bucket{platform=\"custom\",le=\"+Inf\"} 3\n"),
        std::string::npos);
    EXPECT_NE(text.find("herald_publications_in_flight 0\n"), std::string::npos);
    EXPECT_NE(text.find("herald_dispatch_queue_depth 0\n"), std::string::npos);

    std::set<std::string> typed;
    std::istringstream lines(text);
    uint64_t last_bucket = 0;
    std::string last_family;
    for (std::string line; std::getline(lines, line);) {
        ASSERT_FALSE(line.empty());
        if (line.starts_with("# HELP ")) continue;
        if (line.starts_with("# TYPE ")) {
            std::istringstream words(line.substr(7));
            std::string name, type;
            words >> name >> type;
            EXPECT_TRUE(type == "counter" || type == "gauge" || type == "histogram") << line;
            typed.insert(name);
            continue;
        }
        const auto space = line.rfind(' ');
        ASSERT_NE(space, std::string::npos) << line;
        std::string name = line.substr(0, std::min(line.find('{'), space));
        for (const char* suffix : {"_bucket", "_sum", "_count"})
            if (name.ends_with(suffix) && !typed.count(name))
                name = name.substr(0, name.size() - std::strlen(suffix));
        EXPECT_TRUE(typed.count(name)) << "no # TYPE before " << line;
        const double value = std::stod(line.substr(space + 1));
        EXPECT_GE(value, 0) << line;
        if (line.find("_bucket{") != std::string::npos) {  // cumulative within a series
            const std::string family = line.substr(0, line.find("le="));
            if (family == last_family) {
                EXPECT_GE(static_cast<uint64_t>(value), last_bucket) << line;
            }
            last_family = family;
            last_bucket = static_cast<uint64_t>(value);
        }
    }
}

}  // namespace
}  // namespace herald::dispatch::testing
