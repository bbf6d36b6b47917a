#include "dispatch/dispatcher.hpp"

#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "dispatch/dispatch_fixture.hpp"
#include "publishers/webhook/webhook_publisher.hpp"

namespace herald::dispatch::testing {
namespace {

using namespace std::chrono_literals;

// Once for DispatchTest, whose tests are spread over this file and
// concurrency_recovery_test.cpp (a second instantiation would name every test twice).
HERALD_ON_EVERY_BACKEND(DispatchTest);

TEST_P(DispatchTest, RunDueOncePublishesEachDueItemExactlyOnce) {
    std::vector<ContentId> due, later;
    for (int i = 0; i < 20; ++i)
        due.push_back(AddScheduled(site_, now_ - Milliseconds{i * 1000}).id);
    for (int i = 1; i <= 2; ++i)
        later.push_back(AddScheduled(site_, now_ + std::chrono::hours{i}).id);

    Dispatcher dispatcher = MakeDispatcher(clock_);
    const RunSummary summary = dispatcher.RunDueOnce(now_);
    EXPECT_EQ(summary.published, 20);
    EXPECT_EQ(summary.failed, 0);
    EXPECT_EQ(summary.retry, 0);

    std::set<std::string> external_ids;
    for (ContentId id : due) {
        const Content c = Get(id);
        EXPECT_EQ(c.site_status, SiteStatus::kPublished);
        EXPECT_FALSE(c.external_id.empty());
        EXPECT_FALSE(c.external_url.empty());
        EXPECT_TRUE(c.published_at);
        EXPECT_TRUE(c.last_error.empty());
        EXPECT_EQ(c.attempts, 0);
        EXPECT_TRUE(c.publication_id.empty());
        EXPECT_TRUE(c.claim_token.empty());
        EXPECT_FALSE(c.lease_until);
        external_ids.insert(c.external_id);
        const auto records = Records(id);
        ASSERT_EQ(records.size(), 1u);
        EXPECT_EQ(records[0].outcome, AttemptOutcome::kPublished);
        EXPECT_EQ(records[0].attempt, 1);
        EXPECT_EQ(records[0].http_status, 200);
        EXPECT_EQ(records[0].external_id, c.external_id);
        EXPECT_EQ(records[0].due_at, c.scheduled_publish_at);
        EXPECT_LE(records[0].started_at, records[0].finished_at);
    }
    EXPECT_EQ(external_ids.size(), 20u);
    for (ContentId id : later) {
        EXPECT_EQ(Get(id).site_status, SiteStatus::kScheduled);
        EXPECT_TRUE(Records(id).empty());
    }
    // Every delivery signed, one delivery per publication.
    EXPECT_EQ(receiver_.RequestCount(), 20u);
    for (const auto& r : receiver_.Requests()) EXPECT_TRUE(r.signature_valid);
    for (const auto& [id, n] : receiver_.CountsByWebhookId()) EXPECT_EQ(n, 1) << id;

    // A second pass at the same time finds nothing to do.
    const RunSummary again = dispatcher.RunDueOnce(now_);
    EXPECT_EQ(again.published + again.failed + again.retry, 0);
    EXPECT_EQ(receiver_.RequestCount(), 20u);
}

TEST_P(DispatchTest, TransientFailuresRetryThenSucceed) {
    const TimePoint at = now_ - 1s;
    const ContentId id = AddScheduled(site_, at).id;
    receiver_.EnqueueReply(Answer(503));
    receiver_.EnqueueReply(Answer(500));
    Dispatcher dispatcher = MakeDispatcher(clock_);

    RunSummary s = dispatcher.RunDueOnce(now_);
    EXPECT_EQ(s.retry, 1);
    Content c = Get(id);
    EXPECT_EQ(c.site_status, SiteStatus::kScheduled);
    EXPECT_EQ(c.scheduled_publish_at, at);  // the owner's time never moves
    ASSERT_TRUE(c.next_attempt_at);
    EXPECT_GT(*c.next_attempt_at, now_);
    EXPECT_NE(c.last_error.find("HTTP 503"), std::string::npos) << c.last_error;
    EXPECT_EQ(c.attempts, 1);

    // Not due again until the backoff has passed.
    EXPECT_EQ(dispatcher.RunDueOnce(now_ + 1s).retry + dispatcher.RunDueOnce(now_ + 1s).published,
              0);

    s = dispatcher.RunDueOnce(now_ + 1h);
    EXPECT_EQ(s.retry, 1);
    s = dispatcher.RunDueOnce(now_ + 2h);
    EXPECT_EQ(s.published, 1);

    c = Get(id);
    EXPECT_EQ(c.site_status, SiteStatus::kPublished);
    EXPECT_EQ(c.scheduled_publish_at, at);
    EXPECT_TRUE(c.last_error.empty());
    EXPECT_FALSE(c.next_attempt_at);
    EXPECT_EQ(c.attempts, 0);

    const auto records = Records(id);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].outcome, AttemptOutcome::kRetry);
    EXPECT_EQ(records[0].http_status, 503);
    EXPECT_EQ(records[1].outcome, AttemptOutcome::kRetry);
    EXPECT_EQ(records[2].outcome, AttemptOutcome::kPublished);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(records[i].attempt, i + 1);

