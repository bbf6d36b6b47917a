// Issue 3 "crash test": herald publishing 1,000 items to a slow receiver is SIGKILLed at
// random moments, several times, and restarted each time. At the end every item is
// `published`, none `publishing`, and a receiver deduplicating by webhook-id has accepted
// each item exactly once. The raw duplicate deliveries (repeats of a webhook-id the receiver
// had already seen, which it drops) are printed.

#include <signal.h>

#include <iostream>
#include <random>

#include "reliability/reliability_fixture.hpp"

namespace herald::reliability {
namespace {

constexpr int kItems = 1000;
constexpr int kSites = 4;
constexpr int kKills = 5;

TEST_P(ReliabilityTest, SigkillAtRandomMomentsLosesNothingAndPublishesEachItemOnce) {
    // 50-200 ms per request, decided per request.
    receiver_.SetHandler([](const ReceivedRequest&) -> std::optional<ReceiverReply> {
        thread_local std::mt19937 rng{std::random_device{}()};
        ReceiverReply reply;
        reply.delay = Milliseconds{std::uniform_int_distribution<int>(50, 200)(rng)};
        return reply;
    });
    std::vector<Site> sites;
    for (int s = 0; s < kSites; ++s) sites.push_back(AddSite("crash-" + std::to_string(s)));
    // Due from a second ago to three seconds ahead, so kills land before, during and after
    // the due times.
    for (int i = 0; i < kItems; ++i)
        AddScheduled(sites[static_cast<size_t>(i % kSites)],
                     now_ - 1s + Milliseconds{(i * 4000) / kItems}, "Post " + std::to_string(i));

    // A long lease: recovery after a kill must come from spotting the dead process's claims,
    // not from waiting for the lease.
    // Default per-site cap (8): 32 calls in flight, about 4 s of work in all, so the kills
    // land mid-run.
    const std::vector<std::string> flags = {"--lease-seconds", "600"};
    std::mt19937 rng{std::random_device{}()};
    int64_t published_before_last = 0;
    for (int kill = 0; kill < kKills; ++kill) {
        auto serve = herald::testing::StartServe(db_url_, flags);
        // A kill at a random moment is what is under test, so this sleep is no sync.
        std::this_thread::sleep_for(
            Milliseconds{std::uniform_int_distribution<int>(100, 700)(rng)});
        serve.process->Signal(SIGKILL);
        EXPECT_EQ(serve.process->Wait(10s), -1);  // killed by the signal
        const int64_t publishing = CountStatus(SiteStatus::kPublishing);
        published_before_last = CountStatus(SiteStatus::kPublished);
        std::cout << "[ crash    ] kill " << kill + 1 << ": " << published_before_last
                  << " published, " << publishing << " left publishing by the dead process, "
                  << receiver_.RequestCount() << " deliveries so far\n";
    }
    EXPECT_LT(published_before_last, kItems) << "the kills should land mid-run";

    auto serve = herald::testing::StartServe(db_url_, flags);
    ASSERT_TRUE(WaitPublished(kItems, 60s)) << CountStatus(SiteStatus::kPublished);
    serve.process->Signal(SIGTERM);
    EXPECT_EQ(serve.process->Wait(20s), 0);

    EXPECT_EQ(CountStatus(SiteStatus::kPublished), kItems);
    EXPECT_EQ(CountStatus(SiteStatus::kPublishing), 0);
    EXPECT_EQ(CountStatus(SiteStatus::kScheduled), 0);
    EXPECT_EQ(CountStatus(SiteStatus::kFailed), 0);

    // The receiver's view: one distinct webhook-id per item, never two ids for one item.
    const auto requests = receiver_.Requests();
    std::map<ContentId, std::set<std::string>> ids_by_content;
    std::map<std::string, int> deliveries;
    for (const auto& r : requests) {
        EXPECT_TRUE(r.signature_valid) << r.webhook_id;
        ids_by_content[DeliveredContentId(r)].insert(r.webhook_id);
        ++deliveries[r.webhook_id];
    }
    EXPECT_EQ(deliveries.size(), static_cast<size_t>(kItems));
    EXPECT_EQ(ids_by_content.size(), static_cast<size_t>(kItems));
    for (const auto& [content, ids] : ids_by_content) EXPECT_EQ(ids.size(), 1u) << content;

    // Each item adopted the remote post its webhook-id created (the receiver answers a repeat
    // with the same post), so no item points at a second copy.
    std::set<std::string> external_ids;
    for (const Content& c : AllContent()) {
        EXPECT_EQ(c.site_status, SiteStatus::kPublished) << c.id;
        EXPECT_TRUE(c.claim_token.empty()) << c.id;
        external_ids.insert(c.external_id);
    }
    EXPECT_EQ(external_ids.size(), static_cast<size_t>(kItems));

    int raw_duplicates = 0, items_with_duplicates = 0;
    for (const auto& [id, n] : deliveries) {
        raw_duplicates += n - 1;
        if (n > 1) ++items_with_duplicates;
    }
    std::cout << "[ crash    ] " << kKills << " SIGKILLs, " << requests.size() << " deliveries for "
              << kItems << " items: " << raw_duplicates
              << " raw duplicate deliveries (same webhook-id again) on " << items_with_duplicates
              << " items; accepted exactly once each after "
              << "deduplication by webhook-id\n";
    RecordProperty("raw_duplicate_deliveries", raw_duplicates);
    RecordProperty("deliveries", static_cast<int>(requests.size()));
}

}  // namespace
HERALD_ON_EVERY_BACKEND(ReliabilityTest);

}  // namespace herald::reliability
