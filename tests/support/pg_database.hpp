#pragma once
// Throw-away PostgreSQL databases for tests. HERALD_TEST_PG_URL names a server (a base URL
// whose user may create databases; scripts/postgres/start.sh writes one); each test makes
// its own fresh database there and drops it afterwards.

#include <string>

namespace herald::testing {

/// HERALD_TEST_PG_URL, or "" when unset (tests then GTEST_SKIP).
std::string PgServerUrl();

/// `url` with its database name replaced by `database` (other parts kept).
std::string WithDatabase(const std::string& url, const std::string& database);

/// Creates database h_<random> on the server of HERALD_TEST_PG_URL; returns its full URL.
/// Throws std::runtime_error when the variable is unset or the server refuses.
std::string CreateTestDatabase();

/// Drops the database `url` names, ending any sessions still connected to it.
void DropTestDatabase(const std::string& url);

/// Runs `sql` on `url`; returns the first column of the first row ("" when none).
/// Throws std::runtime_error with the server's message on failure.
std::string PgQuery(const std::string& url, const std::string& sql);

/// A fresh database for the scope of one test.
class TestDatabase {
public:
    TestDatabase() : url_(CreateTestDatabase()) {}
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    const std::string& url() const { return url_; }

private:
    std::string url_;
};

}  // namespace herald::testing