    // All three deliveries carried the same webhook-id.
    const auto counts = receiver_.CountsByWebhookId();
    ASSERT_EQ(counts.size(), 1u);
    EXPECT_EQ(counts.begin()->second, 3);
}

TEST_P(DispatchTest, RetryAfterIsHonoured) {
    const ContentId id = AddScheduled(site_, now_ - 1s).id;
    receiver_.EnqueueReply(Answer(429, "600"));
    Dispatcher dispatcher = MakeDispatcher(clock_);
    EXPECT_EQ(dispatcher.RunDueOnce(now_).retry, 1);
    const Content c = Get(id);
    ASSERT_TRUE(c.next_attempt_at);
    EXPECT_GE(*c.next_attempt_at, now_ + 600s);
    EXPECT_LT(*c.next_attempt_at, now_ + 660s);
}

TEST_P(DispatchTest, GivesUpAfterMaxAttempts) {
    const ContentId id = AddScheduled(site_, now_ - 1s).id;
    receiver_.SetDefaultReply(Answer(502));
    Dispatcher dispatcher = MakeDispatcher(clock_);
    EXPECT_EQ(dispatcher.RunDueOnce(now_).retry, 1);
    EXPECT_EQ(dispatcher.RunDueOnce(now_ + 1h).retry, 1);
    EXPECT_EQ(dispatcher.RunDueOnce(now_ + 2h).failed, 1);
    const Content c = Get(id);
    EXPECT_EQ(c.site_status, SiteStatus::kFailed);
    EXPECT_NE(c.last_error.find("gave up after 3 attempts"), std::string::npos) << c.last_error;
    EXPECT_FALSE(c.next_attempt_at);
    const auto records = Records(id);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[2].outcome, AttemptOutcome::kFailed);
    EXPECT_EQ(dispatcher.RunDueOnce(now_ + 3h).failed, 0);  // failed stays failed
}

TEST_P(DispatchTest, PermanentFailureAfterOneAttempt) {
    const ContentId id = AddScheduled(site_, now_ - 1s).id;
    receiver_.SetDefaultReply(Answer(422));
    Dispatcher dispatcher = MakeDispatcher(clock_);
    const RunSummary s = dispatcher.RunDueOnce(now_);
    EXPECT_EQ(s.failed, 1);
    const Content c = Get(id);
    EXPECT_EQ(c.site_status, SiteStatus::kFailed);
    EXPECT_EQ(c.last_error, "the endpoint rejected the content (HTTP 422)");
    const auto records = Records(id);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].outcome, AttemptOutcome::kFailed);
    EXPECT_EQ(records[0].http_status, 422);
    EXPECT_EQ(receiver_.RequestCount(), 1u);
}

