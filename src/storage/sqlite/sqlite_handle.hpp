#pragma once
// Thin RAII wrappers over the sqlite3 C API: an owned connection, an owned prepared
// statement, one use of a statement (typed bind/step/column, reset on scope exit) and a
// transaction guard. Every SQLite failure becomes a StorageError.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/time.hpp"
#include "storage/store.hpp"

namespace herald::storage::sqlite {

/// A UNIQUE constraint refused a write (e.g. a second item of a site at one instant).
class UniqueViolation : public StorageError {
public:
    using StorageError::StorageError;
};

/// Throws StorageError("<what>: <sqlite message> (code N)"), UniqueViolation for
/// SQLITE_CONSTRAINT_UNIQUE.
[[noreturn]] void ThrowSqliteError(sqlite3* db, int rc, std::string_view what);

/// An owned sqlite3 connection.
class DbHandle {
public:
    DbHandle() = default;
    /// Opens (creating when missing) the file at `path`.
    explicit DbHandle(const std::string& path);
    ~DbHandle();
    DbHandle(DbHandle&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
    DbHandle& operator=(DbHandle&& other) noexcept;
    DbHandle(const DbHandle&) = delete;
    DbHandle& operator=(const DbHandle&) = delete;

    sqlite3* get() const { return db_; }
    /// Runs one or more statements that return no rows we care about.
    void Exec(const char* sql);

private:
    sqlite3* db_ = nullptr;
};

/// An owned prepared statement.
class StmtHandle {
public:
    StmtHandle(sqlite3* db, std::string_view sql);
    ~StmtHandle() { sqlite3_finalize(stmt_); }
    StmtHandle(StmtHandle&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
    StmtHandle& operator=(StmtHandle&&) = delete;
    StmtHandle(const StmtHandle&) = delete;
    StmtHandle& operator=(const StmtHandle&) = delete;

    sqlite3_stmt* get() const { return stmt_; }

private:
    sqlite3_stmt* stmt_ = nullptr;
};

/// A statement parameter: its number (?N, 1-based) or its name with its prefix (":title").
/// Named parameters keep long lists readable: the name says which column a value is for.
struct Param {
    Param(int i) : index(i) {}         // NOLINT(google-explicit-constructor)
    Param(const char* n) : name(n) {}  // NOLINT(google-explicit-constructor)
    int index = 0;
    const char* name = nullptr;
};

/// One execution of a (cached) prepared statement. Columns are 0-based. The destructor
/// resets the statement and clears its bindings so the cached statement is clean for the
/// next user and holds no read snapshot open.
///
/// Each parameter is bound exactly once: binding one the statement does not have, or one
/// already bound, throws at the bind, and the first Step() throws while one is unbound
/// (every StorageError names the SQL). A miscounted list so fails on its first use instead
/// of writing NULL or a neighbour's value into a column.
class Query {
public:
    explicit Query(sqlite3_stmt* stmt);
    ~Query() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    /// Binds by name of parameters this statement does not have are skipped (not refused),
    /// for one binder that serves several statements (BindContent); the unbound check at
    /// Step() still holds for every parameter the statement has.
    Query& SkipAbsentNames() {
        skip_absent_ = true;
        return *this;
    }

    Query& BindInt(Param p, int64_t v);
    Query& BindOptInt(Param p, std::optional<int64_t> v);
    Query& BindBool(Param p, bool v) { return BindInt(p, v ? 1 : 0); }
    Query& BindText(Param p, std::string_view v);
    Query& BindOptText(Param p, const std::optional<std::string>& v) {
        return v ? BindText(p, *v) : BindNull(p);
    }
    Query& BindTime(Param p, TimePoint t) { return BindInt(p, ToUnixMillis(t)); }
    Query& BindOptTime(Param p, std::optional<TimePoint> t);
    Query& BindNull(Param p);

    /// true when a row is available, false when done.
    bool Step();
    /// Steps to completion, ignoring any rows.
    void Run();
    /// Rows changed by the last Run() on this connection.
    int Changes() const { return sqlite3_changes(sqlite3_db_handle(stmt_)); }

    bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
    std::optional<int64_t> OptInt(int col) const {
        return IsNull(col) ? std::nullopt : std::optional<int64_t>(Int(col));
    }
    bool Bool(int col) const { return Int(col) != 0; }
    std::string Text(int col) const;
    /// The column's text without a copy: valid until the next Step or the Query's end.
    std::string_view TextView(int col) const;
    TimePoint Time(int col) const { return FromUnixMillis(Int(col)); }
    std::optional<TimePoint> OptTime(int col) const {
        return IsNull(col) ? std::nullopt : std::optional<TimePoint>(Time(col));
    }

    /// Parameters a statement may have: the bound ones are tracked in one 64-bit mask.
    static constexpr int kMaxParams = 64;

private:
    /// The parameter's index, recorded as bound; 0 for a skipped absent name.
    int Claim(Param p);
    void CheckBind(int rc, int i);
    void CheckAllBound();
    [[noreturn]] void Fail(const std::string& what) const;

    sqlite3_stmt* stmt_;
    int count_;             // sqlite3_bind_parameter_count
    uint64_t bound_ = 0;    // bit i-1: parameter i bound
    bool checked_ = false;  // CheckAllBound done (first Step)
    bool skip_absent_ = false;
};

/// A transaction that rolls back unless committed. Writers that read before they write
/// use kImmediate: it takes the write lock up front, so concurrent writers (threads or
/// processes) queue on busy_timeout instead of failing to upgrade a read lock.
class Transaction {
public:
    enum class Mode { kDeferred, kImmediate };
    Transaction(sqlite3* db, Mode mode);
    /// Same, running `begin` and `commit` (BEGIN… / COMMIT statements the caller prepared
    /// once) instead of SQL text: sqlite3_exec re-parses its text on every call, which
    /// was a visible share of a short read such as a list page.
    Transaction(sqlite3_stmt* begin, sqlite3_stmt* commit);
    /// Rolls back when not committed; never throws.
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    void Commit();

private:
    sqlite3* db_;
    sqlite3_stmt* commit_ = nullptr;  // null: COMMIT through sqlite3_exec
    bool open_ = true;
};

}  // namespace herald::storage::sqlite
