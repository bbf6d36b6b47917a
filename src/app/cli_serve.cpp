// `herald serve` and `herald tasks …`: the long-running server (API, UI, scheduler,
// dispatcher) and one pass of a background task.

#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

#include "app/cli.hpp"
#include "app/hook_events.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/slot_scheduler.hpp"
#include "hooks/deliverer.hpp"
#include "http/api_keys.hpp"
#include "http/api_server.hpp"
#include "publishers/http_client.hpp"
#include "publishers/publisher.hpp"

namespace herald::app {
namespace {

std::pair<std::string, uint16_t> ParseListen(const std::string& listen) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
        throw UsageError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
    std::string host = listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    int port = 0;
    try {
        size_t used = 0;
        port = std::stoi(listen.substr(colon + 1), &used);
        if (used != listen.size() - colon - 1) port = -1;
    } catch (const std::exception&) {
        port = -1;
    }
    if (port < 0 || port > 65535)
        throw UsageError("--listen port must be a number from 0 to 65535");
    return {host, static_cast<uint16_t>(port)};
}

/// The dispatcher's knobs on the command line (serve and process-scheduled).
struct DispatchFlags {
    int lease_seconds = 120;
    int request_timeout_ms = 0;  // 0: each adapter's own timeout
    int shutdown_grace_ms = 10000;
    dispatch::DispatchSettings settings;

