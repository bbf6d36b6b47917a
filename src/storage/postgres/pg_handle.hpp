#pragma once
// Thin RAII wrappers over libpq: owned connections and results, parameters sent as text,
// typed column readers, and the error type that keeps the SQLSTATE. Every libpq failure
// becomes a (one-line) StorageError. Only src/storage/postgres/ includes this header.

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/time.hpp"
#include "storage/store.hpp"

namespace herald::storage::postgres {

/// A failed statement, with the server's SQLSTATE ("23505"…) so callers can tell expected
/// refusals (a unique violation) from real failures.
class PgError : public StorageError {
public:
    PgError(const std::string& message, std::string sqlstate)
        : StorageError(message), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const { return sqlstate_; }
    bool unique_violation() const { return sqlstate_ == "23505"; }

private:
    std::string sqlstate_;
};

/// libpq's messages span lines ("connection to server … failed: FATAL: …\n"); one line.
std::string OneLine(std::string_view message);

struct ConnDeleter {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnDeleter>;

/// An owned PGresult with typed readers. Rows and columns are 0-based.
class PgResult {
public:
    PgResult() = default;
    explicit PgResult(PGresult* result) : result_(result) {}
    PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
    PgResult& operator=(PgResult&& other) noexcept {
        std::swap(result_, other.result_);
        return *this;
    }
    PgResult(const PgResult&) = delete;
    PgResult& operator=(const PgResult&) = delete;
    ~PgResult() { PQclear(result_); }

    PGresult* get() const { return result_; }
    int rows() const { return result_ ? PQntuples(result_) : 0; }
    bool empty() const { return rows() == 0; }
    /// Rows an INSERT/UPDATE/DELETE touched.
    int64_t affected() const;

    bool IsNull(int row, int col) const { return PQgetisnull(result_, row, col) != 0; }
    int64_t Int(int row, int col) const;
    std::optional<int64_t> OptInt(int row, int col) const {
        return IsNull(row, col) ? std::nullopt : std::optional<int64_t>(Int(row, col));
    }
    bool Bool(int row, int col) const;
    std::string Text(int row, int col) const {
        return std::string(PQgetvalue(result_, row, col),
                           static_cast<size_t>(PQgetlength(result_, row, col)));
    }
    TimePoint Time(int row, int col) const { return FromUnixMillis(Int(row, col)); }
    std::optional<TimePoint> OptTime(int row, int col) const {
        return IsNull(row, col) ? std::nullopt : std::optional<TimePoint>(Time(row, col));
    }

private:
    PGresult* result_ = nullptr;
};

/// One row of a result, for the readers that build a model from it.
struct Row {
    const PgResult& result;
    int row;
    int base = 0;  // column offset, for rows that carry two models side by side

    bool IsNull(int col) const { return result.IsNull(row, base + col); }
    int64_t Int(int col) const { return result.Int(row, base + col); }
    std::optional<int64_t> OptInt(int col) const { return result.OptInt(row, base + col); }
    bool Bool(int col) const { return result.Bool(row, base + col); }
    std::string Text(int col) const { return result.Text(row, base + col); }
    TimePoint Time(int col) const { return result.Time(row, base + col); }
    std::optional<TimePoint> OptTime(int col) const { return result.OptTime(row, base + col); }
};

/// Statement parameters, all sent in text format (the server casts them to the column's
/// type). Each Add… returns the placeholder ("$3") for SQL assembled alongside the values.
class Params {
public:
    std::string Int(int64_t v) { return Add(std::to_string(v)); }
    std::string OptInt(std::optional<int64_t> v) { return v ? Int(*v) : Null(); }
    std::string Bool(bool v) { return Add(v ? "t" : "f"); }
    std::string Text(std::string_view v) { return Add(std::string(v)); }
    std::string Time(TimePoint t) { return Int(ToUnixMillis(t)); }
    std::string OptTime(std::optional<TimePoint> t) { return t ? Time(*t) : Null(); }
    std::string Null() { return Add(std::nullopt); }
    /// A bigint[] literal ("{1,2,3}").
    std::string IntArray(std::span<const int64_t> values);
    /// A text[] literal, every element quoted and escaped.
    std::string TextArray(std::span<const std::string> values);

    int size() const { return static_cast<int>(values_.size()); }
    /// Pointers into this object, valid while it lives unchanged.
    std::vector<const char*> Pointers() const;

private:
    std::string Add(std::optional<std::string> value) {
        values_.push_back(std::move(value));
        return "$" + std::to_string(values_.size());
    }
    std::vector<std::optional<std::string>> values_;
};

/// BEGIN for the dispatcher's short transactions (claims, settles). A process frozen inside
/// one (SIGSTOP, a stalled VM) would hold its row and advisory locks for as long as it stays
/// frozen, and nobody could take its items over after their lease; the server ends such a
/// session after 5 s idle in the transaction, which rolls it back and frees the locks.
inline constexpr const char* kBeginDispatch =
    "BEGIN; SET LOCAL idle_in_transaction_session_timeout = 5000";

/// The number of parameters `sql` takes: its highest $N, as the server counts them when it
/// prepares the statement (text in quotes, identifiers and comments skipped). Lets a wrong
/// Params count fail before the round trip with the SQL named. @throws StorageError naming
/// the SQL when a number below the highest is never used (its value would go nowhere, and
/// the server would refuse it anyway, without saying which statement).
int CountParams(std::string_view sql);

/// Throws StorageError("<what>: <libpq message>") for a connection-level failure.
[[noreturn]] void ThrowConnectionError(PGconn* conn, std::string_view what);

/// Checks a statement's result: returns it when it succeeded, else throws PgError with the
/// server's primary message and SQLSTATE.
PgResult CheckResult(PGconn* conn, PGresult* result, std::string_view what);

}  // namespace herald::storage::postgres
