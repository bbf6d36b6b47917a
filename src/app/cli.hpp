#pragma once
// What herald's command groups share: the database flags, user errors, account look-ups and
// the table of commands main picks from. One .cpp per group (cli_serve, cli_admin, cli_sites,
// cli_content) registers its subcommands here.

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/time.hpp"
#include "storage/store.hpp"

namespace herald::app {

inline constexpr const char* kDefaultDb = "sqlite:herald.db";

/// A one-line error for the user; main prints it and exits non-zero.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// --db, --db-pool-size, --secret-key-file.
/// Only serve, migrate and accounts create make a missing SQLite file (they set
/// options.create_if_missing); every other command refuses it, so a mistyped --db does not
/// leave an empty database behind.
struct DbFlags {
    std::string db = kDefaultDb;
    storage::StoreOptions options = NoCreate();
    storage::StorePtr Open() const { return storage::OpenStore(db, options); }

    static storage::StoreOptions NoCreate() {
        storage::StoreOptions o;
        o.create_if_missing = false;
        return o;
    }
};
void AddDbFlags(CLI::App* command, DbFlags& flags);

/// Each parsed subcommand runs its function; main runs the one the user named.
using Commands = std::vector<std::pair<CLI::App*, std::function<int()>>>;

void AddServeCommands(CLI::App& app, Commands& commands);    // serve, tasks (cli_serve.cpp)
void AddAdminCommands(CLI::App& app, Commands& commands);    // accounts, keys, … (cli_admin)
void AddSiteCommands(CLI::App& app, Commands& commands);     // sites (cli_sites.cpp)
void AddContentCommands(CLI::App& app, Commands& commands);  // content (cli_content.cpp)

TimePoint ParseNowOption(const std::string& text);
std::unique_ptr<TimeSource> MakeClock(const std::string& now);
std::string OptionalIso(const std::optional<TimePoint>& t);

/// A new account and its first API key; @returns the key (shown once).
std::string CreateAccount(storage::Store& store, const std::string& name, TimePoint now);

/// The one account named `name`.
domain::AccountId AccountNamed(storage::Store& store, const std::string& name);
/// `--account ID|NAME`: a number is an id, anything else a name.
domain::Account ResolveAccount(storage::Store& store, const std::string& id_or_name);
/// The account holding site / content `id` (the CLI acts for every account), or nullopt.
std::optional<domain::Account> SiteOwner(storage::Store& store, domain::SiteId id);
std::optional<domain::Account> ContentOwner(storage::Store& store, domain::ContentId id);

}  // namespace herald::app
