#pragma once
// A small pool of SQLite connections to one file: one connection per concurrent caller,
// created lazily, each with its own cache of prepared statements.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/secret_box.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace herald::storage::sqlite {

/// One configured connection (WAL, foreign keys, busy timeout) and its statement cache.
/// Used by one thread at a time.
class Connection {
public:
    explicit Connection(const std::string& path);

    sqlite3* db() const { return db_.get(); }
    /// The prepared statement for `sql`, prepared on first use and kept.
    sqlite3_stmt* Prepare(std::string_view sql);
    void Exec(const char* sql) { db_.Exec(sql); }
    /// A transaction on this connection, its BEGIN and COMMIT from the statement cache.
    Transaction Begin(Transaction::Mode mode);

    /// The database's content version as this connection sees it (SQLITE_FCNTL_DATA_VERSION):
    /// it moves with every commit, this connection's or any other's, this process's or
    /// another's. Read inside a transaction whose snapshot is taken (a statement has run), a
    /// value computed from that snapshot stays exact for as long as the version stays.
    uint32_t DataVersion();
    /// COUNT(*) results kept per statement and parameters (`key`), each valid only at the
    /// DataVersion it was counted at: a list page of a quiet database skips its count.
    std::optional<int64_t> CachedCount(const std::string& key, uint32_t version) const;
    void RememberCount(const std::string& key, uint32_t version, int64_t count);

private:
    // Distinct filters a connection remembers counts for; past this the cache starts over
    // (a few hundred bytes each).
    static constexpr size_t kMaxCachedCounts = 256;
    struct CachedCountEntry {
        uint32_t version;
        int64_t count;
    };

    DbHandle db_;
    std::unordered_map<std::string, StmtHandle> statements_;
    std::unordered_map<std::string, CachedCountEntry> counts_;
};

class ConnectionPool {
public:
    explicit ConnectionPool(std::string path) : path_(std::move(path)) {}

    /// A connection borrowed for one call; goes back to the pool when destroyed.
    class Lease {
    public:
        Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
            : pool_(pool), connection_(std::move(connection)), secrets_(pool->secrets_.get()) {}
        ~Lease() {
            if (connection_) pool_->Return(std::move(connection_));
        }
        Lease(Lease&&) = default;
        Lease& operator=(Lease&&) = delete;
        Connection* operator->() const { return connection_.get(); }
        Connection& operator*() const { return *connection_; }

    private:
        ConnectionPool* pool_;
        std::unique_ptr<Connection> connection_;
        // The store's secret box is active on this thread while the lease is held, so the
        // row readers and binders seal and open secret columns (secret_box.hpp).
        ActiveSecretsScope secrets_;
    };

    Lease Acquire();
    /// The box that seals this database's secret columns (set once, before use).
    void SetSecrets(std::shared_ptr<const SecretBox> box) { secrets_ = std::move(box); }
    const SecretBox* secrets() const { return secrets_.get(); }

private:
    // Idle connections kept beyond this are closed, so a burst does not pin file handles.
    static constexpr size_t kMaxIdle = 32;

    void Return(std::unique_ptr<Connection> connection);

    const std::string path_;
    std::shared_ptr<const SecretBox> secrets_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace herald::storage::sqlite