TEST_P(DispatchTest, MissingCredentialsPauseTheSiteWithoutACall) {
    Site site = site_;
    site.api_key = "";
    ASSERT_TRUE(store_->UpdateSite(site, site.version).applied());
    const ContentId id = AddScheduled(site, now_ - 1s).id;
    Dispatcher dispatcher = MakeDispatcher(clock_);
    EXPECT_EQ(dispatcher.RunDueOnce(now_).retry, 1);  // held: it waits for the site
    const Content c = Get(id);
    EXPECT_EQ(c.site_status, SiteStatus::kScheduled);
    EXPECT_NE(c.last_error.find("no API key"), std::string::npos);
    const Site paused = *store_->GetSite(account_, site.id);
    EXPECT_EQ(paused.health.health, SiteHealth::kPaused);
    EXPECT_NE(paused.health.reason.find("no API key"), std::string::npos);
    EXPECT_EQ(receiver_.RequestCount(), 0u);
}

TEST_P(DispatchTest, PlatformWithoutAdapterFailsPermanently) {
    const Site wp = AddSite("wp", Platform::kWordPress);
    const ContentId id = AddScheduled(wp, now_ - 1s).id;
    publishers::PublisherRegistry only_custom;  // a build without a WordPress adapter
    only_custom.Register(Platform::kCustom, publishers::webhook::MakeWebhookPublisher(*http_));
    Dispatcher dispatcher(*store_, only_custom, clock_, settings_);
    EXPECT_EQ(dispatcher.RunDueOnce(now_).failed, 1);
    EXPECT_EQ(Get(id).last_error,
              "publishing to wordpress is not supported by this version of herald yet");
}

TEST_P(DispatchTest, InactiveSiteIsNotPublished) {
    const Site off = AddSite("off", Platform::kCustom, /*active=*/false);
    const ContentId id = AddScheduled(off, now_ - 1s).id;
    Dispatcher dispatcher = MakeDispatcher(clock_);
    EXPECT_EQ(dispatcher.RunDueOnce(now_).published, 0);
    EXPECT_EQ(Get(id).site_status, SiteStatus::kScheduled);
    EXPECT_EQ(receiver_.RequestCount(), 0u);
}

TEST_P(DispatchTest, ExpiredLeaseIsReclaimedAndTheOldClaimCannotSettle) {
    const ContentId id = AddScheduled(site_, now_ - 1s).id;
    // A dispatcher that died mid-call: it claimed the item with a short lease.
    auto dead = herald::testing::ClaimBatch(*store_, now_, 10, "dead-dispatcher", 1s);
    ASSERT_EQ(dead.size(), 1u);
    Dispatcher dispatcher = MakeDispatcher(clock_);
    EXPECT_EQ(dispatcher.RunDueOnce(now_).published, 0);  // lease still running
    // A run "a minute later" by its own clock takes nothing over either: leases end by the
    // database's clock, not by the `now` a run is given.
    EXPECT_EQ(dispatcher.RunDueOnce(now_ + 1min).published, 0);
    // Once the lease has really run out, the next pass takes the item over.
    int published = 0;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (published == 0 && std::chrono::steady_clock::now() < deadline)
        published = dispatcher.RunDueOnce(clock_.Now()).published;
    EXPECT_EQ(published, 1);
    const Content c = Get(id);
    EXPECT_EQ(c.site_status, SiteStatus::kPublished);
    const auto records = Records(id);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].attempt, 2);  // the dead dispatcher's try counts

    // The dead dispatcher coming back cannot overwrite the result.
    Content stale = dead[0].content;
    stale.site_status = SiteStatus::kFailed;
    PublishRecord record;
    record.content_id = id;
    const std::vector<storage::FinishedAttempt> attempts = {{stale, record}};
    EXPECT_FALSE(store_->FinishAttempts(attempts, "dead-dispatcher", domain::HealthPolicy{})
                     .record_ids.at(0));
    EXPECT_EQ(Get(id).site_status, SiteStatus::kPublished);
}

TEST_P(DispatchTest, NowInTheFutureOrPastTerminatesAndStaysCoherent) {
    const ContentId id = AddScheduled(site_, now_ - 1s).id;
    receiver_.SetDefaultReply(Answer(503));
    Dispatcher dispatcher = MakeDispatcher(clock_);
    const TimePoint future = now_ + 2h;                 // inside the retry window
    EXPECT_EQ(dispatcher.RunDueOnce(future).retry, 1);  // one attempt, not max_attempts
    Content c = Get(id);
    ASSERT_TRUE(c.next_attempt_at);
    EXPECT_GT(*c.next_attempt_at, future);
    const auto records = Records(id);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_GE(records[0].started_at, future);  // times follow the run's clock

    const ContentId old = AddScheduled(site_, now_ - 48h).id;
    receiver_.SetDefaultReply(ReceiverReply{});
    EXPECT_EQ(dispatcher.RunDueOnce(now_ - 24h).published, 1);
    EXPECT_EQ(Get(old).site_status, SiteStatus::kPublished);
}

