#include "storage/sqlite/connection_pool.hpp"

namespace herald::storage::sqlite {

Connection::Connection(const std::string& path) : db_(path) {
    // busy_timeout first: the other pragmas may need a lock another process holds.
    // journal_mode=WAL is persistent in the file; setting it again is a no-op.
    db_.Exec(
        "PRAGMA busy_timeout = 5000;"
        "PRAGMA foreign_keys = ON;"
        "PRAGMA journal_mode = WAL;"
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
