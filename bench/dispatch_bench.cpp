// Dispatcher benchmark: ITEMS items due in the same second across SITES `custom` sites, all
// published by WORKERS real `herald serve` processes to an in-process asynchronous receiver
// that adds DELAY per request. Prints lateness (due time to request start: at the receiver,
// and from the records), the time until the last item is `published`, and the peak RSS of
// the (first) herald process. A site holds one item per instant, so a site's items are due a
// millisecond apart within the first 100 ms of the second; lateness at the receiver is
// counted from the first due instant (so it overstates by up to that spread).
//
//   herald_dispatch_bench --herald build/herald [--items 10000] [--sites 100]
//                         [--delay-ms 20,0] [--extra "serve flags"]
//                         [--db postgresql://… (an empty database per delay, see
//                          bench/dispatch.sh)] [--workers 1] [--lead-seconds 10]
// Run through bench/dispatch.sh.

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "storage/store.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using herald::Milliseconds;
using herald::TimePoint;

int64_t WallMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// Answers every POST with 200 after `delay`, recording when each webhook-id first arrived.
class Receiver {
public:
    Receiver(int threads, Milliseconds delay) : delay_(delay), acceptor_(io_) {
        tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), 0};
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(4096);
        Accept();
        for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
    }
    ~Receiver() {
        io_.stop();
        for (auto& t : threads_) t.join();
    }
    uint16_t port() const { return acceptor_.local_endpoint().port(); }

    struct Stats {
        std::unordered_map<std::string, int64_t> first_ms;  // webhook-id → first arrival
        int64_t requests = 0;
    };
    Stats Snapshot() {
        std::lock_guard lock(mu_);
        return stats_;
    }
    size_t DistinctIds() {
        std::lock_guard lock(mu_);
        return stats_.first_ms.size();
    }

private:
    struct Session : std::enable_shared_from_this<Session> {
        Session(Receiver* r, tcp::socket s)
            : receiver(r), socket(std::move(s)), timer(socket.get_executor()) {}
        Receiver* receiver;
        tcp::socket socket;
        asio::steady_timer timer;
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        http::response<http::string_body> response;

        void Read() {
            request = {};
            http::async_read(socket, buffer, request,
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                                 if (!ec) self->Handle();
                             });
        }
        void Handle() {
            const int64_t at = WallMs();
            std::string id(request["webhook-id"]);
            {
                std::lock_guard lock(receiver->mu_);
                ++receiver->stats_.requests;
                receiver->stats_.first_ms.try_emplace(id, at);
            }
            response = {http::status::ok, request.version()};
            response.set(http::field::content_type, "application/json");
            response.body() = "{\"id\":\"" + id + "\",\"url\":\"http://receiver/" + id + "\"}";
            response.keep_alive(request.keep_alive());
            response.prepare_payload();
            if (receiver->delay_.count() > 0) {
                timer.expires_after(receiver->delay_);
                timer.async_wait([self = shared_from_this()](beast::error_code) { self->Write(); });
            } else {
                Write();
            }
        }
        void Write() {
            http::async_write(socket, response,
                              [self = shared_from_this()](beast::error_code ec, size_t) {
                                  if (!ec && self->request.keep_alive()) self->Read();
                              });
        }
    };

    void Accept() {
        acceptor_.async_accept(asio::make_strand(io_),
                               [this](beast::error_code ec, tcp::socket socket) {
                                   if (!ec)
                                       std::make_shared<Session>(this, std::move(socket))->Read();
                                   Accept();
                               });
    }

    Milliseconds delay_;
    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::vector<std::thread> threads_;
    std::mutex mu_;
    Stats stats_;
};

struct Child {
    pid_t pid = -1;
    int out = -1;
};

Child Spawn(const std::vector<std::string>& argv, const std::string& log) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    Child child;
    child.pid = fork();
    if (child.pid == 0) {
        dup2(fds[1], 1);
        const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (err >= 0) dup2(err, 2);
        close(fds[0]);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(fds[1]);
    child.out = fds[0];
    return child;
}

/// Reads the child's stdout until a line holds `needle`.
bool WaitForLine(int fd, const std::string& needle) {
    std::string seen;
    char buf[4096];
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) return false;
        seen.append(buf, static_cast<size_t>(n));
        if (seen.find(needle) != std::string::npos) return true;
    }
}

int64_t PeakRssKb(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
    return -1;
}

