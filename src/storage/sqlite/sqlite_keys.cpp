// SqliteStore: API keys, credentials at rest (key check, start-up sealing, rotation) and the
// online backup of `herald backup`.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "storage/sqlite/connection_pool.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace herald::storage::sqlite {
namespace {

using Mode = Transaction::Mode;

constexpr const char* kApiKeyColumns =
    "id, account_id, name, prefix, key_hash, created_at, last_used_at, revoked_at";

ApiKeyRecord ReadApiKey(const Query& q) {
    ApiKeyRecord k;
    k.id = q.Int(0);
    k.account_id = q.Int(1);
    k.name = q.Text(2);
    k.prefix = q.Text(3);
    k.key_hash = q.Text(4);
    k.created_at = q.Time(5);
    k.last_used_at = q.OptTime(6);
    k.revoked_at = q.OptTime(7);
    return k;
}

/// The key check stored in the database, or nullopt (no secret_meta table yet, or no row).
std::optional<std::string> ReadKeyCheck(sqlite3* db) {
    {
        StmtHandle exists(
            db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'secret_meta'");
        Query q(exists.get());
        if (!q.Step()) return std::nullopt;
    }
    StmtHandle stmt(db, "SELECT value FROM secret_meta WHERE name = 'key_check'");
    Query q(stmt.get());
    if (!q.Step()) return std::nullopt;
    return q.Text(0);
}

bool TableExists(Connection& conn, const std::string& table) {
    Query q(conn.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1"));
    q.BindText(1, table);
    return q.Step();
}

std::string WrongKeyMessage(const std::string& path, bool from_default_file) {
    return "the secret key" + (from_default_file ? " in " + path + ".key" : std::string()) +
           " does not open the credentials stored in " + path +
           " (they were encrypted with another key); nothing was changed";
}

}  // namespace

// --- credentials at rest ------------------------------------------------------------------

void SqliteStore::ResolveSecrets(const SecretKeySource& source) {
    std::optional<std::string> check;
    {
        auto conn = pool_->Acquire();
        check = ReadKeyCheck(conn->db());
    }
    bool from_default = false;
    auto box = ResolveSecretBox(source, db_file_, /*may_create_default=*/!check, &from_default);
    if (!box)
        throw StorageError("the credentials in " + db_file_ + " are encrypted, but its key file " +
                           db_file_ +
                           ".key is missing: restore it, or give the key with "
                           "--secret-key-file or HERALD_SECRET_KEY");
    if (check && !box->OpensKeyCheck(*check))
        throw StorageError(WrongKeyMessage(db_file_, from_default));
    key_from_default_file_ = from_default;
    pool_->SetSecrets(std::move(box));
}

void SqliteStore::SealPlaintextSecrets() {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    const SecretBox& box = *pool_->secrets();
    // Re-read under the write lock: another process may have written it meanwhile.
    if (const auto check = ReadKeyCheck(conn->db())) {
        if (!box.OpensKeyCheck(*check))
            throw StorageError(WrongKeyMessage(db_file_, key_from_default_file_));
    } else {
        Query q(conn->Prepare("INSERT INTO secret_meta (name, value) VALUES ('key_check', ?1)"));
        q.BindText(1, box.MakeKeyCheck());
        q.Run();
    }
    // Plaintext left by an older herald (or copied in raw): sealed now, in this transaction.
    for (const SecretColumn& column : kSecretColumns) {
        const std::string table = column.table;
        const std::string col = column.column;
        if (!TableExists(*conn, table)) continue;  // a fixture migrated only part of the way
        std::vector<std::pair<int64_t, std::string>> plain;
        {
            Query q(conn->Prepare("SELECT id, " + col + " FROM " + table + " WHERE " + col +
                                  " <> '' AND " + col + " NOT LIKE 'enc:%'"));
            while (q.Step()) plain.emplace_back(q.Int(0), q.Text(1));
        }
        for (const auto& [id, value] : plain) {
            Query q(conn->Prepare("UPDATE " + table + " SET " + col + " = ?1 WHERE id = ?2"));
            q.BindText(1, box.Seal(value, SecretAd(column, id))).BindInt(2, id);
            q.Run();
        }
    }
    txn.Commit();
}

int64_t SqliteStore::RotateSecrets(const SecretBox& next) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    const SecretBox& current = *pool_->secrets();
    const auto check = ReadKeyCheck(conn->db());
    if (!check || !current.OpensKeyCheck(*check))
        throw StorageError(WrongKeyMessage(db_file_, key_from_default_file_));
    int64_t count = 0;
    for (const SecretColumn& column : kSecretColumns) {
        const std::string table = column.table;
        const std::string col = column.column;
        std::vector<std::pair<int64_t, std::string>> values;
        {
            Query q(
                conn->Prepare("SELECT id, " + col + " FROM " + table + " WHERE " + col + " <> ''"));
            while (q.Step()) values.emplace_back(q.Int(0), q.Text(1));
        }
        for (const auto& [id, stored] : values) {
            const std::string plain = OpenColumn(column, id, stored);
            Query q(conn->Prepare("UPDATE " + table + " SET " + col + " = ?1 WHERE id = ?2"));
            q.BindText(1, next.Seal(plain, SecretAd(column, id))).BindInt(2, id);
            q.Run();
            ++count;
        }
    }
    {
        Query q(conn->Prepare("UPDATE secret_meta SET value = ?1 WHERE name = 'key_check'"));
        q.BindText(1, next.MakeKeyCheck());
        q.Run();
    }
    txn.Commit();
    return count;
}

// --- API keys -------------------------------------------------------------------------------

std::optional<Store::ApiKeyMatch> SqliteStore::FindApiKey(std::string_view key_hash) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(
        "SELECT a.id, a.name, a.created_at, k.id, k.last_used_at FROM api_keys k"
        " JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = ?1 AND k.revoked_at IS NULL"));
    q.BindText(1, key_hash);
    if (!q.Step()) return std::nullopt;
    return ApiKeyMatch{Account{q.Int(0), q.Text(1), q.Time(2)}, q.Int(3), q.OptTime(4)};
}

