// Performance of the SQLite store at scale. The query-plan checks always run (a lost index
// fails them deterministically); the timed benchmarks on 1,000,000 rows run only with
// HERALD_STORAGE_BENCH=1 because wall-clock limits are unreliable on a loaded machine.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <random>

#include "storage/sqlite/queries.hpp"
#include "storage/store_fixture.hpp"

namespace herald::storage::test {
namespace {

using Clock = std::chrono::steady_clock;

double MicrosSince(Clock::time_point start) {
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

/// Process CPU time in ms: on a shared, loaded machine this is the steadier figure.
double CpuMillis() { return 1000.0 * static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

class RawDb {
public:
    explicit RawDb(const std::string& path) { sqlite3_open(path.c_str(), &db_); }
    ~RawDb() { sqlite3_close(db_); }
    void Exec(const std::string& sql) {
        char* error = nullptr;
        ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
            << (error ? error : "");
    }
    /// EXPLAIN QUERY PLAN's detail lines, joined.
    std::string Plan(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        const std::string explain = "EXPLAIN QUERY PLAN " + sql;
        EXPECT_EQ(sqlite3_prepare_v2(db_, explain.c_str(), -1, &stmt, nullptr), SQLITE_OK)
            << sqlite3_errmsg(db_) << "\n"
            << sql;
        std::string plan;
        while (stmt && sqlite3_step(stmt) == SQLITE_ROW)
            plan += std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3))) + "\n";
        sqlite3_finalize(stmt);
        return plan;
    }

private:
    sqlite3* db_ = nullptr;
};

/// Fills `content` with `rows` items over `sites` sites of `accounts` accounts in one
/// transaction: each site's site_status cycles through the five values, scheduled times spread over
/// a year after `now`.
void Populate(const std::string& path, int accounts, int sites, int64_t rows, TimePoint now) {
    RawDb raw(path);
    const std::string t = std::to_string(ToUnixMillis(now));
    // `publishing` rows are in flight: their leases are live on the database's clock (the
    // real one), whatever `now` the data is built around.
    const std::string lease =
        std::to_string(ToUnixMillis(SystemTimeSource().Now() + std::chrono::hours{1}));
    raw.Exec("PRAGMA cache_size = -1000000");  // index pages stay in memory while filling
    raw.Exec("BEGIN");
    raw.Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
             std::to_string(accounts) +
             ") INSERT INTO accounts (id, name, created_at)"
             " SELECT i, 'a' || i, " +
             t + " FROM n");
    raw.Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
             std::to_string(sites) +
             ") INSERT INTO sites (id, account_id, name, platform_type, created_at, updated_at)"
             " SELECT i, 1 + (i - 1) % " +
             std::to_string(accounts) + ", 's' || i, 'custom', " + t + ", " + t + " FROM n");
    raw.Exec(
        "INSERT INTO publishing_settings (site_id, publish_days, publish_time_slots,"
        " updated_at) SELECT id, '[0,1,2,3,4]', '[540]', " +
        t + " FROM sites");
    raw.Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
             std::to_string(rows) + "), r AS (SELECT i, 1 + i % " + std::to_string(sites) +
             " AS site,"
             " CASE (i / " +
             std::to_string(sites) +
             ") % 5 WHEN 0 THEN 'not_published' WHEN 1 THEN 'scheduled'"
             " WHEN 2 THEN 'publishing' WHEN 3 THEN 'published' ELSE 'failed' END AS ss FROM n)"
             " INSERT INTO content (account_id, site_id, title, content_html, status,"
             " approved_at, site_status, site_status_updated_at, scheduled_publish_at,"
             " published_at, lease_until, created_at, updated_at)"
             " SELECT 1 + (site - 1) % " +
             std::to_string(accounts) +
             ", site, 'title ' || i, '<p>body of a reasonably sized post</p>', 'approved', " + t +
             ", ss, " + t + ", CASE WHEN ss = 'not_published' THEN NULL ELSE " + t +
             " + (i * 31536) % 31536000000 END, CASE WHEN ss = 'published' THEN " + t +
             " - i ELSE NULL END, CASE WHEN ss = 'publishing' THEN " + lease + " ELSE NULL END, " +
             t + ", " + t + " FROM r");
    raw.Exec("COMMIT");
}

// --- plans (always run) -------------------------------------------------------------------------

class QueryPlanTest : public SqliteOnlyTest {
protected:
    void SetUp() override {
        Populate(path_, 3, 30, 3000, kNow);
        RawDb(path_).Exec("ANALYZE");  // plans must hold with statistics too
    }
    void ExpectNoFullScan(const std::string& sql) {
        const std::string plan = RawDb(path_).Plan(sql);
        EXPECT_EQ(plan.find("SCAN content\n"), std::string::npos) << sql << "\n" << plan;
        EXPECT_EQ(plan.find("SCAN c\n"), std::string::npos) << sql << "\n" << plan;
        EXPECT_EQ(plan.find("SCAN publish_records\n"), std::string::npos) << sql << "\n" << plan;
    }
};

