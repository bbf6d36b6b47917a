// The administrator's commands: accounts, API keys, the credentials' key, backups,
// migrations, database copies and the route list.

#include <iostream>
#include <string>

#include "app/cli.hpp"
#include "http/api_keys.hpp"
#include "http/api_server.hpp"
#include "storage/copy.hpp"
#include "storage/secret_box.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace herald::app {
namespace {

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
    std::cout << "revoked API key " << key_id << " (running servers refuse it within a moment)"
              << std::endl;
    return 0;
}

/// `herald accounts list`: every account with its number of live API keys.
int AccountsList(const std::string& db, const storage::StoreOptions& options) {
    storage::StorePtr store = storage::OpenStore(db, options);
    std::cout << "id\tname\tcreated_at\tlive_keys\n";
    for (const auto& account : store->ListAccounts())
        std::cout << account.id << "\t" << account.name << "\t" << FormatIso(account.created_at)
                  << "\t" << store->ListApiKeys(account.id).size() << "\n";
    std::cout << std::flush;
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
        const std::string path = storage::SqlitePathOf(db).value_or(db);
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
    storage::StoreOptions to_options = options;
    to_options.create_if_missing = true;  // the target may be a new file
    storage::StorePtr to = storage::OpenStore(to_url, to_options);
    const auto counts = storage::CopyDatabase(*from, *to);
    for (const auto& c : counts)
        std::cout << c.table << ": " << c.target << " rows copied" << std::endl;
    std::cout << "copied; row counts match in every table" << std::endl;
    return 0;
}

struct AdminState {
    DbFlags db;
    std::string account_name;
    std::string keys_account;
    std::string key_name = "cli";
    int64_t key_id = 0;
    std::string new_key_file;
    std::string backup_file;
    std::string copy_from;
    std::string copy_to;
};

}  // namespace

void AddAdminCommands(CLI::App& app, Commands& commands) {
    auto s = std::make_shared<AdminState>();
    auto* accounts = app.add_subcommand("accounts", "manage accounts");
    accounts->require_subcommand(1);
    auto* create = accounts->add_subcommand("create", "create an account and print its API key");
    AddDbFlags(create, s->db);
    create->add_option("NAME", s->account_name, "account name")->required();
    commands.emplace_back(create, [s] {
        if (s->account_name.empty()) throw UsageError("account NAME must not be empty");
        s->db.options.create_if_missing = true;
        storage::StorePtr store = s->db.Open();
        const std::string key = CreateAccount(*store, s->account_name, SystemTimeSource{}.Now());
        std::cout << "created account '" << s->account_name << "'; its API key (shown once):\n"
                  << key << std::endl;
        return 0;
    });

    auto* list = accounts->add_subcommand("list", "list the accounts (id, name, created, keys)");
    AddDbFlags(list, s->db);
    commands.emplace_back(list, [s] { return AccountsList(s->db.db, s->db.options); });

    auto* migrate = app.add_subcommand("migrate", "apply the database migrations and exit");
    AddDbFlags(migrate, s->db);
    commands.emplace_back(migrate, [s] {
        s->db.options.create_if_missing = true;
        return Migrate(s->db.db, s->db.options);
    });

    auto* db_command = app.add_subcommand("db", "database maintenance");
    db_command->require_subcommand(1);
    auto* copy = db_command->add_subcommand(
        "copy",
        "copy every row (ids kept) from FROM_URL into the empty database TO_URL, in one "
        "transaction; refuses a target that holds anything");
    copy->add_option("FROM_URL", s->copy_from, "source database URL")->required();
    copy->add_option("TO_URL", s->copy_to, "target database URL (empty or new)")->required();
    copy->add_option("--secret-key-file", s->db.options.secrets.key_file,
                     "key of the stored credentials of both databases (else HERALD_SECRET_KEY, "
                     "else each SQLite file's own .key)");
    commands.emplace_back(copy, [s] { return CopyDb(s->copy_from, s->copy_to, s->db.options); });

    auto* keys = app.add_subcommand("keys", "manage an account's API keys");
    keys->require_subcommand(1);
    auto* keys_create = keys->add_subcommand("create", "add an API key; prints it (shown once)");
    AddDbFlags(keys_create, s->db);
    keys_create->add_option("ACCOUNT_NAME", s->keys_account, "account name")->required();
    keys_create->add_option("--name", s->key_name, "the key's name")->capture_default_str();
    commands.emplace_back(keys_create, [s] {
        if (s->key_name.empty()) throw UsageError("--name must not be empty");
        return KeysCreate(s->db.db, s->db.options, s->keys_account, s->key_name);
    });
    auto* keys_list = keys->add_subcommand("list", "list an account's live API keys");
    AddDbFlags(keys_list, s->db);
    keys_list->add_option("ACCOUNT_NAME", s->keys_account, "account name")->required();
    commands.emplace_back(keys_list,
                          [s] { return KeysList(s->db.db, s->db.options, s->keys_account); });
    auto* keys_revoke = keys->add_subcommand("revoke", "revoke an API key at once");
    AddDbFlags(keys_revoke, s->db);
    keys_revoke->add_option("KEY_ID", s->key_id, "the key's id (keys list)")->required();
    commands.emplace_back(keys_revoke,
                          [s] { return KeysRevoke(s->db.db, s->db.options, s->key_id); });

    auto* secrets = app.add_subcommand("secrets", "the key of the stored credentials");
    secrets->require_subcommand(1);
    auto* rotate = secrets->add_subcommand(
        "rotate", "re-encrypt every stored credential under a new key, in one transaction");
    AddDbFlags(rotate, s->db);
    rotate
        ->add_option("--new-key-file", s->new_key_file,
                     "file holding the new key (base64 of 32 bytes, e.g. head -c 32 "
                     "/dev/urandom | base64)")
        ->required();
    commands.emplace_back(rotate,
                          [s] { return SecretsRotate(s->db.db, s->db.options, s->new_key_file); });

    auto* backup = app.add_subcommand(
        "backup", "write a consistent copy of a SQLite database while herald runs");
    AddDbFlags(backup, s->db);
    backup->add_option("FILE", s->backup_file, "the new backup file (mode 0600)")->required();
    commands.emplace_back(backup, [s] { return Backup(s->db.db, s->backup_file); });

    auto* routes = app.add_subcommand(
        "routes",
        "print every HTTP route of serve (method, path, key|public), for the API "
        "description's test");
    commands.emplace_back(routes, [] {
        // Every route of any serve: the demo receiver's too (serve --demo).
        http::ServerSettings settings;
        settings.demo_receiver = true;
        for (const auto& route : http::ListRoutes(settings))
            std::cout << route.method << " " << route.pattern << " "
                      << (route.auth ? "key" : "public") << "\n";
        std::cout << std::flush;
        return 0;
    });
}

}  // namespace herald::app
