#pragma once
// A fixed-size pool of libpq connections to one database, each with its own cache of
// server-side prepared statements, and the transaction guard used on them.

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/postgres/pg_handle.hpp"
#include "storage/secret_box.hpp"

namespace herald::storage::postgres {

/// One open connection and its prepared statements. Used by one thread at a time.
/// The oldest server herald runs on (gen_random_uuid() in core, plan_cache_mode, identity
/// columns, transition tables in statement triggers).
inline constexpr int kMinServerVersion = 130000;

/// Why a server of PQserverVersion() `server_version` cannot serve herald; "" when it can.
std::string ServerVersionProblem(int server_version);

class Connection {
public:
    /// Connects; `url` is anything libpq takes as conninfo (a postgresql:// URI).
    /// @throws StorageError with libpq's reason on one line.
    explicit Connection(const std::string& url);

    PGconn* get() const { return conn_.get(); }
    /// Runs `sql` through a statement prepared on first use on this connection and kept,
    /// with `params` as text. @throws PgError.
    PgResult Exec(std::string_view sql, const Params& params = {});
    /// Runs `sql` once per parameter set, sending them all before reading any reply
    /// (libpq's pipeline mode): one round trip for the batch. Results are in order. If one
    /// fails, the ones after it are skipped and the first error is thrown (the caller's
    /// transaction is then aborted). @throws PgError.
    std::vector<PgResult> ExecPipelined(std::string_view sql, std::span<const Params> params);
    /// Runs SQL text without parameters through the simple protocol (may hold several
    /// statements: BEGIN, DDL). @throws PgError.
    PgResult ExecText(const char* sql);

    /// false once the server connection is gone.
    bool Healthy() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
    /// true when no transaction is open (or failed) on it.
    bool Idle() const { return PQtransactionStatus(conn_.get()) == PQTRANS_IDLE; }
    /// Healthy(), after reading what the server sent meanwhile without blocking: false for an
    /// idle connection whose session the server ended.
    bool Alive();
    /// Reconnects a broken connection; its prepared statements are gone with the old session.
    void Reset();

private:
    struct Statement {
        std::string name;
        int params;  // CountParams of its SQL
    };
    /// The statement prepared for `sql` on this connection (on first use).
    const Statement& Prepared(std::string_view sql);
    /// Same, checked to take as many parameters as `params` holds.
    const Statement& Prepared(std::string_view sql, const Params& params);
    /// @throws StorageError naming the SQL when `params` is not the statement's count.
    static void CheckCount(const Statement& statement, const Params& params, std::string_view sql);

    ConnPtr conn_;
    std::unordered_map<std::string, Statement> statements_;  // by SQL text
};

class ConnectionPool {
public:
    /// At most `size` connections are open at once; callers beyond that wait for one.
    ConnectionPool(std::string url, size_t size);

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

    /// The box that seals this database's secret columns (set once, before use).
    void SetSecrets(std::shared_ptr<const SecretBox> box) { secrets_ = std::move(box); }
    const SecretBox* secrets() const { return secrets_.get(); }

    /// An idle connection (reconnected first if the server dropped it), a new one while
    /// fewer than `size` are open, or else waits for one. @throws StorageError when a
    /// connection cannot be made.
    Lease Acquire();

private:
    void Return(std::unique_ptr<Connection> connection);

    const std::string url_;
    const size_t size_;
    std::shared_ptr<const SecretBox> secrets_;
    std::mutex mutex_;
    std::condition_variable returned_;
    std::vector<std::unique_ptr<Connection>> idle_;
    size_t open_ = 0;  // idle + lent
};

/// A transaction that rolls back unless committed.
class Transaction {
public:
    /// `begin`: "BEGIN", or with an isolation level / READ ONLY.
    explicit Transaction(Connection& conn, const char* begin = "BEGIN");
    /// Rolls back when still open; never throws.
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    void Commit();
    void Rollback();

private:
    Connection& conn_;
    bool open_ = true;
};

/// A savepoint inside a transaction: rolled back to unless released, so one failed step
/// (a unique violation) does not abort the work around it.
class Savepoint {
public:
    explicit Savepoint(Connection& conn);
    ~Savepoint();
    Savepoint(const Savepoint&) = delete;
    Savepoint& operator=(const Savepoint&) = delete;

    void Release();

private:
    Connection& conn_;
    bool open_ = true;
};

}  // namespace herald::storage::postgres