TEST_F(QueryPlanTest, HotQueriesAreIndexDriven) {
    ExpectNoFullScan(
        "SELECT COUNT(*) FROM content WHERE account_id = 1 AND site_id = 2 AND "
        "site_status = 'scheduled'");
    const std::string list_plan = RawDb(path_).Plan(
        "SELECT id FROM content WHERE account_id = 1 AND site_id = 2 AND site_status = "
        "'scheduled' ORDER BY id LIMIT 50");
    EXPECT_NE(list_plan.find("content_account_site"), std::string::npos) << list_plan;
    EXPECT_EQ(list_plan.find("TEMP B-TREE"), std::string::npos) << list_plan;  // no sort
    ExpectNoFullScan("SELECT id FROM content WHERE account_id = 1 ORDER BY id DESC LIMIT 50");
    ExpectNoFullScan(sqlite::sql::kSchedulingQueue);
    ExpectNoFullScan(sqlite::sql::kCalendarScheduled);
    ExpectNoFullScan(sqlite::sql::kCalendarPublished);
    ExpectNoFullScan(sqlite::sql::kClaimCandidates);
    ExpectNoFullScan(sqlite::sql::kLiveBySite);
    ExpectNoFullScan(sqlite::sql::kClaimById);
    ExpectNoFullScan(sqlite::sql::kNextDue);
    ExpectNoFullScan(sqlite::sql::kNextLeaseEnd);
    ExpectNoFullScan(sqlite::sql::kCountOverdue);
    ExpectNoFullScan(sqlite::sql::kApplyAssignment);
    ExpectNoFullScan("SELECT id FROM publish_records WHERE account_id = 1 AND content_id = 5");
    ExpectNoFullScan("SELECT id FROM publish_records WHERE account_id = 1 AND site_id = 5");
    auto expect_index = [this](const char* sql, const char* index) {
        const std::string plan = RawDb(path_).Plan(sql);
        EXPECT_NE(plan.find(index), std::string::npos) << index << "\n" << sql << "\n" << plan;
    };
    expect_index(sqlite::sql::kNextDue, "content_due");
    expect_index(sqlite::sql::kClaimCandidates, "content_due");
    expect_index(sqlite::sql::kClaimCandidates, "content_lease");
    {
        // The due items stream in index order: only the abandoned claims are sorted.
        const std::string plan = RawDb(path_).Plan(sqlite::sql::kClaimCandidates);
        EXPECT_NE(plan.find("MERGE (UNION ALL)"), std::string::npos) << plan;
        EXPECT_EQ(plan.find("TEMP B-TREE"), plan.rfind("TEMP B-TREE")) << plan;  // at most one
        EXPECT_LT(plan.find("content_due"), plan.find("content_lease")) << plan;
        EXPECT_GT(plan.find("TEMP B-TREE"), plan.find("content_lease")) << plan;
    }
    expect_index(sqlite::sql::kLiveBySite, "content_lease");
    expect_index(sqlite::sql::kNextLeaseEnd, "content_lease");
    expect_index(sqlite::sql::kCountOverdue, "content_due");
    expect_index(sqlite::sql::kSchedulingQueue, "content_queue");
    // The unique one-item-per-instant index doubles as the calendar's.
    expect_index(sqlite::sql::kCalendarScheduled, "content_site_instant");
    expect_index(sqlite::sql::kCalendarPublished, "content_published");
    expect_index(sqlite::sql::kSiteHasPublishing, "content_account_site");
    expect_index(sqlite::sql::kDeleteSiteContent, "content_account_site");
    // The scheduler's and dispatcher's reads need no sorting step either.
    for (const char* sql :
         {sqlite::sql::kNextDue, sqlite::sql::kSchedulingQueue, sqlite::sql::kNextLeaseEnd}) {
        const std::string plan = RawDb(path_).Plan(sql);
        EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << sql << "\n" << plan;
    }
}

// --- timed benchmarks (HERALD_STORAGE_BENCH=1) ---------------------------------------------------

class StorageBenchmark : public SqliteOnlyTest {
protected:
    void SetUp() override {
        if (std::getenv("HERALD_STORAGE_BENCH") == nullptr)
            GTEST_SKIP() << "set HERALD_STORAGE_BENCH=1 to run the 1,000,000-row benchmarks";
    }
};

