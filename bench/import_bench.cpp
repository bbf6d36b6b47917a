// Bulk import benchmark: ROWS CSV rows (titles, HTML, tags, categories; every 10th one a
// duplicate title) into one site of a fresh SQLite database, through the API's own import
// handler in-process (http::LocalApi: parse, per-row checks, the one-transaction batch
// insert, duplicate warnings), then the same rows through Store::CreateContentBatch alone.
// Best of RUNS each, a fresh database per run.
//
//   herald_import_bench [--rows 10000] [--runs 5] [--dir /tmp]
// Run through bench/import.sh.

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "http/local_api.hpp"
#include "publishers/http_client.hpp"
#include "publishers/publisher.hpp"
#include "storage/store.hpp"

namespace {

using namespace herald;  // NOLINT: a benchmark's main
using Clock = std::chrono::steady_clock;

std::string MakeCsv(int rows) {
    std::string csv = "title,content_html,excerpt,slug,categories,tags\n";
    csv.reserve(static_cast<size_t>(rows) * 160);
    for (int i = 0; i < rows; ++i) {
        const int n = i % 10 == 9 ? i - 1 : i;  // every 10th title repeats the one before
        csv += "Post number " + std::to_string(n) + ",\"<p>Body of post " + std::to_string(i) +
               ", with a comma and <b>markup</b>.</p>\",Excerpt " + std::to_string(i) + ",post-" +
               std::to_string(i) + ",News|Tech,alpha|beta|gamma\n";
    }
    return csv;
}

struct Fresh {
    explicit Fresh(const std::string& dir, int run)
        : path(dir + "/import-bench-" + std::to_string(run) + ".db") {
        std::filesystem::remove(path);
        std::filesystem::remove(path + "-wal");
        std::filesystem::remove(path + "-shm");
        std::filesystem::remove(path + ".key");
        store = storage::OpenStore("sqlite:" + path);
        const TimePoint now = SystemTimeSource().Now();
        account = store->CreateAccount("bench", "hash-bench-" + std::to_string(run), now);
        domain::Site site;
        site.account_id = account;
        site.name = "Bench";
        site.domain = "https://example.com/hook";
        site.created_at = site.updated_at = now;
        site_id = store->CreateSite(site, domain::PublishingSettings{}).id;
    }
    ~Fresh() {
        store.reset();
        for (const char* suffix : {"", "-wal", "-shm", ".key"})
            std::filesystem::remove(path + suffix);
    }
    std::string path;
    storage::StorePtr store;
    domain::AccountId account = 0;
    domain::SiteId site_id = 0;
};

}  // namespace

int main(int argc, char** argv) {
    int rows = 10000;
    int runs = 5;
    std::string dir = "/tmp";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--rows") == 0)
            rows = std::stoi(argv[i + 1]);
        else if (std::strcmp(argv[i], "--runs") == 0)
            runs = std::stoi(argv[i + 1]);
        else if (std::strcmp(argv[i], "--dir") == 0)
            dir = argv[i + 1];
    }
    const std::string csv = MakeCsv(rows);
    auto http = publishers::MakeCurlHttpClient();
    const auto registry = publishers::MakeDefaultPublishers(*http);
    SystemTimeSource clock;
    double best_api = 1e9;
    double best_store = 1e9;
    size_t warnings = 0;
    for (int run = 0; run < runs; ++run) {
        {
            Fresh db(dir, run);
            http::LocalApi api(http::AppContext{*db.store, clock, registry});
            const auto start = Clock::now();
            const auto answer = api.Call(db.account, "POST", "/api/v1/writer/content/import/",
                                         "site_id=" + std::to_string(db.site_id), csv, "text/csv");
            const double ms =
                std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            if (answer.status != 201) {
                std::cerr << "import failed: " << answer.status << " " << answer.body << "\n";
                return 1;
            }
            const auto body = nlohmann::json::parse(answer.body);
            if (body["imported"] != rows) return 1;
            warnings = body["warnings"].size();
            best_api = std::min(best_api, ms);
        }
        {
            Fresh db(dir, run);
            std::vector<domain::Content> items(static_cast<size_t>(rows));
            const TimePoint now = clock.Now();
            for (int i = 0; i < rows; ++i) {
                domain::Content& c = items[static_cast<size_t>(i)];
                c.account_id = db.account;
                c.site_id = db.site_id;
                c.title = "Post number " + std::to_string(i);
                c.content_html = "<p>Body</p>";
                c.tags = {"alpha", "beta"};
                c.created_at = c.updated_at = c.site_status_updated_at = now;
            }
            const auto start = Clock::now();
            const auto result = db.store->CreateContentBatch(db.account, db.site_id, items);
            const double ms =
                std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            if (result.ids.size() != items.size()) return 1;
            best_store = std::min(best_store, ms);
        }
    }
    std::printf("rows=%d runs=%d csv_bytes=%zu\n", rows, runs, csv.size());
    std::printf("api import (parse, check, insert, warnings=%zu): best %.1f ms (%.0f rows/s)\n",
                warnings, best_api, rows / best_api * 1000);
    std::printf("store batch insert only: best %.1f ms (%.0f rows/s)\n", best_store,
                rows / best_store * 1000);
    return 0;
}
