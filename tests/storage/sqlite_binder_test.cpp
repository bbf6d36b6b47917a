// The SQLite Query binder: every parameter of a statement is bound exactly once, or the
// bind or the first step throws a StorageError that names the SQL.

#include <gtest/gtest.h>

#include <string>

#include "storage/sqlite/sqlite_handle.hpp"

namespace herald::storage::sqlite {
namespace {

/// Whether `error` holds `part`; the failure shows the whole message.
::testing::AssertionResult Has(const std::string& error, const std::string& part) {
    if (error.find(part) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "'" << error << "' lacks '" << part << "'";
}

class SqliteBinderTest : public ::testing::Test {
protected:
    SqliteBinderTest() : db_(":memory:") { db_.Exec("CREATE TABLE t (a INTEGER, b TEXT)"); }

    /// The message of the StorageError `fn` throws ("" when it throws none).
    template <typename Fn>
    static std::string ErrorOf(Fn fn) {
        try {
            fn();
        } catch (const StorageError& e) {
            return e.what();
        }
        return "";
    }

    DbHandle db_;
};

TEST_F(SqliteBinderTest, AllBoundRuns) {
    StmtHandle insert(db_.get(), "INSERT INTO t (a, b) VALUES (?1, ?2)");
    Query(insert.get()).BindInt(1, 7).BindText(2, "x").Run();
    StmtHandle named(db_.get(), "INSERT INTO t (a, b) VALUES (:a, :b)");
    Query(named.get()).BindText(":b", "y").BindInt(":a", 8).Run();
    StmtHandle count(db_.get(), "SELECT COUNT(*) FROM t");
    Query q(count.get());
    ASSERT_TRUE(q.Step());
    EXPECT_EQ(q.Int(0), 2);
}

TEST_F(SqliteBinderTest, UnboundParameterIsRefusedAtFirstStep) {
    StmtHandle stmt(db_.get(), "INSERT INTO t (a, b) VALUES (?1, ?2)");
    const std::string error = ErrorOf([&] { Query(stmt.get()).BindInt(1, 7).Run(); });
    EXPECT_TRUE(Has(error, "parameter ?2 left unbound"));
    EXPECT_TRUE(Has(error, "INSERT INTO t (a, b) VALUES (?1, ?2)"));

    StmtHandle named(db_.get(), "INSERT INTO t (a, b) VALUES (:a, :b)");
    EXPECT_TRUE(Has(ErrorOf([&] { Query(named.get()).BindInt(":a", 7).Run(); }),
                    "parameter :b left unbound"));
    // Nothing went in.
    StmtHandle count(db_.get(), "SELECT COUNT(*) FROM t");
    Query q(count.get());
    ASSERT_TRUE(q.Step());
    EXPECT_EQ(q.Int(0), 0);
}

TEST_F(SqliteBinderTest, ParameterTheStatementLacksIsRefused) {
    StmtHandle stmt(db_.get(), "INSERT INTO t (a, b) VALUES (?1, ?2)");
    EXPECT_TRUE(Has(ErrorOf([&] { Query(stmt.get()).BindInt(1, 1).BindInt(2, 2).BindInt(3, 3); }),
                    "no parameter ?3 (the statement has 2) in SQL: INSERT INTO t"));
    EXPECT_TRUE(Has(ErrorOf([&] { Query(stmt.get()).BindInt(0, 1); }), "no parameter ?0"));
    EXPECT_TRUE(
        Has(ErrorOf([&] { Query(stmt.get()).BindInt(":a", 1); }), "no parameter :a in SQL"));
}

TEST_F(SqliteBinderTest, ParameterBoundTwiceIsRefused) {
    StmtHandle stmt(db_.get(), "INSERT INTO t (a, b) VALUES (?1, ?2)");
    EXPECT_TRUE(Has(ErrorOf([&] { Query(stmt.get()).BindInt(1, 1).BindText(1, "again"); }),
                    "parameter ?1 bound twice"));
    // A name used twice in the SQL is one parameter: bound once, it fills both places.
    StmtHandle named(db_.get(), "INSERT INTO t (a, b) SELECT :a, :b WHERE :a > 0");
    EXPECT_TRUE(Has(ErrorOf([&] { Query(named.get()).BindInt(":a", 1).BindInt(":a", 2); }),
                    "parameter :a bound twice"));
    EXPECT_EQ(ErrorOf([&] { Query(named.get()).BindInt(":a", 1).BindText(":b", "x").Run(); }), "");
}

TEST_F(SqliteBinderTest, BindingsDoNotLeakIntoTheNextUse) {
    // The cached statement is reused: a value bound by the last user must not count as bound.
    StmtHandle stmt(db_.get(), "INSERT INTO t (a, b) VALUES (?1, ?2)");
    Query(stmt.get()).BindInt(1, 1).BindText(2, "x").Run();
    EXPECT_TRUE(
        Has(ErrorOf([&] { Query(stmt.get()).BindInt(1, 2).Run(); }), "parameter ?2 left unbound"));
}

TEST_F(SqliteBinderTest, NumberingGapsNeedNoValue) {
    // The list filters number their parameters by filter, so ?2..?4 may be absent.
    StmtHandle stmt(db_.get(), "SELECT COUNT(*) FROM t WHERE a = ?1 OR a = ?5");
    Query q(stmt.get());
    q.BindInt(1, 1).BindInt(5, 5);
    ASSERT_TRUE(q.Step());
    EXPECT_EQ(q.Int(0), 0);
}

TEST_F(SqliteBinderTest, SkippedAbsentNamesStillCheckTheRest) {
    StmtHandle stmt(db_.get(), "INSERT INTO t (a, b) VALUES (:a, :b)");
    // A shared binder binds names the statement lacks (skipped) …
    Query(stmt.get()).SkipAbsentNames().BindInt(":a", 1).BindInt(":c", 3).BindText(":b", "x").Run();
    // … but every name the statement has must still be bound.
    EXPECT_TRUE(Has(ErrorOf([&] { Query(stmt.get()).SkipAbsentNames().BindInt(":a", 1).Run(); }),
                    "parameter :b left unbound"));
    // Numbers are never skipped.
    EXPECT_TRUE(Has(ErrorOf([&] { Query(stmt.get()).SkipAbsentNames().BindInt(3, 1); }),
                    "no parameter ?3"));
}

}  // namespace
}  // namespace herald::storage::sqlite
