#include <cctype>
#include <string>

#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"

namespace herald::storage {
namespace {

constexpr std::string_view kAcceptedForms =
    "use 'sqlite:PATH', a plain file path, or 'postgresql://…'";

// "name:" at the start, as in a URL scheme; a Windows drive letter is not one.
bool HasScheme(std::string_view url) {
    const size_t colon = url.find(':');
    if (colon == std::string_view::npos || colon < 2) return false;
    if (!std::isalpha(static_cast<unsigned char>(url[0]))) return false;
    for (size_t i = 1; i < colon; ++i) {
        const char c = url[i];
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
            return false;
    }
    return true;
}

}  // namespace

StorePtr OpenStore(std::string_view url) { return OpenStore(url, StoreOptions{}); }

StorePtr OpenStore(std::string_view url, const StoreOptions& options) {
    // libpq takes the URI itself as its conninfo.
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
        postgres::PostgresStore::Options pg;
        if (options.pool_size > 0) pg.pool_size = options.pool_size;
        pg.secrets = options.secrets;
        return std::make_unique<postgres::PostgresStore>(std::string(url), pg);
    }
    std::string_view path = url;
    if (url.starts_with("sqlite://")) {
        path.remove_prefix(std::string_view("sqlite://").size());  // sqlite:///abs/path
    } else if (url.starts_with("sqlite:")) {
        path.remove_prefix(std::string_view("sqlite:").size());
    } else if (HasScheme(url)) {
        throw StorageError("unsupported database URL '" + std::string(url) +
                           "': " + std::string(kAcceptedForms));
    }
    if (path.empty())
        throw StorageError("the database URL names no file: " + std::string(kAcceptedForms));
    sqlite::SqliteStore::Options sqlite_options;
    sqlite_options.secrets = options.secrets;
    return std::make_unique<sqlite::SqliteStore>(std::string(path), sqlite_options);
}

}  // namespace herald::storage
