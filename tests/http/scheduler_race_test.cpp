// Slot assignment that cannot double-book (API.md §4, §10): the API's per-site runs and
// several `herald tasks schedule-approved` processes race on the same sites while items are
// approved; afterwards no site has two items at one instant and no daily, ISO-weekly or
// monthly limit is exceeded, counted in the site's own time zone.

#include <date/tz.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "http/api_fixture.hpp"
#include "support/process.hpp"

namespace herald::testing {
namespace {

constexpr int kSites = 3;
constexpr int kItemsPerSite = 45;
constexpr int kDailyLimit = 2;
constexpr int kWeeklyLimit = 7;
constexpr int kMonthlyLimit = 20;
constexpr int kProcesses = 4;

class SchedulerRaceTest : public ApiTest {};

struct LocalKeys {
    date::local_days day;
    int iso_year_week;  // year * 100 + ISO week
    int year_month;     // year * 100 + month
};

LocalKeys KeysOf(const std::string& zone, TimePoint at) {
    const auto local =
        date::make_zoned(zone, date::floor<std::chrono::milliseconds>(at)).get_local_time();
    const date::local_days day = date::floor<date::days>(local);
    const date::year_month_day ymd(day);
    // ISO week: the week's Thursday decides its year.
    const date::weekday wd(day);
    const int from_monday = (wd.c_encoding() + 6) % 7;
    const date::local_days thursday = day - date::days{from_monday} + date::days{3};
    const date::year iso_year = date::year_month_day(thursday).year();
    const date::local_days jan1{iso_year / date::January / 1};
    const int week = static_cast<int>((thursday - jan1).count() / 7) + 1;
    return {day, static_cast<int>(iso_year) * 100 + week,
            static_cast<int>(ymd.year()) * 100 + static_cast<int>(unsigned(ymd.month()))};
}

TEST_P(SchedulerRaceTest, ApiRunsAndSchedulerProcessesNeverDoubleBookOrExceedLimits) {
    const std::vector<std::string> zones = {"UTC", "Europe/Berlin", "America/New_York"};
    std::vector<json> sites;
    for (int s = 0; s < kSites; ++s) {
        const json site = MakeSite({{"name", "Site " + std::to_string(s)}, {"timezone", zones[s]}});
        // Two slots 30 minutes apart and one that DST can fold onto another instant.
        const auto put =
            client_->Patch(SitePath(site, "publishing-settings/"),
                           {{"auto_publish_enabled", true},
                            {"publish_days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                            {"publish_time_slots", {"02:30", "03:30", "09:00", "09:30", "14:00"}},
                            {"daily_publish_limit", kDailyLimit},
                            {"weekly_publish_limit", kWeeklyLimit},
                            {"monthly_publish_limit", kMonthlyLimit}});
        ASSERT_EQ(put.status, 200) << put.body;
        sites.push_back(site);
    }
    // Half the items approved up front, the rest while the schedulers run.
    std::vector<json> later;
    for (const json& site : sites) {
        for (int i = 0; i < kItemsPerSite; ++i) {
            const json c = MakeContent(site["id"], {{"status", i % 2 ? "review" : "approved"}});
            if (i % 2) later.push_back(c);
        }
    }

    std::atomic<bool> stop{false};
    std::thread approver([&] {
        auto client = NewClient(key_a_);
        for (const json& c : later) {
            const auto res = client->Patch(ContentPath(c), {{"status", "approved"}});
            EXPECT_EQ(res.status, 200) << res.body;
        }
    });
    std::vector<std::thread> api_runs;
    for (int t = 0; t < 2; ++t) {
        api_runs.emplace_back([&, t] {
            auto client = NewClient(key_a_);
            while (!stop) {
                for (const json& site : sites) {
                    const auto res =
                        client->Post(SitePath(site, "schedule-approved/"), json::object());
                    EXPECT_EQ(res.status, 200) << res.body;
                }
            }
        });
    }
    std::vector<std::thread> processes;
    for (int p = 0; p < kProcesses; ++p) {
        processes.emplace_back([&] {
            for (int run = 0; run < 3; ++run) {
                const auto result = RunCommand({HeraldBinary(), "tasks", "schedule-approved",
                                                "--db", db_->url(), "--now", kNow});
                EXPECT_EQ(result.exit_code, 0) << result.err;
            }
        });
    }
    approver.join();
    for (auto& p : processes) p.join();
    stop = true;
    for (auto& t : api_runs) t.join();
    // One more run places whatever was approved after the last one.
    ASSERT_EQ(RunCommand(
                  {HeraldBinary(), "tasks", "schedule-approved", "--db", db_->url(), "--now", kNow})
                  .exit_code,
              0);

    for (int s = 0; s < kSites; ++s) {
        const auto listed = client_->Get("/api/v1/writer/content/?page_size=500&site_id=" +
                                         std::to_string(sites[s]["id"].get<int64_t>()));
        ASSERT_EQ(listed.status, 200);
        std::set<std::string> instants;
        std::map<date::local_days, int> per_day;
        std::map<int, int> per_week, per_month;
        int scheduled = 0;
        for (const json& c : listed.json["results"]) {
            ASSERT_EQ(c["status"], "approved");
            if (c["site_status"] != "scheduled") continue;
            ++scheduled;
            const std::string at = c["scheduled_publish_at"];
            EXPECT_TRUE(instants.insert(at).second) << zones[s] << ": two items at " << at;
            const LocalKeys keys = KeysOf(zones[s], Iso(at));
            ++per_day[keys.day];
            ++per_week[keys.iso_year_week];
            ++per_month[keys.year_month];
        }
        EXPECT_EQ(scheduled, kItemsPerSite) << zones[s] << ": everything fits in the horizon";
        for (const auto& [day, n] : per_day) EXPECT_LE(n, kDailyLimit) << zones[s];
        for (const auto& [week, n] : per_week)
            EXPECT_LE(n, kWeeklyLimit) << zones[s] << " " << week;
        for (const auto& [month, n] : per_month) EXPECT_LE(n, kMonthlyLimit) << zones[s];
    }
}

}  // namespace
HERALD_ON_EVERY_BACKEND(SchedulerRaceTest);

}  // namespace herald::testing
