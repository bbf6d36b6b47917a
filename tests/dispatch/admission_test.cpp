// The dispatcher's pure parts: the loop's wait and per-site admission (caps, slow start,
// holding a refused site's queue, health). No database or network: plain jobs.

#include <gtest/gtest.h>

#include "dispatch/loop_wait.hpp"
#include "dispatch/site_admission.hpp"

namespace herald::dispatch {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using End = SiteAdmission::CallEnd;

TEST(LoopWait, Table) {
    struct Case {
        const char* name;
        LoopWaitInputs in;
        Milliseconds wait;
    };
    const Milliseconds idle = seconds{30};
    const Case cases[] = {
        {"nothing due: the safety net", {idle, std::nullopt, false, std::nullopt}, idle},
        {"due in 2 s: just after",
         {idle, milliseconds{2000}, false, std::nullopt},
         milliseconds{2001}},
        {"due later than the net", {idle, seconds{90}, false, std::nullopt}, idle},
        {"due already: no busy spin", {idle, milliseconds{-5}, false, std::nullopt}, kMinBusyWait},
        {"pool full: capacity wakes it", {idle, milliseconds{10}, true, std::nullopt}, idle},
        {"a token soon", {idle, seconds{5}, false, milliseconds{200}}, milliseconds{201}},
        {"a token overdue: 1 ms", {idle, std::nullopt, false, milliseconds{-40}}, milliseconds{1}},
    };
    for (const Case& c : cases) EXPECT_EQ(LoopWait(c.in), c.wait) << c.name;
}

class AdmissionTest : public ::testing::Test {
protected:
    JobPtr Job(domain::SiteId site, bool one_shot = false) {
        auto job = std::make_shared<dispatch::Job>();
        job->item.site.id = site;
        job->item.site.health = health_;
        job->item.content.id = ++next_id_;
        job->one_shot = one_shot;
        return job;
    }
    std::vector<JobPtr> Pump(domain::SiteId site) {
        return admission_.Pump({site}, std::chrono::steady_clock::now());
    }

    SiteAdmission admission_{AdmissionLimits{4, 0}};
    domain::SiteHealthState health_;
    domain::ContentId next_id_ = 0;
};

TEST_F(AdmissionTest, SlowStartThenTheCap) {
    for (int i = 0; i < 10; ++i) admission_.Enqueue(Job(1));
    EXPECT_EQ(Pump(1).size(), 1u);  // not proven yet: one call
    EXPECT_FALSE(admission_.CallFinished(1, End::kSucceeded));
    EXPECT_EQ(Pump(1).size(), 4u);  // proven: the cap
}

TEST_F(AdmissionTest, ARefusalHoldsTheQueueUntilSettled) {
    for (int i = 0; i < 5; ++i) admission_.Enqueue(Job(1));
    ASSERT_EQ(Pump(1).size(), 1u);
    EXPECT_TRUE(admission_.CallFinished(1, End::kSiteRefused));
    EXPECT_TRUE(Pump(1).empty());  // until the settle says what became of the site
    domain::SiteHealthState paused;
    paused.health = domain::SiteHealth::kPaused;
    const auto released = admission_.SetHealth(1, paused);
    EXPECT_EQ(released.size(), 4u);  // they wait in the database, no attempt spent
    admission_.FailureSettled(1);
    EXPECT_TRUE(Pump(1).empty());
}

TEST_F(AdmissionTest, TransientFailuresOfAProvenSiteKeepItsCap) {
    for (int i = 0; i < 10; ++i) admission_.Enqueue(Job(1));
    ASSERT_EQ(Pump(1).size(), 1u);
    admission_.CallFinished(1, End::kSucceeded);
    ASSERT_EQ(Pump(1).size(), 4u);
    EXPECT_FALSE(admission_.CallFinished(1, End::kTransient));
    EXPECT_EQ(Pump(1).size(), 1u);  // the freed slot refills at once
}

TEST_F(AdmissionTest, ATransientFailureBeforeAnySuccessHoldsTheQueue) {
    for (int i = 0; i < 3; ++i) admission_.Enqueue(Job(1));
    ASSERT_EQ(Pump(1).size(), 1u);
    EXPECT_TRUE(admission_.CallFinished(1, End::kTransient));
    EXPECT_TRUE(Pump(1).empty());
    admission_.FailureSettled(1);
    EXPECT_EQ(Pump(1).size(), 1u);
}

TEST_F(AdmissionTest, ADegradedSiteTakesOneCallAndPublishNowStillGoes) {
    health_.health = domain::SiteHealth::kDegraded;
    admission_.Enqueue(Job(1));
    admission_.Enqueue(Job(1));
    EXPECT_EQ(Pump(1).size(), 1u);  // the probe
    EXPECT_TRUE(Pump(1).empty());

    health_.health = domain::SiteHealth::kPaused;
    admission_.Enqueue(Job(2, /*one_shot=*/true));
    EXPECT_EQ(Pump(2).size(), 1u);  // the owner's explicit request
    admission_.Enqueue(Job(2));
    EXPECT_TRUE(Pump(2).empty());
}

TEST_F(AdmissionTest, FullQueuesAreReportedAndTrimmed) {
    for (int i = 0; i < 40; ++i) admission_.Enqueue(Job(1));
    const auto excess = admission_.TrimQueues({1});
    EXPECT_EQ(excess.size(), 24u);                // a queue holds max(16, 4 × cap)
    EXPECT_TRUE(admission_.FullSites().empty());  // not pumped yet: no waiting set
    Pump(1);
    EXPECT_EQ(admission_.FullSites(), std::vector<domain::SiteId>{});
    EXPECT_EQ(admission_.TakeAllWaiting().size(), 15u);
}

}  // namespace
}  // namespace herald::dispatch