/// Largest number of intervals open at one instant.
int MaxOverlap(const std::vector<PublishRecord>& records) {
    std::vector<std::pair<TimePoint, int>> events;
    for (const auto& r : records) {
        events.emplace_back(r.started_at, +1);
        events.emplace_back(r.finished_at, -1);
    }
    std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : a.second < b.second;  // ends first
    });
    int open = 0, most = 0;
    for (const auto& [t, d] : events) most = std::max(most, open += d);
    return most;
}

TEST_P(DispatchTest, PerSiteCapDoesNotBlockOtherSites) {
    settings_.max_in_flight = 6;
    settings_.max_in_flight_per_site = 2;
    const Site busy = AddSite("busy");
    const Site other = AddSite("other");
    receiver_.SetHandler(
        [](const herald::testing::ReceivedRequest& r) -> std::optional<ReceiverReply> {
            if (r.target == "/hooks/busy") return Slow(300ms);
            return std::nullopt;
        });
    std::vector<ContentId> busy_ids;
    for (int i = 0; i < 6; ++i)
        busy_ids.push_back(AddScheduled(busy, now_ - 10s + Milliseconds{i}).id);
    const ContentId other_id = AddScheduled(other, now_ - 1s).id;  // due after all of busy's

    Dispatcher dispatcher = MakeDispatcher(clock_);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(dispatcher.RunDueOnce(now_).published, 7);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, 800ms);  // 6 calls of 300 ms, 2 at a time

    std::vector<PublishRecord> busy_records;
    TimePoint busy_last_finish{};
    for (ContentId id : busy_ids) {
        const auto r = Records(id).at(0);
        busy_records.push_back(r);
        busy_last_finish = std::max(busy_last_finish, r.finished_at);
    }
    EXPECT_LE(MaxOverlap(busy_records), 2);
    // The other site's item did not queue behind the busy site.
    EXPECT_LT(Records(other_id).at(0).finished_at, busy_last_finish);
}

TEST_P(DispatchTest, PublishNow) {
    Content draft = store_->CreateContent(herald::testing::DraftRow(site_, "Draft", now_));
    Content approved = draft;
    approved.id = 0;
    approved.status = EditorialStatus::kApproved;
    approved = store_->CreateContent(approved);

    Dispatcher dispatcher = MakeDispatcher(clock_);
    EXPECT_FALSE(dispatcher.PublishNow(account_, 999999));
    EXPECT_FALSE(dispatcher.PublishNow(account_ + 1, approved.id));  // another account's

    auto refused = dispatcher.PublishNow(account_, draft.id);
    ASSERT_TRUE(refused);
    ASSERT_FALSE(refused->ok());
    EXPECT_EQ(refused->error().kind, ErrorKind::kConflict);

    auto done = dispatcher.PublishNow(account_, approved.id);
    ASSERT_TRUE(done && done->ok());
    const PublishNowResult& r = done->value();
    EXPECT_TRUE(r.success);
    EXPECT_EQ(r.content.site_status, SiteStatus::kPublished);
    EXPECT_FALSE(r.content.external_id.empty());
    EXPECT_EQ(r.http_status, 200);
    const auto records = Records(approved.id);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].id, r.record_id);
    EXPECT_EQ(Get(approved.id).external_id, r.content.external_id);

    // Republishing sends the earlier external id, so the receiver updates its post.
    auto again = dispatcher.PublishNow(account_, approved.id);
    ASSERT_TRUE(again && again->ok());
    const auto last = nlohmann::json::parse(receiver_.Requests().back().body);
    EXPECT_EQ(last["external_id"], r.content.external_id);

    receiver_.SetDefaultReply(Answer(403));
    auto failed = dispatcher.PublishNow(account_, approved.id);
    ASSERT_TRUE(failed && failed->ok());
    EXPECT_FALSE(failed->value().success);
    EXPECT_EQ(failed->value().http_status, 403);
    EXPECT_NE(failed->value().error.find("credentials"), std::string::npos);
    EXPECT_EQ(Get(approved.id).site_status, SiteStatus::kFailed);
}

