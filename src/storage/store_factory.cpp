#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
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

// Plain words for each way a SQLite file cannot be used, before SQLite's own "unable to open
// database file" (which names neither the file nor the cause).
void CheckSqliteFile(const std::string& path, bool may_create) {
    const size_t slash = path.rfind('/');
    const std::string folder = slash == std::string::npos ? "."
                               : slash == 0               ? "/"
                                                          : path.substr(0, slash);
    // SQLite keeps its -wal and -shm files beside the database: the folder must be writable
    // whether the file is new or not.
    const auto folder_writable = [&folder] { return ::access(folder.c_str(), W_OK | X_OK) == 0; };
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) throw StorageError(path + " is a folder, not a herald database");
        if (::access(path.c_str(), R_OK | W_OK) != 0)
            throw StorageError("the herald database " + path +
                               " is read-only: herald needs to write to it (e.g. chmod u+w " +
                               path + ", as the user herald runs as)");
        if (!folder_writable())
            throw StorageError("the folder " + folder + " of the herald database " + path +
                               " is read-only: SQLite writes its -wal and -shm files beside the "
                               "database");
        return;
    }
    if (errno != ENOENT)
        throw StorageError("cannot open the herald database " + path + ": " + std::strerror(errno));
    if (!may_create)
        throw StorageError("no herald database at " + path +
                           " (herald serve, herald migrate or herald accounts create makes one)");
    struct stat dir {};
    if (::stat(folder.c_str(), &dir) != 0 || !S_ISDIR(dir.st_mode))
        throw StorageError("cannot create the herald database " + path + ": there is no folder " +
                           folder + " (create it first, e.g. mkdir -p " + folder + ")");
    if (!folder_writable())
        throw StorageError("cannot create the herald database " + path + ": the folder " + folder +
                           " is read-only");
}

}  // namespace

std::optional<std::string> SqlitePathOf(std::string_view url) {
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return std::nullopt;
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
    return std::string(path);
}

StorePtr OpenStore(std::string_view url) { return OpenStore(url, StoreOptions{}); }

StorePtr OpenStore(std::string_view url, const StoreOptions& options) {
    const std::optional<std::string> path = SqlitePathOf(url);
    // libpq takes the URI itself as its conninfo.
    if (!path) {
        postgres::PostgresStore::Options pg;
        if (options.pool_size > 0) pg.pool_size = options.pool_size;
        pg.secrets = options.secrets;
        return std::make_unique<postgres::PostgresStore>(std::string(url), pg);
    }
    // In-memory names are refused by the store itself, with its own reason.
    if (*path != ":memory:" && !path->starts_with("file:"))
        CheckSqliteFile(*path, options.create_if_missing);
    sqlite::SqliteStore::Options sqlite_options;
    sqlite_options.secrets = options.secrets;
    return std::make_unique<sqlite::SqliteStore>(*path, sqlite_options);
}

}  // namespace herald::storage
