#pragma once
// The database backends every storage, API, dispatcher and reliability test runs on: one
// suite, parameterised by backend. "sqlite" always; "postgresql" when HERALD_TEST_PG_URL
// names a server (scripts/test.sh starts a throw-away one). A new backend is one more name
// here and one more case in TestDatabaseFor.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace herald::testing {

std::vector<std::string> TestBackends();

/// A fresh, empty database of one backend for one test, gone with it.
class BackendDatabase {
public:
    explicit BackendDatabase(const std::string& backend);
    ~BackendDatabase();
    BackendDatabase(const BackendDatabase&) = delete;
    BackendDatabase& operator=(const BackendDatabase&) = delete;

    const std::string& backend() const { return backend_; }
    /// The --db URL: "sqlite:/tmp/…/herald.db" or "postgresql://…/h_…".
    const std::string& url() const { return url_; }
    /// A directory for the test's other files (logs, receivers' state).
    const TempDir& dir() const { return dir_; }

private:
    std::string backend_;
    TempDir dir_;
    std::string url_;
};

/// For INSTANTIATE_TEST_SUITE_P: names each instance by its backend.
inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) {
    return info.param;
}

}  // namespace herald::testing

/// Runs every TEST_P of `fixture` once per backend.
#define HERALD_ON_EVERY_BACKEND(fixture)                                             \
    INSTANTIATE_TEST_SUITE_P(Backends, fixture,                                      \
                             ::testing::ValuesIn(::herald::testing::TestBackends()), \
                             ::herald::testing::BackendName)
