// Several herald processes on one PostgreSQL database (API.md §7, docs/scaling.md): one
// `--role api` and three `--role worker` processes publish 5,000 items while a worker is
// SIGKILLed and restarted and another is frozen past its lease; a reschedule through the api
// process reaches a worker at once; the per-site cap holds across workers; and a worker
// outlives its database going away. PostgreSQL only: skipped unless HERALD_TEST_PG_URL is set.

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "http/api_keys.hpp"
#include "storage/store.hpp"
#include "support/builders.hpp"
#include "support/http_test_client.hpp"
#include "support/pg_database.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::reliability {
namespace {

using namespace herald::domain;  // NOLINT: test brevity
using namespace std::chrono_literals;
using herald::testing::HttpTestClient;
using herald::testing::PgQuery;
using herald::testing::ReceivedRequest;
using herald::testing::ReceiverReply;
using herald::testing::ServeProcess;
using herald::testing::WebhookReceiver;
using Steady = std::chrono::steady_clock;

/// The shared polling helper, at this file's pace (its conditions query PostgreSQL).
template <typename F>
::testing::AssertionResult WaitFor(F done, Milliseconds timeout) {
    return herald::testing::WaitUntil(done, timeout, 50ms);
}

int64_t Int(const std::string& text) { return text.empty() ? 0 : std::stoll(text); }

/// The value of herald_publications_total{…outcome="published"…} summed over platforms.
int64_t PublishedMetric(uint16_t port) {
    HttpTestClient client("127.0.0.1", port);
    const auto res = client.Get("/metrics");
    int64_t total = 0;
    size_t pos = 0;
    while ((pos = res.body.find("herald_publications_total{", pos)) != std::string::npos) {
        const size_t end = res.body.find('\n', pos);
        const std::string line = res.body.substr(pos, end - pos);
        if (line.find("outcome=\"published\"") != std::string::npos)
            total += std::stoll(line.substr(line.rfind(' ') + 1));
        pos = end;
    }
    return total;
}

/// Largest number of requests in flight at the receiver at once, for a fixed answer delay.
int MaxOverlap(const std::vector<ReceivedRequest>& requests, Milliseconds delay) {
    std::vector<std::pair<std::chrono::system_clock::time_point, int>> events;
    for (const auto& r : requests) {
        events.emplace_back(r.received_at, +1);
        events.emplace_back(r.received_at + delay, -1);
    }
    std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : a.second < b.second;  // ends first
    });
    int open = 0, most = 0;
    for (const auto& [t, d] : events) most = std::max(most, open += d);
    return most;
}

ContentId DeliveredContentId(const ReceivedRequest& r) {
    const auto doc = nlohmann::json::parse(r.body, nullptr, false);
    if (!doc.is_object() || !doc.contains("content")) return 0;
    return doc["content"].value("id", ContentId{0});
}

class MultiProcessTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (herald::testing::PgServerUrl().empty()) GTEST_SKIP() << "HERALD_TEST_PG_URL is not set";
        database_ = std::make_unique<herald::testing::TestDatabase>();
        Open(database_->url());
    }

    void Open(const std::string& url) {
        url_ = url;
        store_ = storage::OpenStore(url_);
        now_ = SystemTimeSource().Now();
        if (account_ == 0) {
            key_ = http::GenerateApiKey();
            account_ = store_->CreateAccount("acme", http::HashApiKey(key_), now_);
        }
    }

    Site AddSite(const std::string& name) {
        return store_->CreateSite(
            herald::testing::SiteRow(account_, name, receiver_.Url("/hooks/" + name),
                                     receiver_.secret(), now_),
            PublishingSettings{});
    }

    /// `n` approved items scheduled from `first`, 1 ms apart, round-robin over `sites`; one
    /// INSERT (5,000 single inserts would take longer than the test).
    void AddScheduled(const std::vector<Site>& sites, int n, TimePoint first) {
        std::string site_ids = "ARRAY[";
        for (size_t i = 0; i < sites.size(); ++i)
            site_ids += (i ? "," : "") + std::to_string(sites[i].id);
        site_ids += "]::bigint[]";
        const int64_t now = ToUnixMillis(now_);
        PgQuery(url_,
                "INSERT INTO content (account_id, site_id, title, content_html, status,"
                " approved_at, site_status, site_status_updated_at, scheduled_publish_at,"
                " created_at, updated_at) SELECT " +
                    std::to_string(account_) + ", (" + site_ids + ")[1 + g % " +
                    std::to_string(sites.size()) +
                    "], 'Post ' || g, '<p>' || g || '</p>',"
                    " 'approved', " +
                    std::to_string(now - 3600000) + ", 'scheduled', " + std::to_string(now) + ", " +
                    std::to_string(ToUnixMillis(first)) + " + g, " + std::to_string(now) + ", " +
                    std::to_string(now) + " FROM generate_series(0, " + std::to_string(n - 1) +
                    ") AS g");
    }

    int64_t Count(const std::string& where) {
        return Int(PgQuery(url_, "SELECT count(*) FROM content WHERE " + where));
    }

    ServeProcess Worker(std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--role", "worker", "--lease-seconds", "5"};
        args.insert(args.end(), extra.begin(), extra.end());
        return herald::testing::StartServe(url_, args);
    }

    /// The receiver's view: every item under exactly one webhook-id.
    void ExpectOneWebhookIdPerItem(int64_t items) {
        std::map<ContentId, std::set<std::string>> ids_by_content;
        for (const auto& r : receiver_.Requests()) {
            EXPECT_TRUE(r.signature_valid) << r.webhook_id;
            ids_by_content[DeliveredContentId(r)].insert(r.webhook_id);
        }
        EXPECT_EQ(static_cast<int64_t>(ids_by_content.size()), items);
        for (const auto& [content, ids] : ids_by_content) EXPECT_EQ(ids.size(), 1u) << content;
        // And herald recorded one successful attempt per item: a late settle of a claim
        // taken over wrote nothing.
        EXPECT_EQ(PgQuery(url_,
                          "SELECT count(*) FROM (SELECT content_id FROM publish_records"
                          " WHERE outcome = 'published' GROUP BY content_id"
                          " HAVING count(*) > 1) AS twice"),
                  "0");
    }

    WebhookReceiver receiver_;
    std::unique_ptr<herald::testing::TestDatabase> database_;
    std::string url_;
    storage::StorePtr store_;
    TimePoint now_;
    AccountId account_ = 0;
    std::string key_;
};

