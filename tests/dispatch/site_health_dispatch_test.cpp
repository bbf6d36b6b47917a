// Outage-proof delivery with the real dispatcher loop, a real receiver and both backends:
// a site that is down degrades (one probe at a time, no item failed, no attempts spent by
// the waiting items) and recovers by itself; a site that fails at random still gets
// everything out. These take minutes of real time on purpose: they are the contract.

#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "dispatch/dispatch_fixture.hpp"

namespace herald::dispatch::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

class SiteHealthDispatchTest : public DispatchTest {
protected:
    /// The shared polling helper, every 100 ms (its conditions read the store).
    template <typename Pred>
    ::testing::AssertionResult WaitUntil(Pred done, Milliseconds timeout) {
        return herald::testing::WaitUntil(done, timeout, milliseconds{100});
    }

    int CountWithStatus(const std::vector<Content>& items, SiteStatus status) {
        int n = 0;
        for (const Content& c : items)
            if (Get(c.id).site_status == status) ++n;
        return n;
    }

    Site Reload(const Site& site) { return *store_->GetSite(account_, site.id); }

    static int64_t ContentIdOf(const herald::testing::ReceivedRequest& request) {
        const auto body = nlohmann::json::parse(request.body, nullptr, false);
        if (!body.is_object() || !body.contains("content")) return 0;
        return body["content"].value("id", int64_t{0});
    }
};
HERALD_ON_EVERY_BACKEND(SiteHealthDispatchTest);

TEST_P(SiteHealthDispatchTest, ASiteDownFor90SecondsDegradesWaitsAndRecoversWithoutFailing) {
    const Site down = site_;
    const Site up = AddSite("steady");
    settings_.retry = domain::RetryPolicy{};  // the product's defaults: a 24-hour window
    const auto outage_ends = SteadyClock::now() + seconds{90};
    std::atomic<bool> recovered{false};
    receiver_.SetHandler(
        [&](const herald::testing::ReceivedRequest& request) -> std::optional<ReceiverReply> {
            if (request.target.find("/hooks/blog") == std::string::npos) return std::nullopt;
            if (SteadyClock::now() < outage_ends) return Answer(503);
            recovered = true;
            return std::nullopt;  // the default: 200 with an id
        });

    const TimePoint start = clock_.Now();
    std::vector<Content> waiting;
    for (int i = 0; i < 30; ++i)  // falling due over the first minute of the outage
        waiting.push_back(
            AddScheduled(down, start + seconds{1} + seconds{2} * i, "Down " + std::to_string(i)));
    std::vector<Content> steady;
    for (int i = 0; i < 12; ++i)  // due before, during and after the outage
        steady.push_back(
            AddScheduled(up, start + seconds{1} + seconds{10} * i, "Up " + std::to_string(i)));

    Dispatcher dispatcher = MakeDispatcher(clock_);
    dispatcher.Start();

    ASSERT_TRUE(WaitUntil([&] { return Reload(down).health.health == SiteHealth::kDegraded; },
                          seconds{60}));
    EXPECT_NE(Reload(down).health.reason.find("HTTP 503"), std::string::npos)
        << Reload(down).health.reason;
    EXPECT_EQ(Reload(up).health.health, SiteHealth::kHealthy);

    // Throughout the outage: no item failed, and the receiver saw fewer calls than there
    // are waiting items (one probe at a time, at least once a minute).
    while (SteadyClock::now() < outage_ends) {
        ASSERT_EQ(CountWithStatus(waiting, SiteStatus::kFailed), 0);
        std::this_thread::sleep_for(seconds{5});  // sampling through the outage: not a sync
    }
    size_t calls_during_outage = 0;
    for (const auto& r : receiver_.Requests())
        if (r.target.find("/hooks/blog") != std::string::npos) ++calls_during_outage;
    EXPECT_LT(calls_during_outage, waiting.size());

    // Recovery: everything out within 90 s of the receiver answering again.
    ASSERT_TRUE(WaitUntil([&] { return recovered.load(); }, seconds{65}));
    const auto recovered_at = SteadyClock::now();
    ASSERT_TRUE(WaitUntil([&] { return CountWithStatus(waiting, SiteStatus::kPublished) == 30; },
                          seconds{90}))
        << CountWithStatus(waiting, SiteStatus::kPublished) << " of 30 published";
    EXPECT_LT(SteadyClock::now() - recovered_at, seconds{90});
    EXPECT_TRUE(WaitUntil([&] { return CountWithStatus(steady, SiteStatus::kPublished) == 12; },
                          seconds{30}));
    dispatcher.Stop();
    EXPECT_EQ(Reload(down).health.health, SiteHealth::kHealthy);

    // Each waiting item went out under one webhook-id, however many times it was tried.
    std::map<int64_t, std::set<std::string>> ids_by_item;
    for (const auto& r : receiver_.Requests())
        if (r.target.find("/hooks/blog") != std::string::npos)
            ids_by_item[ContentIdOf(r)].insert(r.webhook_id);
    for (const Content& c : waiting) {
        EXPECT_EQ(ids_by_item[c.id].size(), 1u) << "content " << c.id;
        for (const PublishRecord& record : Records(c.id))
            EXPECT_NE(record.outcome, AttemptOutcome::kFailed) << "content " << c.id;
    }
    // The other site was never held back: each of its items started within a few seconds
    // of its time (a functional check that the outage did not block it, not a speed test).
    for (const Content& c : steady) {
        const auto records = Records(c.id);
        ASSERT_EQ(records.size(), 1u) << "content " << c.id;
        EXPECT_LT(records[0].started_at - *c.scheduled_publish_at, seconds{5})
            << "content " << c.id;
    }
}

