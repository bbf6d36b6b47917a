// Issue 3 "isolation test": a site whose receiver hangs does not delay another site's items
// beyond their due second. Then graceful shutdown: SIGTERM while the hung calls are in
// flight exits 0 within the grace period and leaves nothing `publishing`.

#include <signal.h>

#include <iostream>

#include "reliability/reliability_fixture.hpp"

namespace herald::reliability {
namespace {

TEST_P(ReliabilityTest, HungSiteDoesNotDelayOthersAndSigtermLeavesNothingPublishing) {
    receiver_.SetHandler([](const ReceivedRequest& r) -> std::optional<ReceiverReply> {
        if (r.target != "/hooks/hung") return std::nullopt;
        ReceiverReply reply;
        reply.delay = 60s;  // holds the request until the receiver shuts down
        return reply;
    });
    const Site hung = AddSite("hung");
    const Site fine = AddSite("fine");
    // The hung site has a large backlog due now; the other site's items fall due while it
    // is stuck.
    // One item per site instant: a millisecond apart.
    for (int i = 0; i < 200; ++i)
        AddScheduled(hung, now_ - 1s - Milliseconds{i}, "Stuck " + std::to_string(i));
    std::vector<ContentId> fine_ids;
    for (int i = 0; i < 10; ++i)
        fine_ids.push_back(
            AddScheduled(fine, now_ + 2s + Milliseconds{i * 200}, "Fine " + std::to_string(i)).id);

    auto serve = herald::testing::StartServe(db_url_, {"--shutdown-grace-ms", "1000"});
    ASSERT_TRUE(WaitPublished(static_cast<int64_t>(fine_ids.size()), 20s, fine.id));

    const auto records = RecordsByContent();
    Milliseconds worst{0};
    for (ContentId id : fine_ids) {
        const auto& r = records.at(id).at(0);
        ASSERT_TRUE(r.due_at);
        const Milliseconds late = r.started_at - *r.due_at;
        worst = std::max(worst, late);
        EXPECT_GE(late.count(), 0) << id;  // never early
        EXPECT_LT(late, 1s) << id;         // within its due second
    }
    std::cout << "[ isolation] other site's items started at most " << worst.count()
              << " ms after due while the hung site held "
              << CountStatus(SiteStatus::kPublishing, hung.id) << " items publishing\n";
    EXPECT_GT(CountStatus(SiteStatus::kPublishing, hung.id), 0);
    EXPECT_EQ(CountStatus(SiteStatus::kPublished, hung.id), 0);

    // Graceful shutdown with calls still hanging.
    const auto signalled = std::chrono::steady_clock::now();
    serve.process->Signal(SIGTERM);
    EXPECT_EQ(serve.process->Wait(10s), 0);
    const auto took = std::chrono::steady_clock::now() - signalled;
    std::cout << "[ shutdown ] exited " << std::chrono::duration_cast<Milliseconds>(took).count()
              << " ms after SIGTERM (grace 1000 ms)\n";
    EXPECT_LT(took, 5s);
    EXPECT_EQ(CountStatus(SiteStatus::kPublishing), 0);
    // The hung calls went back with their attempt counted (the next try knows it may be a
    // repeat); the ones never started went back untouched.
    int counted = 0;
    for (const Content& c : AllContent()) {
        if (c.site_id != hung.id) continue;
        EXPECT_EQ(c.site_status, SiteStatus::kScheduled) << c.id;
        EXPECT_TRUE(c.claim_token.empty()) << c.id;
        if (c.attempts == 1) ++counted;
    }
    EXPECT_EQ(counted, static_cast<int>(receiver_.CountsByWebhookId().size()) -
                           static_cast<int>(fine_ids.size()));
}

}  // namespace
}  // namespace herald::reliability