/// utime + stime of a live process in ms (fields 14 and 15 of /proc/PID/stat, in clock ticks);
/// -1 when unreadable. Read before the process is killed, since a reaped child's is gone.
int64_t CpuMs(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // The command name (field 2) may hold spaces; the fields after it start past its ')'.
    const size_t close = text.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    for (int i = 3; i < 14 && rest >> field; ++i) {
    }
    long long utime = 0, stime = 0;
    if (!(rest >> utime >> stime)) return -1;
    return (utime + stime) * 1000 / sysconf(_SC_CLK_TCK);
}

double Percentile(std::vector<int64_t> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
    return static_cast<double>(v[i]);
}

struct BenchOptions {
    std::string herald = "build/herald";
    int items = 10000;
    int sites = 100;
    std::vector<std::string> extra;
    std::string db_url;  // empty: a fresh SQLite file
    int workers = 1;
    int lead_seconds = 10;
};

void RunOnce(const BenchOptions& options, const std::string& db_url, Milliseconds delay) {
    const std::string& herald = options.herald;
    const int items = options.items;
    const int sites = options.sites;
    const auto dir =
        std::filesystem::temp_directory_path() /
        ("herald-dispatch-bench-" + std::to_string(getpid()) + "-" + std::to_string(delay.count()));
    std::filesystem::create_directories(dir);
    const std::string db = db_url.empty() ? "sqlite:" + (dir / "bench.db").string() : db_url;
    Receiver receiver(2, delay);

    // Seed: every item due at the same instant, a few seconds ahead, while herald is down.
    auto store = herald::storage::OpenStore(db);
    const TimePoint now = herald::SystemTimeSource().Now();
    const auto account = store->CreateAccount("bench", "bench-key-hash", now);
    std::vector<herald::domain::Site> site_list;
    for (int i = 0; i < sites; ++i) {
        herald::domain::Site site;
        site.account_id = account;
        site.name = "site-" + std::to_string(i);
        site.platform_type = herald::domain::Platform::kCustom;
        site.domain =
            "http://127.0.0.1:" + std::to_string(receiver.port()) + "/s/" + std::to_string(i);
        site.api_key = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        site.created_at = site.updated_at = now;
        site_list.push_back(store->CreateSite(site, herald::domain::PublishingSettings{}));
    }
    const auto seed_start = std::chrono::steady_clock::now();
    const TimePoint due = std::chrono::time_point_cast<std::chrono::seconds>(now) +
                          std::chrono::seconds{options.lead_seconds};
    for (int i = 0; i < items; ++i) {
        herald::domain::Content c;
        c.account_id = account;
        c.site_id = site_list[static_cast<size_t>(i % sites)].id;
        c.title = "Post " + std::to_string(i);
        c.content_html = "<p>Benchmark post " + std::to_string(i) + "</p>";
        c.status = herald::domain::EditorialStatus::kApproved;
        c.approved_at = now;
        c.site_status = herald::domain::SiteStatus::kScheduled;
        c.site_status_updated_at = now;
        c.scheduled_publish_at = due + Milliseconds{i / sites};  // one item per site instant
        c.created_at = c.updated_at = now;
        store->CreateContent(c);
    }
    const double seed_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - seed_start).count();
    if (herald::SystemTimeSource().Now() > due - 3s)
        throw std::runtime_error("seeding took too long; lower --items");

    std::vector<Child> workers;
    for (int w = 0; w < options.workers; ++w) {
        std::vector<std::string> argv = {herald, "serve", "--db", db, "--listen", "127.0.0.1:0"};
        if (options.workers > 1) {
            argv.push_back("--role");
            argv.push_back("worker");
        }
        argv.insert(argv.end(), options.extra.begin(), options.extra.end());
        workers.push_back(Spawn(argv, (dir / ("serve-" + std::to_string(w) + ".log")).string()));
        if (!WaitForLine(workers.back().out, "serving on"))
            throw std::runtime_error("herald did not start");
    }
    const Child& serve = workers.front();
    const int64_t due_ms = herald::ToUnixMillis(due);

    // Poll until every item is published (the same check a user would make). Counting a
    // site status reads every published row, which on 50,000 items took half of a core from
    // herald, so the database is polled only once the receiver has seen every item.
    herald::storage::ContentFilter filter;
    filter.account_id = account;
    filter.site_status = herald::domain::SiteStatus::kPublished;
    filter.page.page_size = 1;
    int64_t published = 0, drained_ms = -1;
    const int64_t give_up = due_ms + 120000;
    while (WallMs() < give_up && receiver.DistinctIds() < static_cast<size_t>(items))
        std::this_thread::sleep_for(2ms);
    while (WallMs() < give_up) {
        published = store->ListContent(filter).count;
        if (published >= items) {
            drained_ms = WallMs() - due_ms;
            break;
        }
        std::this_thread::sleep_for(5ms);
    }
    if (drained_ms < 0) published = store->ListContent(filter).count;
    const int64_t rss_kb = PeakRssKb(serve.pid);
    int64_t cpu_ms = 0;  // every herald process, idle start-up included
    for (const Child& worker : workers) cpu_ms += std::max<int64_t>(0, CpuMs(worker.pid));
    for (const Child& worker : workers) kill(worker.pid, SIGTERM);
    for (const Child& worker : workers) {
        int status = 0;
        waitpid(worker.pid, &status, 0);
        close(worker.out);
    }

    // Lateness at the receiver (first arrival of each webhook-id).
    const auto stats = receiver.Snapshot();
    std::vector<int64_t> at_receiver;
    for (const auto& [id, ms] : stats.first_ms) at_receiver.push_back(ms - due_ms);
    // Lateness from the records (started_at - due_at), and the last finish.
    std::vector<int64_t> from_records;
    int64_t last_finish = 0;
    herald::storage::RecordFilter rf;
    rf.account_id = account;
    rf.page.page_size = 500;
    for (rf.page.page = 1;; ++rf.page.page) {
        const auto page = store->ListRecords(rf);
        for (const auto& r : page.items) {
            from_records.push_back(herald::ToUnixMillis(r.started_at) -
                                   herald::ToUnixMillis(r.due_at.value_or(r.started_at)));
            last_finish = std::max(last_finish, herald::ToUnixMillis(r.finished_at) - due_ms);
        }
        if (page.items.empty() || rf.page.page * 500 >= page.count) break;
    }

    std::printf(
        "%d items, %d sites, %d herald process(es), receiver delay %lld ms (seeded in %.1f s):\n"
        "  published %lld/%d; last published (seen in the db) %lld ms after due; last "
        "record finished %lld ms after due\n"
        "  lateness at receiver  p50 %.0f ms  p99 %.0f ms  max %.0f ms  (%zu distinct "
        "webhook-ids, %lld requests)\n"
        "  lateness from records p50 %.0f ms  p99 %.0f ms  max %.0f ms  (%zu records)\n"
        "  herald peak RSS %.1f MB\n"
        "  herald CPU %lld ms (user+system), %.1f us per item\n",
        items, sites, options.workers, static_cast<long long>(delay.count()), seed_s,
        static_cast<long long>(published), items, static_cast<long long>(drained_ms),
        static_cast<long long>(last_finish), Percentile(at_receiver, 0.50),
        Percentile(at_receiver, 0.99), Percentile(at_receiver, 1.0), at_receiver.size(),
        static_cast<long long>(stats.requests), Percentile(from_records, 0.50),
        Percentile(from_records, 0.99), Percentile(from_records, 1.0), from_records.size(),
        static_cast<double>(rss_kb) / 1024.0, static_cast<long long>(cpu_ms),
        1000.0 * static_cast<double>(cpu_ms) / static_cast<double>(items));
    std::fflush(stdout);
    store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

}  // namespace