TEST_P(DispatchTest, BackgroundLoopPublishesOnTime) {
    settings_.idle_wake = 1h;  // only the due time may wake it: no polling
    const ContentId overdue = AddScheduled(site_, now_ - 1h).id;
    const TimePoint due = clock_.Now() + 1s;
    const ContentId soon = AddScheduled(site_, due).id;
    Dispatcher dispatcher = MakeDispatcher(clock_);
    dispatcher.Start();
    ASSERT_TRUE(receiver_.WaitForRequests(1, 2s));  // the overdue one, at once
    EXPECT_EQ(Get(soon).site_status, SiteStatus::kScheduled);
    ASSERT_TRUE(receiver_.WaitForRequests(2, 5s));
    dispatcher.Stop();

    EXPECT_EQ(Get(overdue).site_status, SiteStatus::kPublished);
    ASSERT_EQ(Get(soon).site_status, SiteStatus::kPublished);
    const auto record = Records(soon).at(0);
    EXPECT_GE(record.started_at, due);           // never early
    EXPECT_LT(record.started_at - due, 1500ms);  // and about on time
    std::cout << "[ timing   ] started " << (record.started_at - due).count() << " ms after due\n";
    EXPECT_GE(dispatcher.LastHeartbeat(), now_);
}

TEST_P(DispatchTest, WakeAfterAScheduleChange) {
    settings_.idle_wake = 1h;
    Dispatcher dispatcher = MakeDispatcher(clock_);
    const ContentId id = AddScheduled(site_, now_ + 1h).id;
    dispatcher.Start();
    // The loop has made its first pass, which found nothing due before the item's hour; a
    // wake that came during that pass is not lost either (the loop checks for one before
    // it sleeps).
    ASSERT_TRUE(herald::testing::WaitUntil([&] { return dispatcher.LastHeartbeat() >= now_; }));

    // Rescheduled to now, as the API would; then the API wakes the dispatcher.
    Content c = Get(id);
    c.scheduled_publish_at = clock_.Now();
    ASSERT_TRUE(store_->UpdateContent(c, c.version, storage::kContentSchedule).applied());
    const auto woken = std::chrono::steady_clock::now();
    dispatcher.Wake();
    ASSERT_TRUE(receiver_.WaitForRequests(1, 3s));
    EXPECT_LT(std::chrono::steady_clock::now() - woken, 1s);
    dispatcher.Stop();
    EXPECT_EQ(Get(id).site_status, SiteStatus::kPublished);
}

TEST_P(DispatchTest, StopReleasesItemsNeverStarted) {
    settings_.max_in_flight = 1;
    settings_.max_in_flight_per_site = 1;
    receiver_.SetDefaultReply(Slow(500ms));
    std::vector<ContentId> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(AddScheduled(site_, now_ - 10s + Milliseconds{i}).id);
    Dispatcher dispatcher = MakeDispatcher(clock_);
    dispatcher.Start();
    ASSERT_TRUE(receiver_.WaitForRequests(1, 3s));
    dispatcher.Stop(5s);

    EXPECT_EQ(receiver_.RequestCount(), 1u);
    EXPECT_EQ(Get(ids[0]).site_status, SiteStatus::kPublished);  // in flight: finished
    for (int i = 1; i < 3; ++i) {
        const Content c = Get(ids[i]);
        EXPECT_EQ(c.site_status, SiteStatus::kScheduled) << i;
        EXPECT_EQ(c.attempts, 0) << i;
        EXPECT_TRUE(c.claim_token.empty()) << i;
        EXPECT_TRUE(Records(ids[i]).empty()) << i;
    }
    // Another dispatcher picks them up at once.
    Dispatcher next = MakeDispatcher(clock_);
    EXPECT_EQ(next.RunDueOnce(clock_.Now()).published, 2);
}

}  // namespace
}  // namespace herald::dispatch::testing