void SqliteStore::TouchApiKey(int64_t key_id, TimePoint now, Milliseconds min_interval) {
    auto conn = pool_->Acquire();
    Query q(
        conn->Prepare("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1"
                      " AND (last_used_at IS NULL OR last_used_at <= ?3)"));
    q.BindInt(1, key_id).BindTime(2, now).BindTime(3, now - min_interval);
    q.Run();
}

ApiKeyRecord SqliteStore::CreateApiKey(AccountId account, std::string_view name,
                                       std::string_view prefix, std::string_view key_hash,
                                       TimePoint now) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(
        std::string("INSERT INTO api_keys (account_id, name, prefix, key_hash, created_at)"
                    " SELECT id, ?2, ?3, ?4, ?5 FROM accounts WHERE id = ?1 RETURNING ") +
        kApiKeyColumns));
    q.BindInt(1, account)
        .BindText(2, name)
        .BindText(3, prefix)
        .BindText(4, key_hash)
        .BindTime(5, now);
    if (!q.Step()) throw StorageError("no account " + std::to_string(account));
    return ReadApiKey(q);
}

std::vector<ApiKeyRecord> SqliteStore::ListApiKeys(AccountId account) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(std::string("SELECT ") + kApiKeyColumns +
                          " FROM api_keys WHERE account_id = ?1 AND revoked_at IS NULL"
                          " ORDER BY id"));
    q.BindInt(1, account);
    std::vector<ApiKeyRecord> keys;
    while (q.Step()) keys.push_back(ReadApiKey(q));
    return keys;
}

