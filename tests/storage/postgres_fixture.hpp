#pragma once
// Shared setup for the PostgreSQL store tests: a fresh database per test on the server of
// HERALD_TEST_PG_URL (skipped when unset), a store on it, and the builders of
// support/builders.hpp.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/time.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "support/builders.hpp"
#include "support/claims.hpp"
#include "support/pg_database.hpp"

namespace herald::storage::test {

using herald::testing::ClaimBatch;
using herald::testing::ClaimOnceLeasesEnd;
using herald::testing::WaitForEndedLease;

inline TimePoint PgAt(const char* iso) { return ParseIso(iso).value(); }

class PgStoreTest : public ::testing::Test, public herald::testing::StoreBuilders {
protected:
    void SetUp() override {
        if (herald::testing::PgServerUrl().empty())
            GTEST_SKIP() << "HERALD_TEST_PG_URL is not set (scripts/postgres/start.sh)";
        db_ = std::make_unique<herald::testing::TestDatabase>();
        store_ = std::make_unique<postgres::PostgresStore>(db_->url());
    }
    void TearDown() override {
        store_.reset();  // close the pool before the database goes
        db_.reset();
    }

    postgres::PostgresStore& store() override { return *store_; }
    const std::string& url() const { return db_->url(); }

    std::unique_ptr<herald::testing::TestDatabase> db_;
    std::unique_ptr<postgres::PostgresStore> store_;
};

}  // namespace herald::storage::test