TEST_F(MultiProcessTest, FiveThousandItemsOnFourProcessesSurviveAKillAndAFreeze) {
    constexpr int kItems = 5000;
    receiver_.SetDefaultReply([] {
        ReceiverReply reply;
        reply.delay = 20ms;
        return reply;
    }());
    std::vector<Site> sites;
    for (int s = 0; s < 10; ++s) sites.push_back(AddSite("mp-" + std::to_string(s)));
    auto api = herald::testing::StartServe(url_, {"--role", "api"});
    std::vector<ServeProcess> workers;
    for (int w = 0; w < 3; ++w) workers.push_back(Worker());
    const auto start = Steady::now();
    AddScheduled(sites, kItems, SystemTimeSource().Now() + 1s);  // due over 5 s from 1 s on

    const auto published = [&] { return Count("site_status = 'published'"); };
    ASSERT_TRUE(WaitFor([&] { return published() >= 500; }, 60s)) << published();
    // Worker 0 dies mid-run and comes back.
    workers[0].process->Signal(SIGKILL);
    EXPECT_EQ(workers[0].process->Wait(10s), -1);
    const int64_t at_kill = published();
    workers[0] = Worker();

    ASSERT_TRUE(WaitFor([&] { return published() >= 1500; }, 60s)) << published();
    // Worker 1 freezes with claims in hand, past its lease.
    const std::string frozen_pid = std::to_string(workers[1].process->pid());
    const std::string frozen_claims =
        "site_status = 'publishing' AND claim_token LIKE 'd1/%/" + frozen_pid + ".%'";
    // Frozen at a moment it holds claims: stop it, look, and let it go on if it held none.
    int64_t frozen_held = 0;
    ASSERT_TRUE(WaitFor(
        [&] {
            workers[1].process->Signal(SIGSTOP);
            frozen_held = Count(frozen_claims);
            if (frozen_held == 0) workers[1].process->Signal(SIGCONT);
            return frozen_held > 0;
        },
        30s));
    const int64_t at_freeze = published();
    const int64_t lease_end = Int(
        PgQuery(url_, "SELECT COALESCE(max(lease_until), 0) FROM content WHERE " + frozen_claims));
    // The others take its items over once its lease has ended (by the database's clock).
    ASSERT_TRUE(WaitFor(
        [&] {
            return Count(frozen_claims) == 0 &&
                   Int(PgQuery(url_, "SELECT herald_now_ms()")) > lease_end;
        },
        60s));
    workers[1].process->Signal(SIGCONT);  // its late settles must write nothing

    ASSERT_TRUE(WaitFor([&] { return published() >= kItems; }, 120s)) << published();
    const auto elapsed = Steady::now() - start;
    EXPECT_EQ(published(), kItems);
    EXPECT_EQ(Count("site_status = 'publishing'"), 0);
    EXPECT_EQ(Count("site_status <> 'published'"), 0);
    ExpectOneWebhookIdPerItem(kItems);

    std::vector<int64_t> per_worker;
    int publishing_workers = 0;
    for (auto& w : workers) {
        per_worker.push_back(PublishedMetric(w.port));
        if (per_worker.back() > 0) ++publishing_workers;
    }
    EXPECT_GE(publishing_workers, 2);
    std::map<std::string, int> deliveries;
    for (const auto& r : receiver_.Requests()) ++deliveries[r.webhook_id];
    int repeats = 0;
    for (const auto& [id, n] : deliveries) repeats += n - 1;
    std::cout << "[ multi    ] " << kItems << " items, 1 api + 3 workers, in "
              << std::chrono::duration_cast<Milliseconds>(elapsed).count() << " ms; kill at "
              << at_kill << " published, freeze at " << at_freeze << " (the frozen worker held "
              << frozen_held
              << " claims); published by the live workers' /metrics: " << per_worker[0]
              << " (restarted), " << per_worker[1] << " (frozen), " << per_worker[2] << "; "
              << receiver_.RequestCount() << " deliveries, " << repeats
              << " raw repeats under the same webhook-id\n";
    for (auto& w : workers) w.process->Signal(SIGTERM);
    api.process->Signal(SIGTERM);
    for (auto& w : workers) EXPECT_EQ(w.process->Wait(20s), 0);
    EXPECT_EQ(api.process->Wait(20s), 0);
}

TEST_F(MultiProcessTest, ARescheduleThroughTheApiProcessReachesAWorkerAtOnce) {
    const Site site = AddSite("wake");
    auto api = herald::testing::StartServe(url_, {"--role", "api"});
    auto worker = Worker();
    AddScheduled({site}, 1, SystemTimeSource().Now() + 1h);
    const std::string id = PgQuery(url_, "SELECT id FROM content");
    // The worker is asleep until the item's hour (or its 30 s safety net).
    ASSERT_TRUE(WaitFor(
        [&] {
            HttpTestClient client("127.0.0.1", worker.port);
            return client.Get("/readyz").status == 200;
        },
        10s));
    // Let it go to sleep, so the wake must come from NOTIFY: its change feed LISTENs (the api
    // role has none) and none of herald's sessions is mid-query. Its loop sleeping cannot be
    // seen from outside; should this catch it between two queries, the test only proves less.
    ASSERT_TRUE(WaitFor(
        [&] {
            return PgQuery(url_,
                           "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND query = 'LISTEN herald_wake' AND state = "
                           "'idle'") == "1" &&
                   PgQuery(url_,
                           "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND application_name = 'herald' AND state <> "
                           "'idle' AND pid <> pg_backend_pid()") == "0";
        },
        10s));

    HttpTestClient client("127.0.0.1", api.port);
    client.SetApiKey(key_);
    const TimePoint due = SystemTimeSource().Now() + 2s;
    const auto res = client.Post("/api/v1/writer/content/" + id + "/reschedule/",
                                 {{"scheduled_at", FormatIso(due)}});
    ASSERT_EQ(res.status, 200) << res.body;
    ASSERT_TRUE(receiver_.WaitForRequests(1, 10s));
    const auto received = receiver_.Requests().at(0).received_at;
    const auto late = std::chrono::duration_cast<Milliseconds>(received - due);
    std::cout << "[ wake     ] received " << late.count() << " ms after the new time\n";
    EXPECT_GE(late.count(), -50);  // not early (beyond clock reading granularity)
    EXPECT_LT(late, 1000ms);
}

