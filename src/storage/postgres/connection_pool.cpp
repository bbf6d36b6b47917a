#include "storage/postgres/connection_pool.hpp"

#include <cstring>
#include <optional>

namespace herald::storage::postgres {
namespace {

// Notices ("relation … already exists, skipping") are not errors; libpq would print them
// on stderr, in the middle of herald's own log lines.
void IgnoreNotice(void*, const char*) {}

}  // namespace

std::string ServerVersionProblem(int server_version) {
    if (server_version >= kMinServerVersion) return {};
    // PQserverVersion: major * 10000 + minor since 10, major * 10000 + minor * 100 + patch
    // before; either way the first two digits name the major version well enough here.
    const int major = server_version / 10000;
    const int minor = server_version >= 100000 ? 0 : server_version / 100 % 100;
    return "the PostgreSQL server is version " + std::to_string(major) +
           (server_version >= 100000 ? "" : "." + std::to_string(minor)) +
           "; herald needs PostgreSQL " + std::to_string(kMinServerVersion / 10000) +
           " or newer (nothing was changed)";
}

Connection::Connection(const std::string& url) {
    // Defaults first: the URI's own settings (expanded from "dbname") override them. A
    // connect timeout, so an unreachable host fails instead of hanging on the TCP handshake.
    // TCP keepalives: a server that vanished without closing (a partition, a dead host) is
    // noticed within about a minute instead of the kernel's two hours.
    // Generic plans for the prepared statements: herald's statements are planned for index
    // ranges whose best plan does not depend on the values, and PostgreSQL's default
    // re-plans each of the first executions and any whose custom plan looks cheaper, which
    // was ~12 % of the content list's throughput. Partial indexes are only ever matched
    // against literals in herald's SQL, which generic plans can use.
    const char* keywords[] = {"connect_timeout",  "application_name",
                              "client_encoding",  "keepalives",
                              "keepalives_idle",  "keepalives_interval",
                              "keepalives_count", "options",
                              "dbname",           nullptr};
    const char* values[] = {"10",        "herald", "UTF8", "1",
                            "30",        "10",     "3",    "-c plan_cache_mode=force_generic_plan",
                            url.c_str(), nullptr};
    conn_.reset(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
    if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK)
        ThrowConnectionError(conn_.get(), "cannot connect to PostgreSQL");
    if (const std::string problem = ServerVersionProblem(PQserverVersion(conn_.get()));
        !problem.empty()) {
        throw StorageError(problem);
    }
    PQsetNoticeProcessor(conn_.get(), IgnoreNotice, nullptr);
}

const Connection::Statement& Connection::Prepared(std::string_view sql, const Params& params) {
    const Statement& statement = Prepared(sql);
    CheckCount(statement, params, sql);
    return statement;
}

void Connection::CheckCount(const Statement& statement, const Params& params,
                            std::string_view sql) {
    // The server would refuse a wrong count too, but without naming the statement.
    if (params.size() != statement.params)
        throw StorageError("statement takes " + std::to_string(statement.params) +
                           " parameters, given " + std::to_string(params.size()) +
                           ", in SQL: " + std::string(sql));
}

const Connection::Statement& Connection::Prepared(std::string_view sql) {
    auto it = statements_.find(std::string(sql));
    if (it == statements_.end()) {
        const int count = CountParams(sql);  // before the round trip: it may refuse the SQL
        std::string name = "h" + std::to_string(statements_.size() + 1);
        const std::string text(sql);
        CheckResult(conn_.get(), PQprepare(conn_.get(), name.c_str(), text.c_str(), 0, nullptr),
                    "cannot prepare a statement");
        it = statements_.emplace(text, Statement{std::move(name), count}).first;
    }
    return it->second;
}

PgResult Connection::Exec(std::string_view sql, const Params& params) {
    const std::string& name = Prepared(sql, params).name;
    const std::vector<const char*> values = params.Pointers();
    return CheckResult(conn_.get(),
                       PQexecPrepared(conn_.get(), name.c_str(), params.size(), values.data(),
                                      nullptr, nullptr, /*resultFormat=*/0),
                       "PostgreSQL statement failed");
}

std::vector<PgResult> Connection::ExecPipelined(std::string_view sql,
                                                std::span<const Params> params) {
    std::vector<PgResult> results;
    if (params.empty()) return results;
    // PQprepare is not allowed inside a pipeline; every set is checked before any is sent.
    const Statement& statement = Prepared(sql);
    for (const Params& p : params) CheckCount(statement, p, sql);
    const std::string& name = statement.name;
    PGconn* conn = conn_.get();
    if (PQenterPipelineMode(conn) != 1) ThrowConnectionError(conn, "cannot enter pipeline mode");
    bool sent = true;
    for (const Params& p : params) {
        const std::vector<const char*> values = p.Pointers();
        if (PQsendQueryPrepared(conn, name.c_str(), p.size(), values.data(), nullptr, nullptr, 0) !=
            1) {
            sent = false;
            break;
        }
    }
    if (!sent || PQpipelineSync(conn) != 1) {
        // The connection is broken; the session (and its transaction) is gone with it.
        const std::string message = OneLine(PQerrorMessage(conn));
        PQexitPipelineMode(conn);
        throw StorageError("PostgreSQL pipeline failed: " + message);
    }
    // Each statement's result is followed by a null; the sync point ends the batch.
    std::optional<PgError> first_error;
    std::optional<std::string> broken;
    results.reserve(params.size());
    for (;;) {
        PGresult* raw = PQgetResult(conn);
        if (raw == nullptr) {
            if (PQstatus(conn) != CONNECTION_OK) {
                broken = OneLine(PQerrorMessage(conn));
                break;
            }
            continue;
        }
        const ExecStatusType status = PQresultStatus(raw);
        if (status == PGRES_PIPELINE_SYNC) {
            PQclear(raw);
            break;
        }
        if (status == PGRES_PIPELINE_ABORTED) {
            PQclear(raw);  // skipped after an earlier failure
            continue;
        }
        try {
            results.push_back(CheckResult(conn, raw, "PostgreSQL statement failed"));
        } catch (const PgError& e) {
            if (!first_error) first_error = e;
        }
    }
    PQexitPipelineMode(conn);
    if (broken) throw StorageError("PostgreSQL pipeline failed: " + *broken);
    if (first_error) throw *first_error;
    if (results.size() != params.size())
        throw StorageError("PostgreSQL pipeline returned " + std::to_string(results.size()) +
                           " results for " + std::to_string(params.size()) + " statements");
    return results;
}

PgResult Connection::ExecText(const char* sql) {
    return CheckResult(conn_.get(), PQexec(conn_.get(), sql), "PostgreSQL statement failed");
}

bool Connection::Alive() {
    // An idle connection whose server went away (restart, fast shutdown, a killed backend)
    // has its FATAL message and EOF waiting on the socket: reading them (without blocking;
    // libpq's socket is non-blocking) marks it bad, so it is replaced before a caller's
    // statement fails on it.
    if (PQstatus(conn_.get()) != CONNECTION_OK) return false;
    if (PQconsumeInput(conn_.get()) == 0) return false;
    return PQstatus(conn_.get()) == CONNECTION_OK;
}

void Connection::Reset() {
    statements_.clear();
    PQreset(conn_.get());
    if (PQstatus(conn_.get()) != CONNECTION_OK)
        ThrowConnectionError(conn_.get(), "cannot reconnect to PostgreSQL");
    PQsetNoticeProcessor(conn_.get(), IgnoreNotice, nullptr);
}

ConnectionPool::ConnectionPool(std::string url, size_t size)
    : url_(std::move(url)), size_(size == 0 ? 1 : size) {}

ConnectionPool::Lease ConnectionPool::Acquire() {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
    std::unique_ptr<Connection> connection;
    if (!idle_.empty()) {
        connection = std::move(idle_.back());
        idle_.pop_back();
    } else {
        ++open_;
    }
    lock.unlock();
    // Connecting and reconnecting happen outside the lock: both wait on the network.
    try {
        if (!connection) {
            connection = std::make_unique<Connection>(url_);
        } else if (!connection->Alive()) {
            connection->Reset();
        }
    } catch (...) {
        lock.lock();
        --open_;
        returned_.notify_one();
        throw;
    }
    return Lease(this, std::move(connection));
}

void ConnectionPool::Return(std::unique_ptr<Connection> connection) {
    // A caller that threw between BEGIN and its guard's rollback cannot exist (the guard
    // outlives the statements), but a broken session may still report a transaction.
    if (connection->Healthy() && !connection->Idle()) {
        try {
            connection->ExecText("ROLLBACK");
        } catch (const StorageError&) {
        }
    }
    std::lock_guard lock(mutex_);
    if (connection->Healthy() && !connection->Idle()) {
        --open_;  // unusable: close it (the unique_ptr does) and let Acquire open another
    } else {
        idle_.push_back(std::move(connection));  // a broken one is reset on its next Acquire
    }
    returned_.notify_one();
}

Transaction::Transaction(Connection& conn, const char* begin) : conn_(conn) {
    conn_.ExecText(begin);
}

Transaction::~Transaction() {
    if (!open_) return;
    try {
        conn_.ExecText("ROLLBACK");
    } catch (const StorageError&) {
        // The connection is broken; the server ends the transaction with the session.
    }
}

void Transaction::Commit() {
    open_ = false;
    const PgResult result = conn_.ExecText("COMMIT");
    // COMMIT of a transaction an earlier error aborted "succeeds" as ROLLBACK.
    if (std::strcmp(PQcmdStatus(result.get()), "ROLLBACK") == 0)
        throw StorageError("PostgreSQL rolled the transaction back after an earlier error");
}

void Transaction::Rollback() {
    open_ = false;
    conn_.ExecText("ROLLBACK");
}

Savepoint::Savepoint(Connection& conn) : conn_(conn) { conn_.ExecText("SAVEPOINT herald_step"); }

Savepoint::~Savepoint() {
    if (!open_) return;
    try {
        conn_.ExecText("ROLLBACK TO SAVEPOINT herald_step; RELEASE SAVEPOINT herald_step");
    } catch (const StorageError&) {
        // Broken connection: the enclosing transaction's guard fails too and rolls back.
    }
}

void Savepoint::Release() {
    open_ = false;
    conn_.ExecText("RELEASE SAVEPOINT herald_step");
}

}  // namespace herald::storage::postgres
