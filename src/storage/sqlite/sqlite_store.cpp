#include "storage/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/change_feed.hpp"
#include "storage/health_writes.hpp"
#include "storage/sqlite/connection_pool.hpp"
#include "storage/sqlite/migrations.hpp"
#include "storage/sqlite/queries.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/sqlite/sqlite_rows.hpp"

namespace herald::storage::sqlite {
namespace {

using Mode = Transaction::Mode;

}  // namespace

// --- lifecycle ---------------------------------------------------------------------------

SqliteStore::SqliteStore(const std::string& path, const Options& options) {
    if (path.empty() || path == ":memory:" || path.starts_with("file::memory:"))
        throw StorageError(
            "an in-memory SQLite database cannot be shared by herald's connections; "
            "name a file");
    path_ = path;
    pool_ = std::make_unique<ConnectionPool>(path);
    db_file_ = path;
    const int target = options.migrate_up_to.value_or(sqlite::LatestSchemaVersion());
    // Secrets need schema 4; an old-database fixture (migrate_up_to) has none.
    if (target >= 4) ResolveSecrets(options.secrets);
    {
        auto conn = pool_->Acquire();
        Migrate(conn->db(), target);
    }
    if (target >= 4) SealPlaintextSecrets();
}

SqliteStore::~SqliteStore() = default;

int SqliteStore::LatestSchemaVersion() { return sqlite::LatestSchemaVersion(); }

int SqliteStore::SchemaVersion() {
    auto conn = pool_->Acquire();
    return sqlite::SchemaVersion(conn->db());
}

// --- accounts ----------------------------------------------------------------------------

AccountId SqliteStore::CreateAccount(std::string_view name, std::string_view api_key_hash,
                                     TimePoint now, std::string_view key_prefix) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    AccountId id = 0;
    {
        Query q(conn->Prepare(sql::kInsertAccount));
        q.BindText(1, name).BindTime(2, now);
        try {
            if (!q.Step()) throw StorageError("account insert returned no id");
        } catch (const UniqueViolation&) {
            throw AccountNameTaken(name);
        }
        id = q.Int(0);
    }
    {
        Query q(
            conn->Prepare("INSERT INTO api_keys (account_id, name, prefix, key_hash, created_at)"
                          " VALUES (?1, 'default', ?2, ?3, ?4)"));
        q.BindInt(1, id)
            .BindText(2, std::string(key_prefix))
            .BindText(3, api_key_hash)
            .BindTime(4, now);
        q.Run();
    }
    txn.Commit();
    return id;
}

std::optional<Account> SqliteStore::FindAccountByKeyHash(std::string_view api_key_hash) {
    auto found = FindApiKey(api_key_hash);
    if (!found) return std::nullopt;
    return found->account;
}

int64_t SqliteStore::CountAccounts() {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kCountAccounts));
    return q.Step() ? q.Int(0) : 0;
}

// --- sites ---------------------------------------------------------------------------------

Site SqliteStore::CreateSite(const Site& site, const PublishingSettings& settings) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    Site created = site;
    created.id = 0;
    {
        Query q(conn->Prepare(sql::kInsertSite));
        BindSite(q, created);  // api_key '': it is sealed for the new id below
        if (!q.Step()) throw StorageError("site insert returned no id");
        created.id = q.Int(0);
    }
    if (!created.api_key.empty()) {
        Query q(conn->Prepare("UPDATE sites SET api_key = ?1 WHERE id = ?2"));
        q.BindText(1, SealColumn(kSiteApiKey, created.id, created.api_key)).BindInt(2, created.id);
        q.Run();
    }
    {
        Query q(conn->Prepare(sql::kUpsertSettings));
        BindSettings(q, created.id, settings);
        q.Run();
    }
    txn.Commit();
    return created;
}

std::optional<Site> SqliteStore::GetSite(AccountId account, SiteId id) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kGetSite));
    q.BindInt(1, id).BindInt(2, account);
    if (!q.Step()) return std::nullopt;
    return ReadSite(q);
}

Page<Site> SqliteStore::ListSites(AccountId account, PageRequest request) {
    const PageWindow window = Window(request);
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kDeferred);  // count and page from one snapshot
    Page<Site> page;
    {
        Query q(conn->Prepare(sql::kCountSites));
        q.BindInt(1, account);
        if (q.Step()) page.count = q.Int(0);
    }
    {
        Query q(conn->Prepare(sql::kListSites));
        q.BindInt(1, account).BindInt(2, window.size).BindInt(3, window.offset);
        while (q.Step()) page.items.push_back(ReadSite(q));
    }
    txn.Commit();
    return page;
}