TEST_F(MultiProcessTest, PerSiteCapHoldsAcrossWorkers) {
    constexpr Milliseconds kDelay = 500ms;
    receiver_.SetDefaultReply([&] {
        ReceiverReply reply;
        reply.delay = kDelay;
        return reply;
    }());
    // Three sites, each capped at 2, and three workers that can each hold 2 claims: no
    // single worker can fill the caps, so every site's 2 slots end up shared by processes.
    std::vector<Site> sites;
    for (int s = 0; s < 3; ++s) sites.push_back(AddSite("capped-" + std::to_string(s)));
    std::vector<ServeProcess> workers;
    for (int w = 0; w < 3; ++w)
        workers.push_back(Worker({"--max-in-flight-per-site", "2", "--max-in-flight", "1"}));
    constexpr int kItems = 24;
    AddScheduled(sites, kItems, SystemTimeSource().Now());
    ASSERT_TRUE(WaitFor([&] { return Count("site_status = 'published'") == kItems; }, 60s));
    std::map<std::string, std::vector<ReceivedRequest>> by_site;
    for (const auto& r : receiver_.Requests()) by_site[r.target].push_back(r);
    int publishing_workers = 0;
    for (auto& w : workers) publishing_workers += PublishedMetric(w.port) > 0 ? 1 : 0;
    EXPECT_EQ(by_site.size(), sites.size());
    int most = 0;
    for (const auto& [target, requests] : by_site) {
        const int overlap = MaxOverlap(requests, kDelay);
        most = std::max(most, overlap);
        EXPECT_LE(overlap, 2) << target;
    }
    std::cout << "[ cap      ] " << receiver_.RequestCount() << " requests to 3 sites capped "
              << "at 2, at most " << most << " at once per site at the receiver, from "
              << publishing_workers << " workers\n";
    EXPECT_EQ(most, 2);  // the cap is used
    EXPECT_GE(publishing_workers, 2);
    ExpectOneWebhookIdPerItem(kItems);
}

/// A throw-away PostgreSQL cluster of this test's own (scripts/postgres/start.sh with its own
/// folder and port), so stopping it disturbs no one else.
class OwnCluster {
public:
    OwnCluster() {
        const std::filesystem::path bin = herald::testing::HeraldBinary();
        scripts_ = (bin.parent_path().parent_path() / "scripts" / "postgres").string();
        dir_ = "/tmp/herald-pg-outage-" + std::to_string(getpid());
        port_ = FreePort();
        url_ = Run("start.sh");
    }
    ~OwnCluster() { Run("stop.sh", {"--purge"}); }

