#pragma once
// The SQLite schema as numbered migrations, tracked in PRAGMA user_version. Migration N
// moves a database from version N-1 to N; each runs in its own transaction.

#include <span>

#include "storage/sqlite/sqlite_handle.hpp"

namespace herald::storage::sqlite {

struct Migration {
    int version;
    const char* description;
    const char* sql;
};

/// All migrations, in order; the last one's version is the current schema version.
std::span<const Migration> Migrations();
int LatestSchemaVersion();

/// Reads PRAGMA user_version.
int SchemaVersion(sqlite3* db);

/// Applies the migrations above the database's version, up to `up_to`. Safe when several
/// processes open a fresh file at once: each step re-reads the version under the write lock.
/// @throws StorageError when the database is newer than this code, or a step fails.
void Migrate(sqlite3* db, int up_to);

}  // namespace herald::storage::sqlite