TEST_F(StorageBenchmark, MillionRows) {
    auto start = Clock::now();
    Populate(path_, 10, 1000, 1'000'000, kNow);
    std::printf("populate 1,000,000 rows: %.1f s\n", MicrosSince(start) / 1e6);
    Reopen();

    // ListContent{account, site_id, site_status=scheduled} with COUNT, page_size 50.
    std::mt19937 rng(42);
    constexpr int kRuns = 2000;
    int64_t total = 0;
    start = Clock::now();
    double cpu_start = CpuMillis();
    for (int i = 0; i < kRuns; ++i) {
        const SiteId site = 1 + static_cast<SiteId>(rng() % 1000);
        ContentFilter f;
        f.account_id = 1 + (site - 1) % 10;
        f.site_id = site;
        f.site_status = SiteStatus::kScheduled;
        f.page = {1, 50};
        auto page = store().ListContent(f);
        total += page.count;
        ASSERT_EQ(page.items.size(), 50u);
    }
    const double list_us = MicrosSince(start) / kRuns;
    std::printf(
        "ListContent(site, scheduled) count+50: %.1f us/call wall, %.1f us CPU"
        " (count ~%lld)\n",
        list_us, 1000 * (CpuMillis() - cpu_start) / kRuns, static_cast<long long>(total / kRuns));
    EXPECT_LT(list_us, 1000.0);

    start = Clock::now();
    for (int i = 0; i < 200; ++i) {
        ContentFilter f;
        f.account_id = 1 + i % 10;
        f.ordering = ContentOrder::kScheduledDesc;
        f.page = {3, 50};
        ASSERT_EQ(store().ListContent(f).items.size(), 50u);
    }
    std::printf("ListContent(account) by -scheduled page 3: %.1f us/call (count 100k)\n",
                MicrosSince(start) / 200);

    // A dry run that places nothing: what a per-site run costs to read queue and calendar.
    const SlotPlanner place_nothing = [](const SiteSchedulingInput&) {
        return Result<std::vector<SlotAssignment>>(std::vector<SlotAssignment>{});
    };
    start = Clock::now();
    for (int i = 0; i < 1000; ++i) {
        ScheduleRequest request;
        request.sites = {1 + i % 1000};
        request.now = kNow;
        request.calendar_from = kNow - kCalendarLookBack;
        request.dry_run = true;
        request.require_auto_publish = false;
        (void)store().ScheduleSites(request, place_nothing);
    }
    std::printf("ScheduleSites(1 site, dry run, queue+calendar): %.1f us/call\n",
                MicrosSince(start) / 1000);
    start = Clock::now();
    for (int i = 0; i < 1000; ++i) (void)store().LoadCalendar(1 + i % 1000, kNow);
    std::printf("LoadCalendar (~400 scheduled+publishing/site): %.1f us/call\n",
                MicrosSince(start) / 1000);
    start = Clock::now();
    for (int i = 0; i < 1000; ++i) (void)store().NextWorkIn(kNow);
    std::printf("NextWorkIn: %.1f us/call\n", MicrosSince(start) / 1000);
    start = Clock::now();
    auto overdue = store().CountOverdue(kNow + std::chrono::days{30});
    std::printf("CountOverdue (30 days ahead, %lld): %.1f us\n",
                static_cast<long long>(overdue.count), MicrosSince(start));

    // Claim batches of 64 out of ~16k due items.
    const TimePoint later = kNow + std::chrono::days{30};
    start = Clock::now();
    int claimed = 0;
    for (int i = 0; i < 50; ++i)
        claimed += static_cast<int>(
            ClaimBatch(store(), later, 64, "bench", std::chrono::minutes{2}).size());
    std::printf("Claim(64): %.1f us/call (%d claimed)\n", MicrosSince(start) / 50, claimed);
    EXPECT_EQ(claimed, 50 * 64);

    // 100,000 assignments through ScheduleSites over every site (the approved,
    // not_published rows are the queue), each at an instant of its own past the data.
    std::vector<SiteId> all_sites;
    for (SiteId id = 1; id <= 1000; ++id) all_sites.push_back(id);
    int64_t placed = 0;
    const SlotPlanner place = [&placed](const SiteSchedulingInput& in) {
        std::vector<SlotAssignment> out;
        for (ContentId id : in.queue) {
            if (placed == 100000) break;
            out.push_back({id, kNow + std::chrono::days{400} + Seconds{++placed}});
        }
        return Result<std::vector<SlotAssignment>>(std::move(out));
    };
    ScheduleRequest request;
    request.sites = all_sites;
    request.now = kNow;
    request.calendar_from = kNow - kCalendarLookBack;
    request.require_auto_publish = false;
    start = Clock::now();
    cpu_start = CpuMillis();
    size_t applied = 0;
    for (const auto& outcome : store().ScheduleSites(request, place))
        applied += outcome.assignments.size();
    const double apply_ms = MicrosSince(start) / 1000;
    std::printf("ScheduleSites(1,000 sites, 100,000 assignments): %.0f ms wall, %.0f ms CPU\n",
                apply_ms, CpuMillis() - cpu_start);
    EXPECT_EQ(applied, 100000u);
    EXPECT_LT(apply_ms, 1000.0);
}

}  // namespace
}  // namespace herald::storage::test
