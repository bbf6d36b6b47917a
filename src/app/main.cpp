// herald's composition root: the command line of API.md §1, wiring store, publishers,
// dispatcher, slot scheduler and HTTP server together on one screen.

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "app/hook_events.hpp"
#include "app/version.hpp"
#include "common/time.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/slot_scheduler.hpp"
#include "hooks/deliverer.hpp"
#include "http/api_keys.hpp"
#include "http/api_server.hpp"
#include "publishers/http_client.hpp"
#include "publishers/publisher.hpp"
#include "storage/copy.hpp"
#include "storage/secret_box.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"

namespace herald::app {
namespace {

constexpr const char* kDefaultDb = "sqlite:herald.db";

/// A one-line error for the user; main prints it and exits non-zero.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

TimePoint ParseNowOption(const std::string& text) {
    const auto parsed = ParseIso(text);
    if (!parsed)
        throw UsageError(
            "--now must be an ISO 8601 time with an offset, e.g. 2026-01-20T14:00:00Z");
    return *parsed;
}

std::unique_ptr<TimeSource> MakeClock(const std::string& now) {
    if (now.empty()) return std::make_unique<SystemTimeSource>();
    return std::make_unique<FixedTimeSource>(ParseNowOption(now));
}

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

std::string CreateAccount(storage::Store& store, const std::string& name, TimePoint now) {
    std::string key = http::GenerateApiKey();
    store.CreateAccount(name, http::HashApiKey(key), now, http::ApiKeyPrefix(key));
    return key;
}

/// The one account named `name`, for `herald keys`.
domain::AccountId AccountNamed(storage::Store& store, const std::string& name) {
    const auto accounts = store.FindAccountsByName(name);
    if (accounts.empty()) throw UsageError("there is no account named '" + name + "'");
    if (accounts.size() > 1)
        throw UsageError("several accounts are named '" + name + "' (ids " +
                         std::to_string(accounts.front().id) + ", …); rename one first");
    return accounts.front().id;
}

std::string OptionalIso(const std::optional<TimePoint>& t) { return t ? FormatIso(*t) : "never"; }

/// `herald keys …`.
int KeysCreate(const std::string& db, const storage::StoreOptions& options,
               const std::string& account_name, const std::string& key_name) {
    storage::StorePtr store = storage::OpenStore(db, options);
    const domain::AccountId account = AccountNamed(*store, account_name);
    const std::string key = http::GenerateApiKey();
    const auto created = store->CreateApiKey(account, key_name, http::ApiKeyPrefix(key),
                                             http::HashApiKey(key), SystemTimeSource{}.Now());
    std::cout << "created API key " << created.id << " '" << created.name << "' for account '"
              << account_name << "' (shown once):\n"
              << key << std::endl;
    return 0;
}

int KeysList(const std::string& db, const storage::StoreOptions& options,
             const std::string& account_name) {
    storage::StorePtr store = storage::OpenStore(db, options);
    const domain::AccountId account = AccountNamed(*store, account_name);
    std::cout << "id\tname\tprefix\tcreated_at\tlast_used_at\n";
    for (const auto& key : store->ListApiKeys(account))
        std::cout << key.id << "\t" << key.name << "\t" << key.prefix << "…\t"
                  << FormatIso(key.created_at) << "\t" << OptionalIso(key.last_used_at) << "\n";
    std::cout << std::flush;
    return 0;
}

int KeysRevoke(const std::string& db, const storage::StoreOptions& options, int64_t key_id) {
    storage::StorePtr store = storage::OpenStore(db, options);
    if (!store->RevokeApiKey(std::nullopt, key_id, SystemTimeSource{}.Now()))
        throw UsageError("there is no live API key with id " + std::to_string(key_id));
    std::cout << "revoked API key " << key_id << " (running servers refuse it within 5 seconds)"
              << std::endl;
    return 0;
}

/// `herald secrets rotate --new-key-file PATH`: every stored credential re-encrypted under
/// the new key in one transaction. A SQLite database keyed by its default "<db>.key" file has
/// that file replaced by the new key once the transaction committed.
int SecretsRotate(const std::string& db, const storage::StoreOptions& options,
                  const std::string& new_key_file) {
    const storage::SecretBox next(storage::ReadKeyFile(new_key_file));
    storage::StorePtr store = storage::OpenStore(db, options);
    const int64_t count = store->RotateSecrets(next);
    std::cout << "re-encrypted " << count << " stored credential" << (count == 1 ? "" : "s")
              << " under the new key" << std::endl;
    auto* sqlite_store = dynamic_cast<storage::sqlite::SqliteStore*>(store.get());
    if (sqlite_store != nullptr && sqlite_store->KeyFromDefaultFile()) {
        std::string path = db;
        if (path.starts_with("sqlite://"))
            path = path.substr(9);
        else if (path.starts_with("sqlite:"))
            path = path.substr(7);
        storage::WriteKeyFile(path + ".key", storage::ReadKeyFile(new_key_file));
        std::cout << "replaced " << path << ".key with the new key" << std::endl;
    } else {
        std::cout << "from now on start herald with the new key (--secret-key-file " << new_key_file
                  << " or HERALD_SECRET_KEY)" << std::endl;
    }
    return 0;
}

/// `herald backup FILE`.
int Backup(const std::string& db, const std::string& file) {
    storage::BackupDatabase(db, file);
    std::cout << "backed up " << db << " to " << file
              << " (credentials stay encrypted: serve it with the same key, e.g. copy the "
                 "database's .key file to "
              << file << ".key, or pass --secret-key-file)" << std::endl;
    return 0;
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
                     "attempts per publication, the first included")
        ->check(CLI::Range(1, 100))
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
    storage::StorePtr store = storage::OpenStore(db, store_options);
    SystemTimeSource clock;
    // A worker serves no API: the first account is left to a process that does.
    if (serves_api && !demo &&
        store->CountAccounts() == 0) {  // --demo prints its own account's key
        const std::string key = CreateAccount(*store, "admin", clock.Now());
        std::cout << "First run: created account 'admin'. Its API key (shown once):\n"
                  << key << std::endl;
    }
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

/// `herald migrate`: opening a store applies the missing migrations (under the backend's
/// migration lock, so many processes may do it at once).
int Migrate(const std::string& db, const storage::StoreOptions& store_options) {
    storage::StorePtr store = storage::OpenStore(db, store_options);
    std::cout << "database migrated: schema version " << store->SchemaVersion() << std::endl;
    return 0;
}

/// `herald db copy FROM TO`.
int CopyDb(const std::string& from_url, const std::string& to_url,
           const storage::StoreOptions& options) {
    if (from_url == to_url) throw UsageError("db copy: FROM and TO name the same database");
    // Credentials are opened with the source's key and sealed with the target's: each store
    // finds its own (--secret-key-file or HERALD_SECRET_KEY for both, else a SQLite file's
    // own .key).
    storage::StorePtr from = storage::OpenStore(from_url, options);
    storage::StorePtr to = storage::OpenStore(to_url, options);
    const auto counts = storage::CopyDatabase(*from, *to);
    for (const auto& c : counts)
        std::cout << c.table << ": " << c.target << " rows copied" << std::endl;
    std::cout << "copied; row counts match in every table" << std::endl;
    return 0;
}

int Run(int argc, char** argv) {
    CLI::App app{"herald: publishes approved content to its sites on time, exactly once"};
    app.require_subcommand(1);
    // "herald 0.1.0 (git 1a2b3c4)": the revision is read at build time (src/app/version.hpp).
    app.set_version_flag("--version",
                         std::string("herald ") + kVersion + " (git " + kGitRevision + ")");

    std::string db = kDefaultDb;
    storage::StoreOptions store_options;
    auto add_db = [&db, &store_options](CLI::App* command) {
        command->add_option("--db", db, "database URL: sqlite:PATH or postgresql://…")
            ->envname("HERALD_DB")
            ->capture_default_str();
        command
            ->add_option("--db-pool-size", store_options.pool_size,
                         "PostgreSQL connections this process keeps open at most (default "
                         "8); SQLite ignores it")
            ->envname("HERALD_DB_POOL_SIZE")
            ->check(CLI::Range(1, 1000));
        command->add_option("--secret-key-file", store_options.secrets.key_file,
                            "file holding the key of the stored credentials (base64 of 32 "
                            "bytes); else HERALD_SECRET_KEY, else (SQLite) DBFILE.key");
    };

    auto* serve = app.add_subcommand("serve", "HTTP API, web UI, scheduler and dispatcher");
    add_db(serve);
    std::string listen = "127.0.0.1:8080";
    bool no_tasks = false;
    std::string role_text = "all";
    std::string web_root;
    serve->add_option("--listen", listen, "HOST:PORT to listen on")->capture_default_str();
    auto* role_option =
        serve
            ->add_option("--role", role_text,
                         "all: API, UI and background work; api: API and UI only; worker: "
                         "slot scheduler and dispatcher, with only /healthz, /readyz and "
                         "/metrics on --listen")
            ->capture_default_str();
    serve->add_flag("--no-tasks", no_tasks, "the same as --role api");
    serve->add_option("--web-root", web_root,
                      "serve the web UI from this folder (default: web/dist beside the build)");
    bool demo = false;
    serve->add_flag("--demo", demo,
                    "seed a demo account and site that publishes to a receiver inside herald");
    DispatchFlags dispatch_flags;
    AddDispatchFlags(serve, dispatch_flags);

    auto* accounts = app.add_subcommand("accounts", "manage accounts");
    accounts->require_subcommand(1);
    auto* create = accounts->add_subcommand("create", "create an account and print its API key");
    add_db(create);
    std::string account_name;
    create->add_option("NAME", account_name, "account name")->required();

    auto* tasks = app.add_subcommand("tasks", "run one pass of a background task");
    tasks->require_subcommand(1);
    std::string now_text;
    bool dry_run = false;
    auto* schedule =
        tasks->add_subcommand("schedule-approved", "place approved content into free slots");
    add_db(schedule);
    schedule->add_option("--now", now_text, "ISO 8601 time to use as now");
    schedule->add_flag("--dry-run", dry_run, "print the assignments, change nothing");
    auto* process = tasks->add_subcommand("process-scheduled", "publish everything due now");
    add_db(process);
    process->add_option("--now", now_text, "ISO 8601 time to use as now");
    AddDispatchFlags(process, dispatch_flags);

    auto* migrate = app.add_subcommand("migrate", "apply the database migrations and exit");
    add_db(migrate);

    auto* db_command = app.add_subcommand("db", "database maintenance");
    db_command->require_subcommand(1);
    auto* copy = db_command->add_subcommand(
        "copy",
        "copy every row (ids kept) from FROM_URL into the empty database TO_URL, in one "
        "transaction; refuses a target that holds anything");
    std::string copy_from;
    std::string copy_to;
    copy->add_option("FROM_URL", copy_from, "source database URL")->required();
    copy->add_option("TO_URL", copy_to, "target database URL (empty or new)")->required();
    copy->add_option("--secret-key-file", store_options.secrets.key_file,
                     "key of the stored credentials of both databases (else HERALD_SECRET_KEY, "
                     "else each SQLite file's own .key)");

    auto* keys = app.add_subcommand("keys", "manage an account's API keys");
    keys->require_subcommand(1);
    auto* keys_create = keys->add_subcommand("create", "add an API key; prints it (shown once)");
    add_db(keys_create);
    std::string keys_account;
    std::string key_name = "cli";
    keys_create->add_option("ACCOUNT_NAME", keys_account, "account name")->required();
    keys_create->add_option("--name", key_name, "the key's name")->capture_default_str();
    auto* keys_list = keys->add_subcommand("list", "list an account's live API keys");
    add_db(keys_list);
    keys_list->add_option("ACCOUNT_NAME", keys_account, "account name")->required();
    auto* keys_revoke = keys->add_subcommand("revoke", "revoke an API key at once");
    add_db(keys_revoke);
    int64_t key_id = 0;
    keys_revoke->add_option("KEY_ID", key_id, "the key's id (keys list)")->required();

    auto* secrets = app.add_subcommand("secrets", "the key of the stored credentials");
    secrets->require_subcommand(1);
    auto* rotate = secrets->add_subcommand(
        "rotate", "re-encrypt every stored credential under a new key, in one transaction");
    add_db(rotate);
    std::string new_key_file;
    rotate
        ->add_option("--new-key-file", new_key_file,
                     "file holding the new key (base64 of 32 bytes, e.g. head -c 32 "
                     "/dev/urandom | base64)")
        ->required();

    auto* backup = app.add_subcommand(
        "backup", "write a consistent copy of a SQLite database while herald runs");
    add_db(backup);
    std::string backup_file;
    backup->add_option("FILE", backup_file, "the new backup file (mode 0600)")->required();

    auto* routes = app.add_subcommand(
        "routes",
        "print every HTTP route of serve (method, path, key|public), for the API "
        "description's test");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }

    if (*serve) {
        Role role = ParseRole(role_text);
        if (no_tasks) {
            if (role_option->count() > 0 && role != Role::kApi)
                throw UsageError("--no-tasks is --role api; it cannot go with --role " + role_text);
            role = Role::kApi;
        }
        if (demo && role == Role::kWorker)
            throw UsageError("--demo needs the API: use --role all or --role api");
        return Serve(db, store_options, listen, role, web_root, dispatch_flags, demo);
    }
    if (*create) {
        if (account_name.empty()) throw UsageError("account NAME must not be empty");
        storage::StorePtr store = storage::OpenStore(db, store_options);
        const std::string key = CreateAccount(*store, account_name, SystemTimeSource{}.Now());
        std::cout << "created account '" << account_name << "'; its API key (shown once):\n"
                  << key << std::endl;
        return 0;
    }
    if (*schedule) return ScheduleApproved(db, store_options, now_text, dry_run);
    if (*process) return ProcessScheduled(db, store_options, now_text, dispatch_flags);
    if (*migrate) return Migrate(db, store_options);
    if (*copy) return CopyDb(copy_from, copy_to, store_options);
    if (*keys_create) {
        if (key_name.empty()) throw UsageError("--name must not be empty");
        return KeysCreate(db, store_options, keys_account, key_name);
    }
    if (*keys_list) return KeysList(db, store_options, keys_account);
    if (*keys_revoke) return KeysRevoke(db, store_options, key_id);
    if (*rotate) return SecretsRotate(db, store_options, new_key_file);
    if (*backup) return Backup(db, backup_file);
    if (*routes) {
        // Every route of any serve: the demo receiver's too (serve --demo).
        for (const auto& route : http::ListRoutes(http::ServerSettings{.demo_receiver = true}))
            std::cout << route.method << " " << route.pattern << " "
                      << (route.auth ? "key" : "public") << "\n";
        std::cout << std::flush;
        return 0;
    }
    return 2;
}

}  // namespace
}  // namespace herald::app

int main(int argc, char** argv) {
    spdlog::set_default_logger(spdlog::stderr_color_mt("herald"));
    try {
        return herald::app::Run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "herald: " << e.what() << std::endl;
        return 1;
    }
}