    const std::string& url() const { return url_; }
    void Stop() {
        std::vector<std::string> argv;
        if (getuid() == 0) argv = {"/usr/sbin/runuser", "-u", "herald-pg", "--"};
        for (const char* a :
             {"/usr/lib/postgresql/15/bin/pg_ctl", "-D", "", "-m", "fast", "-w", "stop"})
            argv.emplace_back(a);
        argv[argv.size() - 5] = dir_ + "/data";
        const auto r = herald::testing::RunCommand(argv);
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    void Start() { EXPECT_EQ(Run("start.sh"), url_); }

private:
    static int FreePort() {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        socklen_t len = sizeof addr;
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        close(fd);
        return ntohs(addr.sin_port);
    }
    std::string Run(const std::string& script, std::vector<std::string> args = {}) {
        std::vector<std::string> argv = {"/usr/bin/env", "HERALD_PG_DIR=" + dir_,
                                         "HERALD_PG_PORT=" + std::to_string(port_),
                                         scripts_ + "/" + script};
        argv.insert(argv.end(), args.begin(), args.end());
        const auto r = herald::testing::RunCommand(argv);
        if (r.exit_code != 0) throw std::runtime_error(script + " failed: " + r.err);
        return r.LastLine();
    }

    std::string scripts_, dir_, url_;
    int port_ = 0;
};

TEST_F(MultiProcessTest, AWorkerOutlivesItsDatabaseGoingAwayAndCatchesUp) {
    OwnCluster cluster;
    store_.reset();
    account_ = 0;
    Open(cluster.url());
    const Site site = AddSite("outage");
    constexpr int kItems = 30;
    // Due from 2 s to about 12 s from now: some before the outage, most during it.
    const TimePoint first = SystemTimeSource().Now() + 2s;
    for (int i = 0; i < kItems; ++i) {
        Content c;
        c.account_id = account_;
        c.site_id = site.id;
        c.title = "Post " + std::to_string(i);
        c.content_html = "<p>x</p>";
        c.status = EditorialStatus::kApproved;
        c.approved_at = now_ - 1h;
        c.site_status = SiteStatus::kScheduled;
        c.site_status_updated_at = now_;
        c.scheduled_publish_at = first + Milliseconds{i * 333};
        c.created_at = c.updated_at = now_;
        store_->CreateContent(c);
    }
    auto worker = herald::testing::StartServe(url_, {"--role", "worker", "--lease-seconds", "60"});
    HttpTestClient probe("127.0.0.1", worker.port);
    ASSERT_TRUE(receiver_.WaitForRequests(1, 20s));

    cluster.Stop();
    const auto stopped = Steady::now();
    // /readyz says 503 (with a reason) while the database is away; the process stays up.
    nlohmann::json unavailable;
    ASSERT_TRUE(WaitFor(
        [&] {
            const auto r = probe.Get("/readyz");
            if (r.status == 503) unavailable = r.json;
            return r.status == 503;
        },
        10s));
    std::cout << "[ outage   ] /readyz during the outage: " << unavailable.dump() << "\n";
    EXPECT_EQ(unavailable.value("reason", ""), "store_unavailable");
    // Several seconds down, the worker alive all along.
    while (Steady::now() - stopped < 5s) {
        ASSERT_EQ(kill(worker.process->pid(), 0), 0);
        EXPECT_EQ(probe.Get("/healthz").status, 200);
        std::this_thread::sleep_for(200ms);  // sampling through the outage: not a sync
    }
    const size_t during = receiver_.RequestCount();
    cluster.Start();
    const auto restarted = Steady::now();

    ASSERT_TRUE(WaitFor([&] { return probe.Get("/readyz").status == 200; }, 30s));
    const auto ready_after = Steady::now() - restarted;
    ASSERT_TRUE(WaitFor(
        [&] {
            try {
                return Count("site_status = 'published'") == kItems;
            } catch (const std::exception&) {
                return false;
            }
        },
        30s));
    std::cout << "[ outage   ] " << during << " deliveries before/while down, ready again "
              << std::chrono::duration_cast<Milliseconds>(ready_after).count()
              << " ms after the restart, all " << kItems << " published\n";
    EXPECT_EQ(kill(worker.process->pid(), 0), 0);
    EXPECT_EQ(Count("site_status = 'publishing'"), 0);
    ExpectOneWebhookIdPerItem(kItems);
    worker.process->Signal(SIGTERM);
    EXPECT_EQ(worker.process->Wait(20s), 0);
}

}  // namespace
}  // namespace herald::reliability
