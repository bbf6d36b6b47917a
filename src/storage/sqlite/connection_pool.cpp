#include "storage/sqlite/connection_pool.hpp"

#include <chrono>
#include <thread>

namespace herald::storage::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;

}  // namespace

Connection::Connection(const std::string& path) : db_(path) {
    // busy_timeout first: the other pragmas may need a lock another process holds.
    db_.Exec("PRAGMA busy_timeout = 5000;");
    // Switching a new file to WAL needs an exclusive lock, and SQLite answers "database is
    // locked" at once, without its busy handler, while another connection is doing the
    // same first open; so retry here for as long as the busy timeout would have waited.
    // journal_mode=WAL is persistent in the file; setting it again is a no-op.
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds{kBusyTimeoutMs};
    for (;;) {
        const int rc =
            sqlite3_exec(db_.get(), "PRAGMA journal_mode = WAL;", nullptr, nullptr, nullptr);
        if (rc == SQLITE_OK) break;
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) ||
            std::chrono::steady_clock::now() > deadline) {
            db_.Exec("PRAGMA journal_mode = WAL;");  // throws with SQLite's own message
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    db_.Exec(
        "PRAGMA foreign_keys = ON;"
        "PRAGMA synchronous = NORMAL;"
        // Reads go through the OS page cache shared by all connections; the private
        // cache then mostly holds index pages of the statement at hand.
        "PRAGMA mmap_size = 268435456;"
        "PRAGMA cache_size = -16384;");
}

sqlite3_stmt* Connection::Prepare(std::string_view sql) {
    auto it = statements_.find(std::string(sql));
    if (it == statements_.end())
        it = statements_.emplace(std::string(sql), StmtHandle(db_.get(), sql)).first;
    return it->second.get();
}

Transaction Connection::Begin(Transaction::Mode mode) {
    const char* begin = mode == Transaction::Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN";
    return Transaction(Prepare(begin), Prepare("COMMIT"));
}

uint32_t Connection::DataVersion() {
    unsigned int version = 0;
    const int rc = sqlite3_file_control(db_.get(), "main", SQLITE_FCNTL_DATA_VERSION, &version);
    if (rc != SQLITE_OK) ThrowSqliteError(db_.get(), rc, "cannot read the data version");
    return version;
}

std::optional<int64_t> Connection::CachedCount(const std::string& key, uint32_t version) const {
    const auto it = counts_.find(key);
    if (it == counts_.end() || it->second.version != version) return std::nullopt;
    return it->second.count;
}

void Connection::RememberCount(const std::string& key, uint32_t version, int64_t count) {
    if (counts_.size() >= kMaxCachedCounts && !counts_.contains(key)) counts_.clear();
    counts_[key] = CachedCountEntry{version, count};
}

ConnectionPool::Lease ConnectionPool::Acquire() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto connection = std::move(idle_.back());
            idle_.pop_back();
            return Lease(this, std::move(connection));
        }
    }
    // Opened outside the lock: opening touches the file and may wait on busy_timeout.
    return Lease(this, std::make_unique<Connection>(path_));
}

void ConnectionPool::Return(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(connection));
}

}  // namespace herald::storage::sqlite