bool SqliteStore::RevokeApiKey(std::optional<AccountId> account, int64_t key_id, TimePoint now) {
    auto conn = pool_->Acquire();
    Query q(
        conn->Prepare("UPDATE api_keys SET revoked_at = ?3 WHERE id = ?1 AND revoked_at IS NULL"
                      " AND (?2 IS NULL OR account_id = ?2)"));
    q.BindInt(1, key_id).BindOptInt(2, account).BindTime(3, now);
    q.Run();
    return q.Changes() > 0;
}

std::vector<Account> SqliteStore::FindAccountsByName(std::string_view name) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare("SELECT id, name, created_at FROM accounts WHERE name = ?1 ORDER BY id"));
    q.BindText(1, name);
    std::vector<Account> accounts;
    while (q.Step()) accounts.push_back(Account{q.Int(0), q.Text(1), q.Time(2)});
    return accounts;
}

std::vector<Account> SqliteStore::ListAccounts() {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare("SELECT id, name, created_at FROM accounts ORDER BY id"));
    std::vector<Account> accounts;
    while (q.Step()) accounts.push_back(Account{q.Int(0), q.Text(1), q.Time(2)});
    return accounts;
}

}  // namespace herald::storage::sqlite

namespace herald::storage {

// --- herald backup ----------------------------------------------------------------------------

void BackupDatabase(std::string_view url, const std::string& file) {
    const std::optional<std::string> sqlite_path = SqlitePathOf(url);
    if (!sqlite_path)
        throw StorageError(
            "herald backup copies SQLite databases; back up PostgreSQL with pg_dump "
            "(e.g. pg_dump --format=custom --file=herald.dump '<URL>')");
    const std::string& path = *sqlite_path;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw StorageError("no herald database at " + path);
    // The copy is created 0600 and must be new: a backup never overwrites a file.
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        throw StorageError("cannot create the backup file " + file + ": " + std::strerror(errno));
    ::close(fd);
    try {
        sqlite3* src = nullptr;
        if (sqlite3_open_v2(path.c_str(), &src, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
            const std::string message = src ? sqlite3_errmsg(src) : "out of memory";
            sqlite3_close(src);
            throw StorageError("cannot open " + path + ": " + message);
        }
        sqlite3_busy_timeout(src, 5000);
        sqlite3* dst = nullptr;
        if (sqlite3_open_v2(file.c_str(), &dst, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
            const std::string message = dst ? sqlite3_errmsg(dst) : "out of memory";
            sqlite3_close(dst);
            sqlite3_close(src);
            throw StorageError("cannot open " + file + ": " + message);
        }
        sqlite3_backup* backup = sqlite3_backup_init(dst, "main", src, "main");
        if (backup == nullptr) {
            const std::string message = sqlite3_errmsg(dst);
            sqlite3_close(dst);
            sqlite3_close(src);
            throw StorageError("backup failed: " + message);
        }
        // Steps of a few hundred pages, each its own short read transaction, with a pause
        // between them: writers are never held up for long. A write by another connection
        // restarts the copy at the next step; after a few restarts the rest is copied in one
        // step (one read snapshot; in WAL mode writers go on meanwhile).
        constexpr int kPagesPerStep = 256;
        int restarts = 0;
        int last_remaining = -1;
        int rc = SQLITE_OK;
        for (;;) {
            rc = sqlite3_backup_step(backup, restarts >= 3 ? -1 : kPagesPerStep);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
            const int remaining = sqlite3_backup_remaining(backup);
            if (last_remaining >= 0 && remaining > last_remaining) ++restarts;
            last_remaining = remaining;
            std::this_thread::sleep_for(std::chrono::milliseconds{rc == SQLITE_OK ? 2 : 20});
        }
        sqlite3_backup_finish(backup);
        const std::string message = sqlite3_errmsg(dst);
        sqlite3_close(dst);
        sqlite3_close(src);
        if (rc != SQLITE_DONE) throw StorageError("backup failed: " + message);
    } catch (...) {
        ::unlink(file.c_str());
        throw;
    }
    ::chmod(file.c_str(), 0600);
}

}  // namespace herald::storage
