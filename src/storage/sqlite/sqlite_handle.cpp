#include "storage/sqlite/sqlite_handle.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "storage/store.hpp"

namespace herald::storage::sqlite {

void ThrowSqliteError(sqlite3* db, int rc, std::string_view what) {
    std::string message(what);
    message += ": ";
    // The connection's message is only meaningful when it belongs to this error.
    message +=
        (db != nullptr && sqlite3_errcode(db) == rc) ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    message += " (code " + std::to_string(rc) + ")";
    if (rc == SQLITE_CONSTRAINT_UNIQUE) throw UniqueViolation(message);
    throw StorageError(message);
}

DbHandle::DbHandle(const std::string& path) {
    // A new database file is created 0600 here, before SQLite opens it (SQLite would create
    // it 0644; its -wal and -shm files take the database file's mode). O_EXCL: an existing
    // file must never be opened and closed behind SQLite's back, because closing any
    // descriptor of a file drops every POSIX lock this process holds on it, including the
    // locks of other connections in the middle of a transaction (lost writes, seen as a
    // PATCH answered 200 and then gone while other processes wrote to the file).
    if (!path.empty() && path.front() != ':' && !path.starts_with("file:")) {
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) ::close(fd);
    }
    // NOMUTEX: each connection is used by one thread at a time (the pool guarantees it),
    // so SQLite's per-connection mutex would be pure overhead.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string what = "cannot open database '" + path + "'";
        sqlite3* failed = std::exchange(db_, nullptr);
        try {
            ThrowSqliteError(failed, rc, what);
        } catch (...) {
            sqlite3_close(failed);
            throw;
        }
    }
    sqlite3_extended_result_codes(db_, 1);
}

DbHandle::~DbHandle() {
    if (db_ != nullptr) sqlite3_close_v2(db_);
}

DbHandle& DbHandle::operator=(DbHandle&& other) noexcept {
    if (this != &other) {
        if (db_ != nullptr) sqlite3_close_v2(db_);
        db_ = std::exchange(other.db_, nullptr);
    }
    return *this;
}

void DbHandle::Exec(const char* sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        std::string message = error != nullptr ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throw StorageError("SQL failed: " + message + " (code " + std::to_string(rc) + ")");
    }
}

StmtHandle::StmtHandle(sqlite3* db, std::string_view sql) {
    const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    if (rc != SQLITE_OK) ThrowSqliteError(db, rc, "cannot prepare statement");
}

Query::Query(sqlite3_stmt* stmt) : stmt_(stmt), count_(sqlite3_bind_parameter_count(stmt)) {
    if (count_ > kMaxParams)
        Fail("a statement has " + std::to_string(count_) + " parameters, more than the " +
             std::to_string(kMaxParams) + " a Query tracks");
}

void Query::Fail(const std::string& what) const {
    const char* text = sqlite3_sql(stmt_);
    throw StorageError(what + " in SQL: " + (text != nullptr ? text : "?"));
}

int Query::Claim(Param p) {
    int i = p.index;
    if (p.name != nullptr) {
        i = sqlite3_bind_parameter_index(stmt_, p.name);
        if (i == 0) {
            if (skip_absent_) return 0;
            Fail(std::string("no parameter ") + p.name);
        }
    }
    if (i < 1 || i > count_)
        Fail("no parameter ?" + std::to_string(i) + " (the statement has " +
             std::to_string(count_) + ")");
    const uint64_t bit = uint64_t{1} << (i - 1);
    if (bound_ & bit) {
        const char* name = sqlite3_bind_parameter_name(stmt_, i);
        Fail("parameter " + (name != nullptr ? std::string(name) : "?" + std::to_string(i)) +
             " bound twice");
    }
    bound_ |= bit;
    return i;
}

void Query::CheckAllBound() {
    checked_ = true;
    const uint64_t all = count_ == 64 ? ~uint64_t{0} : (uint64_t{1} << count_) - 1;
    if (bound_ == all) return;
    for (int i = 1; i <= count_; ++i) {
        // Numbered parameters may skip numbers (?1, ?5): a gap has no name and takes no value.
        const char* name = sqlite3_bind_parameter_name(stmt_, i);
        if (!(bound_ & (uint64_t{1} << (i - 1))) && name != nullptr)
            Fail(std::string("parameter ") + name + " left unbound");
    }
}

void Query::CheckBind(int rc, int i) {
    if (rc != SQLITE_OK)
        ThrowSqliteError(sqlite3_db_handle(stmt_), rc,
                         "cannot bind parameter " + std::to_string(i));
}

Query& Query::BindInt(Param p, int64_t v) {
    if (const int i = Claim(p)) CheckBind(sqlite3_bind_int64(stmt_, i, v), i);
    return *this;
}

Query& Query::BindOptInt(Param p, std::optional<int64_t> v) {
    return v ? BindInt(p, *v) : BindNull(p);
}

Query& Query::BindText(Param p, std::string_view v) {
    // TRANSIENT: callers often pass temporaries (JSON dumps, enum names).
    if (const int i = Claim(p))
        CheckBind(sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
                  i);
    return *this;
}

Query& Query::BindOptTime(Param p, std::optional<TimePoint> t) {
    return t ? BindTime(p, *t) : BindNull(p);
}

Query& Query::BindNull(Param p) {
    if (const int i = Claim(p)) CheckBind(sqlite3_bind_null(stmt_, i), i);
    return *this;
}

bool Query::Step() {
    if (!checked_) CheckAllBound();
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    ThrowSqliteError(sqlite3_db_handle(stmt_), rc, "statement failed");
}

void Query::Run() {
    while (Step()) {
    }
}

std::string Query::Text(int col) const { return std::string(TextView(col)); }

std::string_view Query::TextView(int col) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    if (text == nullptr) return {};
    return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

Transaction::Transaction(sqlite3* db, Mode mode) : db_(db) {
    const char* sql = mode == Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN";
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, "cannot begin transaction");
}

namespace {

/// Runs a statement that returns no rows and leaves it reset for its next use.
int StepOnce(sqlite3_stmt* stmt) {
    const int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

}  // namespace

Transaction::Transaction(sqlite3_stmt* begin, sqlite3_stmt* commit)
    : db_(sqlite3_db_handle(begin)), commit_(commit) {
    const int rc = StepOnce(begin);
    if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, "cannot begin transaction");
}

Transaction::~Transaction() {
    // Errors are ignored on purpose: a failed rollback leaves nothing better to do, and
    // SQLite rolls back on its own when the statement that failed already ended the txn.
    if (open_ && !sqlite3_get_autocommit(db_))
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::Commit() {
    const int rc =
        commit_ ? StepOnce(commit_) : sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, "cannot commit transaction");
    open_ = false;
}

}  // namespace herald::storage::sqlite