    dispatch::DispatchSettings Settings() const {
        dispatch::DispatchSettings s = settings;
        s.lease = std::chrono::seconds{std::max(1, lease_seconds)};
        return s;
    }
    publishers::CurlOptions Curl() const {
        publishers::CurlOptions options;
        if (request_timeout_ms > 0) options.max_timeout = Milliseconds{request_timeout_ms};
        return options;
    }
};

void AddDispatchFlags(CLI::App* command, DispatchFlags& f) {
    command
        ->add_option("--lease-seconds", f.lease_seconds,
                     "a claim not settled within this is taken over by the next pass")
        ->envname("HERALD_LEASE_SECONDS")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    command
        ->add_option("--request-timeout-ms", f.request_timeout_ms,
                     "cap on every publishing call (0: the platform's default)")
        ->envname("HERALD_REQUEST_TIMEOUT_MS")
        ->check(CLI::Range(0, 3600000));
    command
        ->add_option("--max-in-flight", f.settings.max_in_flight,
                     "publications in flight at once, all sites")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    command
        ->add_option("--max-in-flight-per-site", f.settings.max_in_flight_per_site,
                     "publications in flight at once per site (options_json max_in_flight "
                     "overrides)")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    command
        ->add_option("--rate-limit-per-minute", f.settings.rate_limit_per_minute,
                     "per-site publishing rate limit, 0 = none (options_json "
                     "rate_limit_per_minute overrides)")
        ->check(CLI::Range(0, 1000000));
    command
        ->add_option("--retry-max-attempts", f.settings.retry.max_attempts,
                     "attempts per publication, the first included (0: no cap, the site's "
                     "retry window alone ends retries)")
        ->check(CLI::Range(0, 100))
        ->capture_default_str();
    command
        ->add_option_function<int>(
            "--retry-base-ms", [&f](int ms) { f.settings.retry.base_delay = Milliseconds{ms}; },
            "delay before the first retry; doubles each time (default 2000)")
        ->check(CLI::Range(1, 3600000));
    command
        ->add_option("--shutdown-grace-ms", f.shutdown_grace_ms,
                     "on SIGTERM/SIGINT, how long in-flight publications may finish")
        ->check(CLI::Range(0, 3600000))
        ->capture_default_str();
}

/// Every publication in flight holds a socket; the usual soft limit of 1024 files is too
/// low for a full dispatcher, the hard limit usually is not.
void RaiseFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

/// What one `herald serve` process does (`--role`).
enum class Role { kAll, kApi, kWorker };

Role ParseRole(const std::string& text) {
    if (text == "all") return Role::kAll;
    if (text == "api") return Role::kApi;
    if (text == "worker") return Role::kWorker;
    throw UsageError("--role must be all, api or worker (got '" + text + "')");
}

std::string_view RoleNote(Role role) {
    switch (role) {
        case Role::kAll:
            return "";
        // No colon in these: the line ends with the port, and scripts split at the last ':'.
        case Role::kApi:
            return " (role api, background tasks off)";
        case Role::kWorker:
            return " (role worker, scheduler and dispatcher; only /healthz, /readyz and /metrics)";
    }
    return "";
}

volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void OnStopSignal(int signal) { g_stop_signal = signal; }

int Serve(const std::string& db, const storage::StoreOptions& store_options,
          const std::string& listen, Role role, const std::string& web_root,
          const DispatchFlags& flags, bool demo) {
    RaiseFileLimit();
    auto [host, port] = ParseListen(listen);
    const bool no_tasks = role == Role::kApi;
    const bool serves_api = role != Role::kWorker;
    // Before anything is opened or listened on: a missing folder is a typo, not an empty UI.
    if (!web_root.empty() && !std::filesystem::is_directory(web_root))
        throw UsageError("--web-root " + web_root + " is not a folder");
    if (!web_root.empty() && !std::filesystem::is_regular_file(web_root + "/index.html"))
        throw UsageError("--web-root " + web_root +
                         " holds no index.html (web/build.sh writes the UI to web/dist)");
    storage::StorePtr store = storage::OpenStore(db, store_options);
    if (demo) {
        if (auto refusal = http::DemoRefusal(*store)) throw UsageError(*refusal);
    }
    SystemTimeSource clock;
    publishers::HttpClientPtr http_client = publishers::MakeCurlHttpClient(flags.Curl());
    publishers::PublisherRegistry registry = publishers::MakeDefaultPublishers(*http_client);
    // Event hooks: delivered on threads of their own (roles all and worker), fed by the
    // dispatcher and the API (resume) through hooks::EventSink.
    hooks::HookDeliverer hook_deliverer{*store, *http_client, clock};
    app::HookEvents hook_events{*store, hook_deliverer};
    dispatch::DispatchSettings dispatch_settings = flags.Settings();
    dispatch_settings.observer = &hook_events;
    dispatch::Dispatcher dispatcher{*store, registry, clock, dispatch_settings};
    dispatch::SlotScheduler scheduler{*store, clock};

    http::ServerSettings server_settings;
    server_settings.host = host;
    server_settings.port = port;
    // Without --web-root: the UI the README's build put beside the binary (web/dist).
    server_settings.web_root = web_root.empty() ? http::DefaultWebRoot() : web_root;
    server_settings.demo_receiver = demo;
    server_settings.ops_only = !serves_api;
    http::ApiServer server{server_settings,
                           http::AppContext{*store, clock, registry, &dispatcher,
                                            no_tasks ? nullptr : &scheduler, &hook_events}};

    // The handler only sets a flag; this thread polls it and shuts down in order.
    std::signal(SIGINT, OnStopSignal);
    std::signal(SIGTERM, OnStopSignal);
    server.Start();
    // Only now that it listens: a first key printed by a server that then failed to start
    // (a busy port) would never be shown again. A worker serves no API, and --demo prints
    // its own account's key: neither makes the first account.
    if (serves_api && !demo && store->CountAccounts() == 0) {
        try {
            const std::string key = CreateAccount(*store, "admin", clock.Now());
            std::cout << "First run: created account 'admin'. Its API key (shown once):\n"
                      << key << std::endl;
        } catch (const storage::AccountNameTaken&) {
            // Another process started on the same new database made it first.
        }
    }
    if (!no_tasks) {
        dispatcher.Start();
        scheduler.Start([&dispatcher] { dispatcher.Wake(); });
        hook_deliverer.Start();
    }
    std::cout << "herald serving on http://"
              << (host.find(':') != std::string::npos ? "[" + host + "]" : host) << ":"
              << server.Port() << RoleNote(role) << std::endl;
    if (serves_api && server_settings.web_root.empty())
        std::cout << "web UI not found (run scripts/build.sh or pass --web-root)" << std::endl;
    if (demo) {
        const std::string base = "http://" +
                                 (host == "0.0.0.0" || host == "::"     ? "127.0.0.1"
                                  : host.find(':') != std::string::npos ? "[" + host + "]"
                                                                        : host) +
                                 ":" + std::to_string(server.Port());
        const std::string key = http::SeedDemo(*store, clock.Now(), base);
        dispatcher.Wake();
        std::cout << "Demo: seeded account 'demo' with a site publishing to " << base
                  << "/demo/receiver/. Open " << base << "/ and sign in with this key:\n"
                  << key << std::endl;
    }

    while (g_stop_signal == 0) std::this_thread::sleep_for(std::chrono::milliseconds{100});
    spdlog::info("signal {} received: stopping", static_cast<int>(g_stop_signal));
    if (!no_tasks) {
        scheduler.Stop();
        dispatcher.Stop(Milliseconds{flags.shutdown_grace_ms});
        hook_deliverer.Stop();  // after the dispatcher: its last events still go in
    }
    server.Stop();
    return 0;
}

int ScheduleApproved(const std::string& db, const storage::StoreOptions& store_options,
                     const std::string& now_text, bool dry_run) {
    auto clock = MakeClock(now_text);
    storage::StorePtr store = storage::OpenStore(db, store_options);
    dispatch::SlotScheduler scheduler{*store, *clock};
    const auto summary = scheduler.RunOnce(clock->Now(), dry_run);
    for (const auto& a : summary.assignments)
        std::cout << (dry_run ? "would schedule" : "scheduled") << " content " << a.content_id
                  << " at " << FormatIso(a.at) << "\n";
    for (const auto& u : summary.unscheduled)
        std::cout << "left content " << u.content_id << " unscheduled ("
                  << domain::ToString(u.reason) << "): " << domain::Explain(u.reason) << "\n";
    for (const auto& e : summary.errors) std::cerr << "warning: " << e << "\n";
    std::cout << (dry_run ? "dry run: " : "") << summary.assigned
              << (dry_run ? " would be scheduled" : " scheduled") << ", "
              << summary.left_unscheduled << " left unscheduled, across " << summary.sites
              << " sites" << std::endl;
    return 0;
}

int ProcessScheduled(const std::string& db, const storage::StoreOptions& store_options,
                     const std::string& now_text, const DispatchFlags& flags) {
    RaiseFileLimit();
    auto clock = MakeClock(now_text);
    storage::StorePtr store = storage::OpenStore(db, store_options);
    publishers::HttpClientPtr http_client = publishers::MakeCurlHttpClient(flags.Curl());
    publishers::PublisherRegistry registry = publishers::MakeDefaultPublishers(*http_client);
    // Events are written to the outbox on this thread (the deliverer is not started) and
    // sent by whichever herald serves the hooks.
    hooks::HookDeliverer hook_deliverer{*store, *http_client, *clock};
    app::HookEvents hook_events{*store, hook_deliverer};
    dispatch::DispatchSettings settings = flags.Settings();
    settings.observer = &hook_events;
    dispatch::Dispatcher dispatcher{*store, registry, *clock, settings};
    const auto summary = dispatcher.RunDueOnce(clock->Now());
    std::cout << summary.published << " published, " << summary.failed << " failed, "
              << summary.retry << " set to retry" << std::endl;
    return 0;
}

/// What serve and the tasks read from the command line.
struct ServeState {
    DbFlags db;
    std::string listen = "127.0.0.1:8080";
    bool no_tasks = false;
    std::string role_text = "all";
    CLI::Option* role_option = nullptr;
    std::string web_root;
    bool demo = false;
    DispatchFlags dispatch_flags;
    std::string now_text;
    bool dry_run = false;
};

}  // namespace

