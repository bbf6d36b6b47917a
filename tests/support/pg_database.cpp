#include "support/pg_database.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>

namespace herald::testing {
namespace {

struct ConnCloser {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};

std::string Trimmed(const char* message) {
    std::string text = message != nullptr ? message : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

// A PostgreSQL store needs a secret key for its stored credentials (HERALD_SECRET_KEY or
// --secret-key-file). The test processes, and the herald processes they start, share this
// one unless the environment names another. SQLite stores then use it too instead of their
// "<file>.key"; tests of that default run herald with the variable removed.
const bool kTestSecretKeySet = [] {
    ::setenv("HERALD_SECRET_KEY", "aGVyYWxkLXRlc3Qta2V5LTMyLWJ5dGVzLWxvbmchISE=", 0);
    return true;
}();

}  // namespace

std::string PgServerUrl() {
    const char* url = std::getenv("HERALD_TEST_PG_URL");
    return url != nullptr ? url : "";
}

std::string WithDatabase(const std::string& url, const std::string& database) {
    const size_t scheme = url.find("://");
    const size_t authority = scheme == std::string::npos ? 0 : scheme + 3;
    const size_t query = url.find('?', authority);
    const size_t path = url.find('/', authority);
    const size_t end = query == std::string::npos ? url.size() : query;
    if (path == std::string::npos || path > end)
        return url.substr(0, end) + "/" + database + url.substr(end);
    return url.substr(0, path) + "/" + database + url.substr(end);
}

namespace {

std::string Run(const std::string& url, const std::string& sql, bool admin) {
    // The admin session (CREATE/DROP DATABASE) does not wait for its WAL flush: that halves
    // the ~0.4 s a fresh database costs with fsync on, and a test database needs no
    // durability. The stores under test keep the server's settings.
    const char* keywords[] = {"dbname", admin ? "options" : nullptr, nullptr};
    const char* values[] = {url.c_str(), admin ? "-c synchronous_commit=off" : nullptr, nullptr};
    std::unique_ptr<PGconn, ConnCloser> conn(PQconnectdbParams(keywords, values, 1));
    if (PQstatus(conn.get()) != CONNECTION_OK)
        throw std::runtime_error("cannot connect to " + url + ": " +
                                 Trimmed(PQerrorMessage(conn.get())));
    PQsetNoticeProcessor(
        conn.get(), [](void*, const char*) {}, nullptr);
    PGresult* result = PQexec(conn.get(), sql.c_str());
    const ExecStatusType status = PQresultStatus(result);
    std::string value;
    std::string error;
    if (status == PGRES_TUPLES_OK) {
        if (PQntuples(result) > 0 && PQnfields(result) > 0) value = PQgetvalue(result, 0, 0);
    } else if (status != PGRES_COMMAND_OK) {
        error = Trimmed(PQresultErrorMessage(result));
    }
    PQclear(result);
    if (!error.empty()) throw std::runtime_error(sql + ": " + error);
    return value;
}

}  // namespace

std::string PgQuery(const std::string& url, const std::string& sql) {
    return Run(url, sql, /*admin=*/false);
}

std::string CreateTestDatabase() {
    const std::string server = PgServerUrl();
    if (server.empty()) throw std::runtime_error("HERALD_TEST_PG_URL is not set");
    std::random_device rd;
    std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
    const std::string name = "h_" + std::to_string(rng() % 1000000000000ULL);
    Run(server, "CREATE DATABASE " + name, /*admin=*/true);
    return WithDatabase(server, name);
}

void DropTestDatabase(const std::string& url) {
    const size_t slash = url.rfind('/');
    const size_t query = url.find('?', slash);
    const std::string name =
        url.substr(slash + 1, query == std::string::npos ? std::string::npos : query - slash - 1);
    if (name.rfind("h_", 0) != 0) return;  // never drop anything a test did not create
    Run(PgServerUrl(), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", /*admin=*/true);
}

TestDatabase::~TestDatabase() {
    try {
        DropTestDatabase(url_);
    } catch (const std::exception&) {
        // A leftover database is harmless; a throwing destructor is not.
    }
}

}  // namespace herald::testing
