// The PostgreSQL parameter check: a statement's parameter count is read from its SQL once,
// when it is prepared, and a Params of another size is refused before anything is sent,
// with the SQL named. CountParams runs without a server; the rest needs HERALD_TEST_PG_URL.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "support/pg_database.hpp"

namespace herald::storage::postgres {
namespace {

/// The message of the StorageError `fn` throws ("" when it throws none).
template <typename Fn>
std::string ErrorOf(Fn fn) {
    try {
        fn();
    } catch (const StorageError& e) {
        return e.what();
    }
    return "";
}

::testing::AssertionResult Has(const std::string& error, const std::string& part) {
    if (error.find(part) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "'" << error << "' lacks '" << part << "'";
}

TEST(PgCountParamsTest, CountsTheHighestNumber) {
    EXPECT_EQ(CountParams("SELECT 1"), 0);
    EXPECT_EQ(CountParams("SELECT $1"), 1);
    EXPECT_EQ(CountParams("SELECT $2, $1, $2 WHERE $10 > $3 OR $4 + $5 + $6 + $7 + $8 + $9"), 10);
}

TEST(PgCountParamsTest, SkipsQuotesCommentsAndDollarQuotes) {
    EXPECT_EQ(CountParams("SELECT '$2', 'it''s $3', \"col$4\" FROM t WHERE a = $1"), 1);
    EXPECT_EQ(CountParams("SELECT $1 -- and $2\n, /* $3 */ 2"), 1);
    EXPECT_EQ(CountParams("SELECT $tag$ $2 $tag$, $$ $3 $$, $1"), 1);
    EXPECT_EQ(CountParams("SELECT a$1 FROM t"), 0);  // a$1 is an identifier
}

TEST(PgCountParamsTest, SkippedNumberIsRefusedWithTheSql) {
    const std::string error = ErrorOf([] { CountParams("SELECT $1, $3"); });
    EXPECT_TRUE(Has(error, "parameter $2 is never used (the highest is $3)"));
    EXPECT_TRUE(Has(error, "in SQL: SELECT $1, $3"));
}

class PgParamsTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (herald::testing::PgServerUrl().empty())
            GTEST_SKIP() << "HERALD_TEST_PG_URL is not set (scripts/postgres/start.sh)";
        db_ = std::make_unique<herald::testing::TestDatabase>();
        conn_ = std::make_unique<Connection>(db_->url());
        conn_->ExecText("CREATE TABLE t (a bigint, b text)");
    }
    void TearDown() override {
        conn_.reset();
        db_.reset();
    }
    int64_t Rows() { return conn_->Exec("SELECT COUNT(*) FROM t").Int(0, 0); }

    std::unique_ptr<herald::testing::TestDatabase> db_;
    std::unique_ptr<Connection> conn_;
};

TEST_F(PgParamsTest, RightCountRuns) {
    Params p;
    const std::string sql = "INSERT INTO t (a, b) VALUES (" + p.Int(1) + ", " + p.Text("x") + ")";
    conn_->Exec(sql, p);
    EXPECT_EQ(Rows(), 1);
}

TEST_F(PgParamsTest, TooFewOrTooManyAreRefusedWithTheSql) {
    const std::string sql = "INSERT INTO t (a, b) VALUES ($1, $2)";
    Params few;
    few.Int(1);
    EXPECT_TRUE(Has(ErrorOf([&] { conn_->Exec(sql, few); }),
                    "statement takes 2 parameters, given 1, in SQL: INSERT INTO t"));
    Params many;
    many.Int(1);
    many.Text("x");
    many.Text("left over");
    EXPECT_TRUE(
        Has(ErrorOf([&] { conn_->Exec(sql, many); }), "statement takes 2 parameters, given 3"));
    EXPECT_EQ(Rows(), 0);
}

TEST_F(PgParamsTest, PipelinedBatchIsCheckedBeforeAnyRowIsSent) {
    const std::string sql = "INSERT INTO t (a, b) VALUES ($1, $2)";
    std::vector<Params> batch(3);
    for (int i = 0; i < 3; ++i) {
        batch[i].Int(i);
        if (i != 2) batch[i].Text("x");  // the last set lacks $2
    }
    EXPECT_TRUE(Has(ErrorOf([&] { conn_->ExecPipelined(sql, batch); }),
                    "statement takes 2 parameters, given 1"));
    EXPECT_EQ(Rows(), 0);
}

TEST_F(PgParamsTest, UnusedParameterIsRefusedBeforePreparing) {
    Params p;
    p.Int(1);
    p.Int(2);
    EXPECT_TRUE(
        Has(ErrorOf([&] { conn_->Exec("SELECT $2::bigint", p); }), "parameter $1 is never used"));
}

}  // namespace
}  // namespace herald::storage::postgres