void AddServeCommands(CLI::App& app, Commands& commands) {
    auto s = std::make_shared<ServeState>();
    // --help tells what this build serves: without a built UI, no "web UI".
    const std::string built_ui = http::DefaultWebRoot();
    auto* serve = app.add_subcommand(
        "serve", built_ui.empty() ? "HTTP API, scheduler and dispatcher (no web UI in this "
                                    "build: run web/build.sh or pass --web-root)"
                                  : "HTTP API, web UI, scheduler and dispatcher");
    AddDbFlags(serve, s->db);
    serve->add_option("--listen", s->listen, "HOST:PORT to listen on")->capture_default_str();
    s->role_option =
        serve
            ->add_option("--role", s->role_text,
                         "all: API, UI and background work; api: API and UI only; worker: "
                         "slot scheduler and dispatcher, with only /healthz, /readyz and "
                         "/metrics on --listen")
            ->capture_default_str();
    serve->add_flag("--no-tasks", s->no_tasks, "the same as --role api");
    serve->add_option("--web-root", s->web_root,
                      "serve the web UI from this folder (default: " +
                          (built_ui.empty() ? std::string("none built") : built_ui) + ")");
    serve->add_flag("--demo", s->demo,
                    "seed a demo account and site that publishes to a receiver inside herald");
    AddDispatchFlags(serve, s->dispatch_flags);
    commands.emplace_back(serve, [s] {
        Role role = ParseRole(s->role_text);
        if (s->no_tasks) {
            if (s->role_option->count() > 0 && role != Role::kApi)
                throw UsageError("--no-tasks is --role api; it cannot go with --role " +
                                 s->role_text);
            role = Role::kApi;
        }
        if (s->demo && role == Role::kWorker)
            throw UsageError("--demo needs the API: use --role all or --role api");
        s->db.options.create_if_missing = true;
        return Serve(s->db.db, s->db.options, s->listen, role, s->web_root, s->dispatch_flags,
                     s->demo);
    });

    auto* tasks = app.add_subcommand("tasks", "run one pass of a background task");
    tasks->require_subcommand(1);
    auto* schedule =
        tasks->add_subcommand("schedule-approved", "place approved content into free slots");
    AddDbFlags(schedule, s->db);
    schedule->add_option("--now", s->now_text, "ISO 8601 time to use as now");
    schedule->add_flag("--dry-run", s->dry_run, "print the assignments, change nothing");
    commands.emplace_back(schedule, [s] {
        return ScheduleApproved(s->db.db, s->db.options, s->now_text, s->dry_run);
    });
    auto* process = tasks->add_subcommand("process-scheduled", "publish everything due now");
    AddDbFlags(process, s->db);
    process->add_option("--now", s->now_text, "ISO 8601 time to use as now");
    AddDispatchFlags(process, s->dispatch_flags);
    commands.emplace_back(process, [s] {
        return ProcessScheduled(s->db.db, s->db.options, s->now_text, s->dispatch_flags);
    });
}

}  // namespace herald::app