WriteResult SqliteStore::UpdateSite(const Site& site, int64_t expected_version) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    std::optional<int64_t> version;
    {
        Query q(conn->Prepare(sql::kUpdateSite));
        BindSite(q, site);
        q.BindInt(":id", site.id).BindInt(":expected", expected_version);
        if (q.Step()) version = q.Int(0);
    }
    if (!version) return {MissOutcome(*conn, "sites", site.account_id, site.id), 0};
    txn.Commit();
    return {WriteOutcome::kApplied, *version};
}

WriteOutcome SqliteStore::DeleteSite(AccountId account, SiteId id,
                                     std::optional<int64_t> expected_version) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    {
        Query q(conn->Prepare(sql::kSiteVersion));
        q.BindInt(1, id).BindInt(2, account);
        if (!q.Step()) return WriteOutcome::kNotFound;
        if (expected_version && q.Int(0) != *expected_version) return WriteOutcome::kConflict;
    }
    {
        Query q(conn->Prepare(sql::kSiteHasPublishing));
        q.BindInt(1, id).BindInt(2, account);
        if (q.Step() && q.Bool(0)) return WriteOutcome::kBusy;
    }
    {
        Query q(conn->Prepare(sql::kDeleteSiteContent));
        q.BindInt(1, id).BindInt(2, account);
        q.Run();
    }
    {
        Query q(conn->Prepare(sql::kDeleteSite));
        q.BindInt(1, id).BindInt(2, account);
        q.Run();
    }
    txn.Commit();
    return WriteOutcome::kApplied;
}

std::optional<PublishingSettings> SqliteStore::GetSettings(AccountId account, SiteId site) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kGetSettings));
    q.BindInt(1, site).BindInt(2, account);
    if (!q.Step()) return std::nullopt;
    return ReadSettings(q);
}

WriteResult SqliteStore::PutSettings(AccountId account, const PublishingSettings& settings,
                                     std::optional<int64_t> expected_site_version) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    std::optional<int64_t> version;
    {
        Query q(conn->Prepare(sql::kBumpSiteVersion));
        q.BindInt(1, settings.site_id).BindInt(2, account).BindTime(3, settings.updated_at);
        q.BindOptInt(4, expected_site_version);
        if (q.Step()) version = q.Int(0);
    }
    if (!version) return {MissOutcome(*conn, "sites", account, settings.site_id), 0};
    {
        Query q(conn->Prepare(sql::kUpsertSettings));
        BindSettings(q, settings.site_id, settings);
        q.Run();
    }
    txn.Commit();
    return {WriteOutcome::kApplied, *version};
}

// --- records and health ------------------------------------------------------------------------

Page<PublishRecord> SqliteStore::ListRecords(const RecordFilter& f) {
    std::string where = " WHERE account_id = ?1";
    if (f.content_id) where += " AND content_id = ?2";
    if (f.site_id) where += " AND site_id = ?3";
    auto bind = [&f](Query& q) {
        q.BindInt(1, f.account_id);
        if (f.content_id) q.BindInt(2, *f.content_id);
        if (f.site_id) q.BindInt(3, *f.site_id);
    };
    const PageWindow window = Window(f.page);

    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kDeferred);
    Page<PublishRecord> page;
    page.count = CountRows(*conn, "SELECT COUNT(*) FROM publish_records" + where, bind);
    if (window.offset < page.count) {
        page.items.reserve(
            static_cast<size_t>(std::min<int64_t>(window.size, page.count - window.offset)));
        Query q(conn->Prepare(std::string("SELECT ") + sql::kRecordColumns +
                              " FROM publish_records" + where +
                              " ORDER BY id LIMIT ?9 OFFSET ?10"));
        bind(q);
        q.BindInt(9, window.size).BindInt(10, window.offset);
        while (q.Step()) page.items.push_back(ReadRecord(q));
    }
    txn.Commit();
    return page;
}

Store::Overdue SqliteStore::CountOverdue(TimePoint now) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kCountOverdue));
    q.BindTime(1, now);
    Overdue overdue;
    if (q.Step()) {
        overdue.count = q.Int(0);
        overdue.oldest_due_at = q.OptTime(1);
    }
    return overdue;
}

Store::SiteHealthCounts SqliteStore::CountSiteHealth() {
    auto conn = pool_->Acquire();
    Query q(
        conn->Prepare("SELECT health, COUNT(*) FROM sites WHERE is_active = 1 GROUP BY health"));
    SiteHealthCounts counts;
    while (q.Step()) AddHealthCount(counts, q.Text(0), q.Int(1));
    return counts;
}

}  // namespace herald::storage::sqlite
