// dispatch::ScheduleSites, the one scheduling path, on every backend: a dry run writes
// nothing; concurrent runs over the same sites (with approvals arriving meanwhile) never
// put two items of a site on one instant and never exceed a site's limits.

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "dispatch/dispatch_fixture.hpp"
#include "dispatch/slot_scheduler.hpp"

namespace herald::dispatch::testing {
namespace {

using namespace std::chrono_literals;

class ScheduleSitesTest : public DispatchTest {
protected:
    Site AddAutoSite(const std::string& name, std::optional<int> daily = std::nullopt,
                     std::optional<int> weekly = std::nullopt, bool auto_publish = true) {
        const Site site = AddSite(name);  // UTC
        PublishingSettings settings = herald::testing::AutoPublishEveryDay(
            {9 * 60, 12 * 60, 15 * 60, 18 * 60}, *store_->GetSettings(account_, site.id));
        settings.auto_publish_enabled = auto_publish;
        settings.daily_publish_limit = daily;
        settings.weekly_publish_limit = weekly;
        EXPECT_TRUE(store_->PutSettings(account_, settings, site.version).applied());
        return *store_->GetSite(account_, site.id);
    }

    Content AddItem(const Site& site, EditorialStatus status, TimePoint approved_at) {
        Content c = herald::testing::DraftRow(site, "Queued", approved_at);
        if (status == EditorialStatus::kApproved) c = herald::testing::Approved(c, approved_at);
        c.status = status;
        return store_->CreateContent(c);
    }

    std::vector<Content> Scheduled(const Site& site) {
        storage::ContentFilter filter;
        filter.account_id = account_;
        filter.site_id = site.id;
        filter.site_status = SiteStatus::kScheduled;
        filter.page.page_size = 500;
        return store_->ListContent(filter).items;
    }

