#include "support/backends.hpp"

#include <stdexcept>

#include "support/pg_database.hpp"

namespace herald::testing {

std::vector<std::string> TestBackends() {
    std::vector<std::string> backends = {"sqlite"};
    if (!PgServerUrl().empty()) backends.push_back("postgresql");
    return backends;
}

BackendDatabase::BackendDatabase(const std::string& backend) : backend_(backend) {
    if (backend == "sqlite") {
        url_ = "sqlite:" + dir_.File("herald.db");
    } else if (backend == "postgresql") {
        url_ = CreateTestDatabase();
    } else {
        throw std::invalid_argument("unknown test backend '" + backend + "'");
    }
}

BackendDatabase::~BackendDatabase() {
    if (backend_ != "postgresql") return;
    try {
        DropTestDatabase(url_);
    } catch (...) {
        // A database left behind goes with the throw-away cluster.
    }
}

}  // namespace herald::testing
