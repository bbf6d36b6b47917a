#pragma once
// `herald db copy`: every row of one database into another, empty one, ids kept.

#include <cstdint>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace herald::storage {

/// Rows of one table in the source and in the target after the copy.
struct TableCount {
    std::string table;
    int64_t source = 0;
    int64_t target = 0;
};

/// Copies everything of `from` into `to` (Store::ImportSnapshot: one transaction that
/// refuses a non-empty target and checks its counts before committing), then reads the
/// target back and checks each table holds the source's rows by id.
/// @returns the count per table. @throws StorageError when the target is not empty, the
/// copy fails, or the read-back differs (the message names the table).
std::vector<TableCount> CopyDatabase(Store& from, Store& to);

}  // namespace herald::storage