    const TimePoint kNow = *ParseIso("2026-01-20T10:00:00Z");  // a Tuesday
};
HERALD_ON_EVERY_BACKEND(ScheduleSitesTest);

TEST_P(ScheduleSitesTest, DryRunWritesNothing) {
    const Site site = AddAutoSite("auto", /*daily=*/2);
    const Site manual = AddAutoSite("manual", std::nullopt, std::nullopt, /*auto=*/false);
    std::vector<ContentId> ids;
    for (int i = 0; i < 3; ++i) {
        const TimePoint approved_at = kNow - std::chrono::hours{3 - i};
        ids.push_back(AddItem(site, EditorialStatus::kApproved, approved_at).id);
    }
    const ContentId by_hand = AddItem(manual, EditorialStatus::kApproved, kNow - 1h).id;

    const auto dry = ScheduleSites(*store_, {site.id, manual.id}, kNow, /*dry_run=*/true,
                                   /*require_auto_publish=*/true);
    ASSERT_EQ(dry.size(), 2u);
    EXPECT_EQ(dry[0].queued, 3u);
    ASSERT_EQ(dry[0].assignments.size(), 3u);
    EXPECT_TRUE(dry[1].skipped);  // auto-publish off: a background run leaves it alone
    for (ContentId id : ids) {
        const Content c = Get(id);
        EXPECT_EQ(c.site_status, SiteStatus::kNotPublished);
        EXPECT_FALSE(c.scheduled_publish_at);
        EXPECT_EQ(c.version, 1);
    }
    EXPECT_TRUE(store_->LoadCalendar(site.id, kNow - domain::kCalendarLookBack).scheduled.empty());

    // The real run sets what the dry run said it would.
    const auto run = ScheduleSites(*store_, {site.id}, kNow, false, true);
    ASSERT_EQ(run.size(), 1u);
    ASSERT_EQ(run[0].assignments.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(run[0].assignments[i].content_id, dry[0].assignments[i].content_id);
        EXPECT_EQ(run[0].assignments[i].at, dry[0].assignments[i].at);
        const Content c = Get(run[0].assignments[i].content_id);
        EXPECT_EQ(c.site_status, SiteStatus::kScheduled);
        EXPECT_EQ(c.scheduled_publish_at, run[0].assignments[i].at);
    }
    // An explicit per-site run does not require auto-publish.
    EXPECT_EQ(Get(by_hand).site_status, SiteStatus::kNotPublished);
    const auto explicit_run = ScheduleSites(*store_, {manual.id}, kNow, false, false);
    ASSERT_EQ(explicit_run.size(), 1u);
    EXPECT_EQ(explicit_run[0].assignments.size(), 1u);
    EXPECT_EQ(Get(by_hand).site_status, SiteStatus::kScheduled);
}

// UTC sites, so a local day is a UTC day and an ISO week starts on a UTC Monday.
int64_t UtcDay(TimePoint t) {
    return std::chrono::floor<std::chrono::days>(t).time_since_epoch().count();
}
int64_t IsoWeek(TimePoint t) {
    // 1970-01-01 was a Thursday: day + 3 counts from the Monday before it.
    const int64_t d = UtcDay(t) + 3;
    return d >= 0 ? d / 7 : (d - 6) / 7;
}

TEST_P(ScheduleSitesTest, ConcurrentRunsNeverDoubleBookOrExceedLimits) {
    constexpr int kSites = 5;
    constexpr int kThreads = 8;
    constexpr int kRunsPerThread = 15;
    constexpr int kQueuedAtStart = 8;
    constexpr int kApprovedDuring = 8;
    std::vector<Site> sites;
    std::vector<SiteId> site_ids;
    std::map<SiteId, std::pair<int, int>> limits;  // daily, weekly
    for (int s = 0; s < kSites; ++s) {
        const int daily = 1 + s % 2;
        const int weekly = 3 + s;
        sites.push_back(AddAutoSite("s" + std::to_string(s), daily, weekly));
        site_ids.push_back(sites.back().id);
        limits[sites.back().id] = {daily, weekly};
    }
    for (int i = 0; i < kQueuedAtStart; ++i)
        for (const Site& site : sites)
            AddItem(site, EditorialStatus::kApproved, kNow - Milliseconds{1000 - i});
    // Drafts the editor approves while the runs go on.
    std::vector<Content> drafts;
    for (int i = 0; i < kApprovedDuring; ++i)
        for (const Site& site : sites)
            drafts.push_back(AddItem(site, EditorialStatus::kDraft, kNow));

    std::mutex errors_mu;
    std::vector<std::string> errors;
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            while (!go.load()) std::this_thread::yield();
            for (int r = 0; r < kRunsPerThread; ++r) {
                try {
                    for (const auto& site : ScheduleSites(*store_, site_ids, kNow, false, true))
                        if (site.error) {
                            std::lock_guard lock(errors_mu);
                            errors.push_back(site.error->message);
                        }
                } catch (const std::exception& e) {
                    std::lock_guard lock(errors_mu);
                    errors.push_back(e.what());
                }
            }
        });
    }
    std::thread editor([&] {
        while (!go.load()) std::this_thread::yield();
        // Each approval dated before everything queued, so it goes to the head of its
        // site's queue and every run plans differently from the one before: runs that did
        // not hold the site would then write plans that disagree (and break the limits).
        for (size_t i = 0; i < drafts.size(); ++i) {
            Content& c = drafts[i];
            c.status = EditorialStatus::kApproved;
            c.approved_at = kNow - std::chrono::hours{1} - Milliseconds{static_cast<int>(i)};
            const auto r = store_->UpdateContent(c, c.version, storage::kContentEditorial);
            EXPECT_TRUE(r.applied()) << static_cast<int>(r.outcome);
            std::this_thread::sleep_for(1ms);  // spreads approvals across the runs: not a sync
        }
    });
    go = true;
    for (auto& t : threads) t.join();
    editor.join();
    EXPECT_TRUE(errors.empty()) << errors.size() << " errors, first: " << errors.front();
    // Approvals after the last of the concurrent runs wait for the next run.
    ScheduleSites(*store_, site_ids, kNow, false, true);

    for (const Site& site : sites) {
        const auto [daily, weekly] = limits[site.id];
        const auto items = Scheduled(site);
        EXPECT_EQ(items.size(), static_cast<size_t>(kQueuedAtStart + kApprovedDuring)) << site.name;
        std::set<TimePoint> instants;
        std::map<int64_t, int> per_day, per_week;
        for (const Content& c : items) {
            ASSERT_TRUE(c.scheduled_publish_at);
            const TimePoint at = *c.scheduled_publish_at;
            EXPECT_GT(at, kNow);
            EXPECT_TRUE(instants.insert(at).second)
                << site.name << ": two items at " << FormatIso(at);
            ++per_day[UtcDay(at)];
            ++per_week[IsoWeek(at)];
        }
        for (const auto& [day, n] : per_day)
            EXPECT_LE(n, daily) << site.name << ": day " << day << " has " << n;
        for (const auto& [week, n] : per_week)
            EXPECT_LE(n, weekly) << site.name << ": week " << week << " has " << n;
    }
}

}  // namespace
}  // namespace herald::dispatch::testing
