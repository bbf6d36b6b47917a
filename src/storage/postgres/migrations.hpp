#pragma once
// The PostgreSQL schema as numbered migrations, recorded in schema_migrations. Every
// process that opens the database runs Migrate(); an advisory lock makes the ones that
// start together migrate once, one after the other.

#include <span>

#include "storage/postgres/connection_pool.hpp"

namespace herald::storage::postgres {

struct Migration {
    int version;
    const char* description;
    const char* sql;
};

/// Migration 3 (API keys, secrets at rest), in pg_keys.cpp.
extern const char kApiKeysAndSecretsSql[];

/// All migrations, in order; the last one's version is the current schema version.
std::span<const Migration> Migrations();
int LatestSchemaVersion();

/// The highest applied version; 0 for an empty database.
int SchemaVersion(Connection& conn);

/// Applies the migrations above the database's version, up to `up_to`, in one transaction
/// under a fixed advisory lock. @throws StorageError when the database is newer than this
/// code, or a step fails (then nothing of the run is kept).
void Migrate(Connection& conn, int up_to);

}  // namespace herald::storage::postgres
