#pragma once
// Shared setup for the store tests: a fresh database per test and the builders of
// support/builders.hpp for accounts, sites and content. StoreTest runs on every backend (TEST_P
// plus one HERALD_ON_EVERY_BACKEND per fixture); SqliteOnlyTest is for what only SQLite has (its
// file, its query plans, its raw schema).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/time.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"
#include "support/backends.hpp"
#include "support/builders.hpp"
#include "support/claims.hpp"
#include "support/temp_dir.hpp"

namespace herald::storage::test {

using herald::testing::ClaimBatch;
using herald::testing::ClaimOnceLeasesEnd;
using herald::testing::WaitForEndedLease;

/// Parses a literal ISO time; a typo throws (and fails the test) rather than passing silently.
inline TimePoint At(const char* iso) { return ParseIso(iso).value(); }

/// The shared builders (support/builders.hpp), over whichever store the fixture opened, and
/// one settlement the way the dispatcher makes it.
class StoreBuilders : public herald::testing::StoreBuilders {
protected:
    /// One settled attempt through the batch call, as the dispatcher settles them.
    std::optional<RecordId> Finish(const Content& content, std::string_view token,
                                   const PublishRecord& record) {
        const std::vector<FinishedAttempt> attempts = {{content, record}};
        return store().FinishAttempts(attempts, token, domain::HealthPolicy{}).record_ids.at(0);
    }
};

/// A fresh database of the backend named by the test's parameter.
class StoreTest : public ::testing::TestWithParam<std::string>, public StoreBuilders {
protected:
    StoreTest() : db_(GetParam()), store_(OpenStore(db_.url())) {}

    Store& store() override { return *store_; }
    const std::string& url() const { return db_.url(); }

    void Reopen() {
        store_.reset();
        store_ = OpenStore(db_.url());
    }

    // Declared first, so the store (and its connections) goes before the database.
    herald::testing::BackendDatabase db_;
    StorePtr store_;
};

/// SQLite only: a database file the test may also open raw.
class SqliteOnlyTest : public ::testing::Test, public StoreBuilders {
protected:
    SqliteOnlyTest()
        : path_(dir_.File("herald.db")), store_(std::make_unique<sqlite::SqliteStore>(path_)) {}

    sqlite::SqliteStore& store() override { return *store_; }

    void Reopen() {
        store_.reset();
        store_ = std::make_unique<sqlite::SqliteStore>(path_);
    }

    herald::testing::TempDir dir_;
    std::string path_;
    std::unique_ptr<sqlite::SqliteStore> store_;
};

}  // namespace herald::storage::test