TEST_P(SiteHealthDispatchTest, CredentialsRefusedPausesTheSiteAfterOneAttempt) {
    receiver_.SetDefaultReply(Answer(401));
    const TimePoint start = clock_.Now();
    std::vector<Content> items;
    for (int i = 0; i < 5; ++i)
        items.push_back(AddScheduled(site_, start - seconds{10} + milliseconds{i}));
    Dispatcher dispatcher = MakeDispatcher(clock_);
    dispatcher.RunDueOnce(start);
    const Site paused = Reload(site_);
    EXPECT_EQ(paused.health.health, SiteHealth::kPaused);
    EXPECT_NE(paused.health.reason.find("credentials"), std::string::npos) << paused.health.reason;
    EXPECT_EQ(receiver_.RequestCount(), 1u);
    EXPECT_EQ(CountWithStatus(items, SiteStatus::kScheduled), 5);
    // Nothing more goes out while paused, however often the dispatcher runs.
    dispatcher.RunDueOnce(start + seconds{120});
    EXPECT_EQ(receiver_.RequestCount(), 1u);

    receiver_.SetDefaultReply(ReceiverReply{});
    ASSERT_TRUE(store_->ResumeSite(account_, site_.id, clock_.Now()));
    const RunSummary after = dispatcher.RunDueOnce(clock_.Now() + seconds{1});
    EXPECT_EQ(after.published, 5);
    EXPECT_EQ(CountWithStatus(items, SiteStatus::kPublished), 5);
    EXPECT_EQ(Reload(site_).health.health, SiteHealth::kHealthy);
}

TEST_P(SiteHealthDispatchTest, AnItemErrorFailsThatItemAloneAndLeavesTheSiteHealthy) {
    const Content bad = AddScheduled(site_, clock_.Now() - seconds{5});
    const Content good = AddScheduled(site_, clock_.Now() - seconds{4});
    receiver_.EnqueueReply(Answer(422));
    Dispatcher dispatcher = MakeDispatcher(clock_);
    dispatcher.RunDueOnce(clock_.Now());
    EXPECT_EQ(Get(bad.id).site_status, SiteStatus::kFailed);
    EXPECT_EQ(Get(good.id).site_status, SiteStatus::kPublished);
    EXPECT_EQ(Reload(site_).health.health, SiteHealth::kHealthy);
}

TEST_P(SiteHealthDispatchTest, ASiteFailingAThirdOfCallsAtRandomStillGetsAllOut) {
    settings_.retry = domain::RetryPolicy{};
    settings_.retry.base_delay = seconds{1};
    std::mutex rng_mu;
    std::mt19937 rng(20261202);
    receiver_.SetHandler(
        [&](const herald::testing::ReceivedRequest&) -> std::optional<ReceiverReply> {
            std::lock_guard lock(rng_mu);
            const int roll = static_cast<int>(rng() % 100);
            if (roll < 10) return Answer(500);
            if (roll < 17) return Answer(429, "2");
            if (roll < 24) {
                ReceiverReply reset;
                reset.drop_connection = true;
                return reset;
            }
            if (roll < 30) return Slow(seconds{40});  // hangs past herald's request timeout
            return std::nullopt;
        });
    std::vector<Content> items;
    const TimePoint start = clock_.Now();
    for (int i = 0; i < 100; ++i)
        items.push_back(AddScheduled(site_, start + milliseconds{10 * i}));
    Dispatcher dispatcher = MakeDispatcher(clock_);
    dispatcher.Start();
    EXPECT_TRUE(WaitUntil([&] { return CountWithStatus(items, SiteStatus::kPublished) == 100; },
                          std::chrono::minutes{4}))
        << CountWithStatus(items, SiteStatus::kPublished) << " of 100 published";
    dispatcher.Stop();
    EXPECT_EQ(CountWithStatus(items, SiteStatus::kFailed), 0);
}

}  // namespace
}  // namespace herald::dispatch::testing
