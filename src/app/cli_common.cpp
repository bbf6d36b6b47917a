#include <charconv>

#include "app/cli.hpp"
#include "http/api_keys.hpp"

namespace herald::app {

void AddDbFlags(CLI::App* command, DbFlags& flags) {
    command->add_option("--db", flags.db, "database URL: sqlite:PATH or postgresql://…")
        ->envname("HERALD_DB")
        ->capture_default_str();
    command
        ->add_option("--db-pool-size", flags.options.pool_size,
                     "PostgreSQL connections this process keeps open at most (default "
                     "8); SQLite ignores it")
        ->envname("HERALD_DB_POOL_SIZE")
        ->check(CLI::Range(1, 1000));
    command->add_option("--secret-key-file", flags.options.secrets.key_file,
                        "file holding the key of the stored credentials (base64 of 32 "
                        "bytes); else HERALD_SECRET_KEY, else (SQLite) DBFILE.key");
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
