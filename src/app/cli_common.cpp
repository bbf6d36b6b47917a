#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>

#include "app/cli.hpp"
#include "http/api_keys.hpp"

namespace herald::app {

void AddDbFlags(CLI::App* command, DbFlags& flags) {
    // Several commands share one DbFlags, and CLI11 (2.1) applies an option's environment
    // variable to the same option of sibling commands too, which overwrote a --db given on the
    // command line with HERALD_DB. So the environment is read here, for the command that ran
    // and only where its flag is absent.
    CLI::Option* db =
        command
            ->add_option("--db", flags.db,
                         "database URL: sqlite:PATH or postgresql://… (else HERALD_DB)")
            ->capture_default_str();
    CLI::Option* pool =
        command
            ->add_option("--db-pool-size", flags.options.pool_size,
                         "PostgreSQL connections this process keeps open at most (default "
                         "8; else HERALD_DB_POOL_SIZE); SQLite ignores it")
            ->check(CLI::Range(1, 1000));
    command->add_option("--secret-key-file", flags.options.secrets.key_file,
                        "file holding the key of the stored credentials (base64 of 32 "
                        "bytes); else HERALD_SECRET_KEY, else (SQLite) DBFILE.key");
    command->parse_complete_callback([db, pool, &flags] {
        if (const char* env = std::getenv("HERALD_DB"); db->count() == 0 && env && *env)
            flags.db = env;
        if (const char* env = std::getenv("HERALD_DB_POOL_SIZE");
            pool->count() == 0 && env && *env) {
            const std::string_view text(env);
            int size = 0;
            const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), size);
            if (error != std::errc{} || end != text.data() + text.size() || size < 1 || size > 1000)
                throw CLI::ValidationError(
                    "HERALD_DB_POOL_SIZE",
                    "must be a whole number from 1 to 1000, not '" + std::string(text) + "'");
            flags.options.pool_size = size;
        }
    });
}

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

std::string OptionalIso(const std::optional<TimePoint>& t) { return t ? FormatIso(*t) : "never"; }

std::string CreateAccount(storage::Store& store, const std::string& name, TimePoint now) {
    std::string key = http::GenerateApiKey();
    store.CreateAccount(name, http::HashApiKey(key), now, http::ApiKeyPrefix(key));
    return key;
}

domain::AccountId AccountNamed(storage::Store& store, const std::string& name) {
    const auto accounts = store.FindAccountsByName(name);
    if (accounts.empty()) throw UsageError("there is no account named '" + name + "'");
    if (accounts.size() > 1)
        throw UsageError("several accounts are named '" + name + "' (ids " +
                         std::to_string(accounts.front().id) + ", …); rename one first");
    return accounts.front().id;
}

domain::Account ResolveAccount(storage::Store& store, const std::string& id_or_name) {
    int64_t id = 0;
    const char* end = id_or_name.data() + id_or_name.size();
    const auto [ptr, ec] = std::from_chars(id_or_name.data(), end, id);
    const bool numeric = !id_or_name.empty() && ec == std::errc{} && ptr == end;
    const domain::AccountId wanted = numeric ? id : AccountNamed(store, id_or_name);
    for (auto& account : store.ListAccounts())
        if (account.id == wanted) return account;
    throw UsageError("there is no account with id " + id_or_name);
}

// Store reads are scoped by account; an administrator's look-up asks each account in turn
// (a local CLI call over a handful of accounts, not a hot path).
std::optional<domain::Account> SiteOwner(storage::Store& store, domain::SiteId id) {
    for (auto& account : store.ListAccounts())
        if (store.GetSite(account.id, id)) return account;
    return std::nullopt;
}

std::optional<domain::Account> ContentOwner(storage::Store& store, domain::ContentId id) {
    for (auto& account : store.ListAccounts())
        if (store.GetContent(account.id, id)) return account;
    return std::nullopt;
}

}  // namespace herald::app
