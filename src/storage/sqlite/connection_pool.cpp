#include "storage/sqlite/connection_pool.hpp"

#include <chrono>
#include <thread>

namespace herald::storage::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// Waits for a lock another connection holds, for kBusyTimeoutMs in all. SQLite's own handler
// (busy_timeout) sleeps 1, 2, 5, 10, 15, 20, 25… ms between tries: in a burst, a claim that
// finds this process's settle (or an event hook's insert) holding the write lock for a few
// hundred microseconds slept 1-8 ms before trying again, and every writer queued behind those
// sleeps. This one tries again after 50 µs, doubling to 1 ms. Cost: a writer that waits long
// wakes up to 1,000 times a second instead of ~40.
int BusyWait(void* /*unused*/, int tries_before) {
    constexpr int64_t kFirstUs = 50;
    constexpr int64_t kMaxUs = 1000;
    constexpr int kDoublings = 5;  // 50, 100, 200, 400, 800, then 1000 µs
    int64_t slept_us = 0;
    if (tries_before <= kDoublings) {
        slept_us = kFirstUs * ((int64_t{1} << tries_before) - 1);
    } else {
        slept_us = kFirstUs * ((int64_t{1} << kDoublings) - 1) +
                   static_cast<int64_t>(tries_before - kDoublings) * kMaxUs;
    }
    if (slept_us >= int64_t{kBusyTimeoutMs} * 1000) return 0;  // give up: SQLITE_BUSY
    const int64_t next_us = tries_before < kDoublings ? kFirstUs << tries_before : kMaxUs;
    std::this_thread::sleep_for(std::chrono::microseconds{next_us});
    return 1;
}

}  // namespace

Connection::Connection(const std::string& path) : db_(path) {
    // The busy handler first: the other pragmas may need a lock another process holds.
    sqlite3_busy_handler(db_.get(), &BusyWait, nullptr);
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
    // Opened outside the lock: opening touches the file and may wait on its busy handler.
    return Lease(this, std::make_unique<Connection>(path_));
}

void ConnectionPool::Return(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(connection));
}

}  // namespace herald::storage::sqlite
