#include "dispatch/slot_scheduler.hpp"

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "dispatch/dispatch_fixture.hpp"

namespace herald::dispatch::testing {
namespace {

using namespace std::chrono_literals;

class SlotSchedulerTest : public DispatchTest {
protected:
    Site AddAutoSite(const std::string& name, const std::string& zone = "UTC",
                     std::vector<int> slots = {9 * 60, 14 * 60, 18 * 60}) {
        Site site = AddSite(name);
        site.timezone = zone;
        EXPECT_TRUE(store_->UpdateSite(site, site.version).applied());
        const PublishingSettings settings = herald::testing::AutoPublishEveryDay(
            std::move(slots), *store_->GetSettings(account_, site.id));
        EXPECT_TRUE(store_->PutSettings(account_, settings, std::nullopt).applied());
        return *store_->GetSite(account_, site.id);
    }

    Content AddApproved(const Site& site, TimePoint approved_at) {
        return store_->CreateContent(herald::testing::Approved(
            herald::testing::DraftRow(site, "Queued", approved_at), approved_at));
    }

    const TimePoint kNow = *ParseIso("2026-01-20T10:00:00Z");  // a Tuesday
};
HERALD_ON_EVERY_BACKEND(SlotSchedulerTest);

TEST_P(SlotSchedulerTest, AssignsEarliestFreeSlotsInApprovalOrder) {
    const Site site = AddAutoSite("auto");
    const ContentId second = AddApproved(site, kNow - 1h).id;
    const ContentId first = AddApproved(site, kNow - 2h).id;
    const ContentId manual = AddSite("manual").id;  // auto_publish off: ignored
    (void)manual;

    SlotScheduler scheduler(*store_, clock_);
    const auto dry = scheduler.RunOnce(kNow, /*dry_run=*/true);
    EXPECT_EQ(dry.sites, 1);
    EXPECT_EQ(dry.assigned, 2);
    ASSERT_EQ(dry.assignments.size(), 2u);
    EXPECT_EQ(Get(first).site_status, SiteStatus::kNotPublished);  // dry run wrote nothing

    const auto run = scheduler.RunOnce(kNow, /*dry_run=*/false);
    EXPECT_EQ(run.assigned, 2);
    EXPECT_EQ(run.left_unscheduled, 0);
    EXPECT_TRUE(run.errors.empty());
    const Content a = Get(first);
    const Content b = Get(second);
    EXPECT_EQ(a.site_status, SiteStatus::kScheduled);
    EXPECT_EQ(a.scheduled_publish_at, ParseIso("2026-01-20T14:00:00Z"));
    EXPECT_EQ(b.scheduled_publish_at, ParseIso("2026-01-20T18:00:00Z"));

    // Nothing left to do on a second run.
    EXPECT_EQ(scheduler.RunOnce(kNow, false).assigned, 0);
}

TEST_P(SlotSchedulerTest, BadSiteIsReportedAndOthersStillScheduled) {
    const Site bad = AddAutoSite("bad", "Not/AZone");
    const Site good = AddAutoSite("good", "Europe/Berlin");
    AddApproved(bad, kNow - 1h);
    const ContentId ok = AddApproved(good, kNow - 1h).id;
    SlotScheduler scheduler(*store_, clock_);
    const auto run = scheduler.RunOnce(kNow, false);
    EXPECT_EQ(run.sites, 2);
    EXPECT_EQ(run.assigned, 1);
    ASSERT_EQ(run.errors.size(), 1u);
    EXPECT_NE(run.errors[0].find("bad"), std::string::npos) << run.errors[0];
    // 14:00 in Berlin is 13:00Z.
    EXPECT_EQ(Get(ok).scheduled_publish_at, ParseIso("2026-01-20T13:00:00Z"));
}

TEST_P(SlotSchedulerTest, WakeRunsInTheBackgroundAndNotifies) {
    const Site site = AddAutoSite("auto");
    // The test holds the lead, so the scheduler follows: change notifications (PostgreSQL
    // sends one per approval) and periodic passes make no run, and every run is one that a
    // Wake() asked for. Each run that assigns notifies once, so `notified` counts runs.
    const auto lead = store_->TryLead("slot-scheduler");
    ASSERT_NE(lead, nullptr);
    SlotScheduler scheduler(*store_, clock_);
    std::atomic<int> notified{0};
    scheduler.Start([&] { ++notified; }, 1h);

    // A burst of approvals, each with its wake, as a batch approve sends them. The second
    // item arrives after the first wake: without the debounce the first wake's run would
    // place only the first item and the second wake would make a second run (and a second
    // notification); with it, one run places both. The pause is the burst's spacing (the
    // behaviour under test, not a wait): well inside the debounce (100 ms) but long enough
    // for an undebounced run to have started.
    const ContentId first = AddApproved(site, clock_.Now()).id;
    scheduler.Wake();
    std::this_thread::sleep_for(20ms);
    const ContentId second = AddApproved(site, clock_.Now()).id;
    scheduler.Wake();
    ASSERT_TRUE(herald::testing::WaitUntil([&] {
        return Get(first).site_status == SiteStatus::kScheduled &&
               Get(second).site_status == SiteStatus::kScheduled;
    }));

    // A wake after that run is a run of its own: it places an item no earlier run could see.
    const ContentId third = AddApproved(site, clock_.Now()).id;
    scheduler.Wake();
    ASSERT_TRUE(herald::testing::WaitUntil(
        [&] { return Get(third).site_status == SiteStatus::kScheduled; }));
    scheduler.Stop();  // joins the loop: every notification there will be has been made
    EXPECT_EQ(notified.load(), 2) << "one run for the burst, one for the later wake";
}

// HERALD_BENCH_ITEMS / HERALD_BENCH_SITES scale it up (the target: 100,000 items across
// 1,000 sites at >= 100,000 items/s); the default size keeps the suite quick.
TEST_P(SlotSchedulerTest, Throughput) {
    const int sites =
        std::getenv("HERALD_BENCH_SITES") ? std::atoi(std::getenv("HERALD_BENCH_SITES")) : 100;
    const int items =
        std::getenv("HERALD_BENCH_ITEMS") ? std::atoi(std::getenv("HERALD_BENCH_ITEMS")) : 10000;
    std::vector<int> hourly;
    for (int h = 0; h < 24; ++h) hourly.push_back(h * 60);
    std::vector<Site> all;
    for (int s = 0; s < sites; ++s)
        all.push_back(AddAutoSite("s" + std::to_string(s), "America/New_York", hourly));
    for (int i = 0; i < items; ++i) AddApproved(all[i % sites], kNow - Milliseconds{items - i});

    SlotScheduler scheduler(*store_, clock_);
    store_->ListAutoPublishSiteIds();  // the first read after the bulk insert is slow (WAL)
    const auto start = std::chrono::steady_clock::now();
    const auto run = scheduler.RunOnce(kNow, false);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(run.assigned, items);
    EXPECT_TRUE(run.errors.empty());
    std::cout << "[ bench    ] slot scheduler: " << items << " items across " << sites
              << " sites in " << seconds << " s = " << static_cast<int>(items / seconds)
              << " items/s\n";
}

}  // namespace
}  // namespace herald::dispatch::testing