int main(int argc, char** argv) {
    BenchOptions options;
    std::vector<Milliseconds> delays = {20ms, 0ms};
    std::vector<std::string> db_urls;  // one empty database per delay
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto next = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--herald")
            options.herald = next();
        else if (arg == "--items")
            options.items = std::stoi(next());
        else if (arg == "--sites")
            options.sites = std::stoi(next());
        else if (arg == "--workers")
            options.workers = std::stoi(next());
        else if (arg == "--lead-seconds")
            options.lead_seconds = std::stoi(next());
        else if (arg == "--db") {
            std::stringstream list(next());
            for (std::string u; std::getline(list, u, ',');) db_urls.push_back(u);
        } else if (arg == "--delay-ms") {
            delays.clear();
            std::stringstream list(next());
            for (std::string d; std::getline(list, d, ',');) delays.emplace_back(std::stoi(d));
        } else if (arg == "--extra") {
            std::stringstream words(next());
            for (std::string w; words >> w;) options.extra.push_back(w);
        } else {
            std::cerr << "unknown argument " << arg << "\n";
            return 2;
        }
    }
    if (!db_urls.empty() && db_urls.size() != delays.size()) {
        std::cerr << "--db needs one empty database per delay\n";
        return 2;
    }
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    signal(SIGPIPE, SIG_IGN);
    try {
        for (size_t d = 0; d < delays.size(); ++d)
            RunOnce(options, db_urls.empty() ? "" : db_urls[d], delays[d]);
    } catch (const std::exception& e) {
        std::cerr << "dispatch bench: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
