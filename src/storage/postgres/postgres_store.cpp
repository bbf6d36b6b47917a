// PostgresStore: opening and migrating, accounts, sites and their settings, records.

#include "storage/postgres/postgres_store.hpp"
#include "storage/health_writes.hpp"

#include <optional>
#include <string>

#include "storage/change_feed.hpp"
#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/migrations.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/postgres/pg_rows.hpp"

namespace herald::storage::postgres {
// --- lifecycle ---------------------------------------------------------------------------

PostgresStore::PostgresStore(const std::string& url, const Options& options)
    : pool_(std::make_unique<ConnectionPool>(url, options.pool_size)), url_(url) {
    const int target = options.migrate_up_to.value_or(postgres::LatestSchemaVersion());
    // Secrets need schema 3; an old-database fixture (migrate_up_to) has none.
    if (target >= 3) ResolveSecrets(options.secrets);
    {
        auto conn = pool_->Acquire();
        Migrate(*conn, target);
    }
    if (target >= 3) SealPlaintextSecrets();
}

PostgresStore::~PostgresStore() = default;

int PostgresStore::LatestSchemaVersion() { return postgres::LatestSchemaVersion(); }

int PostgresStore::SchemaVersion() {
    auto conn = pool_->Acquire();
    return postgres::SchemaVersion(*conn);
}

// --- accounts ----------------------------------------------------------------------------

AccountId PostgresStore::CreateAccount(std::string_view name, std::string_view api_key_hash,
                                       TimePoint now, std::string_view key_prefix) {
    Params p;
    p.Text(name);
    p.Time(now);
    p.Text(key_prefix);
    p.Text(api_key_hash);
    auto conn = pool_->Acquire();
    // One statement: the account and its "default" key.
    try {
        const PgResult r = conn->Exec(
            "WITH a AS (INSERT INTO accounts (name, created_at) VALUES ($1, $2) RETURNING id),"
            " k AS (INSERT INTO api_keys (account_id, name, prefix, key_hash, created_at)"
            "       SELECT id, 'default', $3, $4, $2 FROM a)"
            " SELECT id FROM a",
            p);
        return r.Int(0, 0);
    } catch (const PgError& e) {
        if (!e.unique_violation()) throw;
        throw AccountNameTaken(name);
    }
}

std::optional<Account> PostgresStore::FindAccountByKeyHash(std::string_view api_key_hash) {
    auto found = FindApiKey(api_key_hash);
    if (!found) return std::nullopt;
    return found->account;
}

int64_t PostgresStore::CountAccounts() {
    auto conn = pool_->Acquire();
    return conn->Exec("SELECT COUNT(*) FROM accounts").Int(0, 0);
}

// --- sites ---------------------------------------------------------------------------------

Site PostgresStore::CreateSite(const Site& site, const PublishingSettings& settings) {
    auto conn = pool_->Acquire();
    Transaction txn(*conn);
    Site created = site;
    created.id = 0;
    {
        Params p;
        const std::string values = SiteInsert(p, created);  // api_key '': sealed below
        const PgResult r = conn->Exec("INSERT INTO sites " + values + " RETURNING id, version", p);
        created.id = r.Int(0, 0);
        created.version = r.Int(0, 1);
    }
    if (!created.api_key.empty()) {
        Params p;
        p.Text(SealColumn(kSiteApiKey, created.id, created.api_key));
        p.Int(created.id);
        conn->Exec("UPDATE sites SET api_key = $1 WHERE id = $2", p);
    }
    {
        Params p;
        const std::string values = SettingsInsert(p, created.id, settings);
        conn->Exec("INSERT INTO publishing_settings " + values, p);
    }
    txn.Commit();
    return created;
}

std::optional<Site> PostgresStore::GetSite(AccountId account, SiteId id) {
    Params p;
    p.Int(id);
    p.Int(account);
    auto conn = pool_->Acquire();
    const PgResult r =
        conn->Exec("SELECT " + SiteColumns() + " FROM sites WHERE id = $1 AND account_id = $2", p);
    if (r.empty()) return std::nullopt;
    return ReadSite(Row{r, 0});
}

Page<Site> PostgresStore::ListSites(AccountId account, PageRequest request) {
    const PageWindow window = Window(request);
    auto conn = pool_->Acquire();
    // Count and page from one snapshot.
    Transaction txn(*conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    Page<Site> page;
    {
        Params p;
        p.Int(account);
        page.count = conn->Exec("SELECT COUNT(*) FROM sites WHERE account_id = $1", p).Int(0, 0);
    }
    if (window.offset < page.count) {
        Params p;
        p.Int(account);
        p.Int(window.size);
        p.Int(window.offset);
        const PgResult r = conn->Exec("SELECT " + SiteColumns() +
                                          " FROM sites WHERE account_id = $1"
                                          " ORDER BY id LIMIT $2 OFFSET $3",
                                      p);
        for (int i = 0; i < r.rows(); ++i) page.items.push_back(ReadSite(Row{r, i}));
    }
    txn.Commit();
    return page;
}

WriteResult PostgresStore::UpdateSite(const Site& site, int64_t expected_version) {
    // created_at is immutable. One placeholder per statement: the operands of `+` are
    // evaluated in no fixed order, and the placeholders must be numbered as written.
    auto conn = pool_->Acquire();  // first: its lease makes the store's secret box active
    Params p;
    std::string sql = "UPDATE sites SET name = " + p.Text(site.name);
    sql += ", platform_type = " + p.Text(ToString(site.platform_type));
    sql += ", domain = " + p.Text(site.domain);
    sql += ", api_key = " + p.Text(SealColumn(kSiteApiKey, site.id, site.api_key));
    sql += ", username = " + p.Text(site.username);
    sql += ", timezone = " + p.Text(site.timezone);
    sql += ", is_active = " + p.Bool(site.is_active);
    sql += ", options_json = " + p.Text(site.options_json);
    sql += ", updated_at = " + p.Time(site.updated_at);
    sql += ", version = version + 1 WHERE id = " + p.Int(site.id);
    sql += " AND account_id = " + p.Int(site.account_id);
    sql += " AND version = " + p.Int(expected_version);
    sql += " RETURNING version";
    const PgResult r = conn->Exec(sql, p);
    if (r.empty()) return {MissOutcome(*conn, "sites", site.account_id, site.id), 0};
    return {WriteOutcome::kApplied, r.Int(0, 0)};
}

WriteOutcome PostgresStore::DeleteSite(AccountId account, SiteId id,
                                       std::optional<int64_t> expected_version) {
    Params p;
    p.Int(id);
    p.Int(account);
    auto conn = pool_->Acquire();
    Transaction txn(*conn);
    // The row lock keeps claims of new items and schedules off the site while it goes.
    const PgResult site =
        conn->Exec("SELECT version FROM sites WHERE id = $1 AND account_id = $2 FOR UPDATE", p);
    if (site.empty()) return WriteOutcome::kNotFound;
    if (expected_version && site.Int(0, 0) != *expected_version) return WriteOutcome::kConflict;
    // Claims do not lock the site, so its items are locked too (waiting out a claim in
    // progress, and keeping later claimers off them) before "nothing is publishing" is
    // checked on their newest versions.
    if (conn->Exec("SELECT COALESCE(bool_or(site_status = 'publishing'), FALSE) FROM"
                   " (SELECT site_status FROM content WHERE account_id = $2 AND site_id = $1"
                   "  FOR UPDATE) AS items",
                   p)
            .Bool(0, 0))
        return WriteOutcome::kBusy;
    // Content first (its records go by ON DELETE CASCADE), then the site (settings cascade).
    conn->Exec("DELETE FROM content WHERE account_id = $2 AND site_id = $1", p);
    conn->Exec("DELETE FROM sites WHERE id = $1 AND account_id = $2", p);
    txn.Commit();
    return WriteOutcome::kApplied;
}

std::optional<PublishingSettings> PostgresStore::GetSettings(AccountId account, SiteId site) {
    Params p;
    p.Int(site);
    p.Int(account);
    auto conn = pool_->Acquire();
    const PgResult r = conn->Exec("SELECT " + SettingsColumns("p") +
                                      " FROM publishing_settings p JOIN sites s ON s.id = p.site_id"
                                      " WHERE p.site_id = $1 AND s.account_id = $2",
                                  p);
    if (r.empty()) return std::nullopt;
    return ReadSettings(Row{r, 0});
}

WriteResult PostgresStore::PutSettings(AccountId account, const PublishingSettings& settings,
                                       std::optional<int64_t> expected_site_version) {
    auto conn = pool_->Acquire();
    Transaction txn(*conn);
    int64_t version = 0;
    {
        // A change of the site's settings is a change of the site; the UPDATE also holds
        // the site's row, so a scheduler run cannot plan with half-old settings.
        Params p;
        p.Int(settings.site_id);
        p.Int(account);
        p.Time(settings.updated_at);
        p.OptInt(expected_site_version);
        const PgResult r = conn->Exec(
            "UPDATE sites SET version = version + 1, updated_at = $3"
            " WHERE id = $1 AND account_id = $2 AND ($4::bigint IS NULL OR version = $4)"
            " RETURNING version",
            p);
        if (r.empty()) return {MissOutcome(*conn, "sites", account, settings.site_id), 0};
        version = r.Int(0, 0);
    }
    {
        Params p;
        const std::string values = SettingsInsert(p, settings.site_id, settings);
        conn->Exec("INSERT INTO publishing_settings " + values +
                       " ON CONFLICT (site_id) DO UPDATE SET"
                       " auto_publish_enabled = excluded.auto_publish_enabled,"
                       " publish_days = excluded.publish_days,"
                       " publish_time_slots = excluded.publish_time_slots,"
                       " daily_publish_limit = excluded.daily_publish_limit,"
                       " weekly_publish_limit = excluded.weekly_publish_limit,"
                       " monthly_publish_limit = excluded.monthly_publish_limit,"
                       " updated_at = excluded.updated_at,"
                       " missed_slot_policy = excluded.missed_slot_policy,"
                       " max_lateness_minutes = excluded.max_lateness_minutes,"
                       " blackout_dates = excluded.blackout_dates,"
                       " min_spacing_minutes = excluded.min_spacing_minutes",
                   p);
    }
    txn.Commit();
    return {WriteOutcome::kApplied, version};
}

// --- records and health ------------------------------------------------------------------------

Page<PublishRecord> PostgresStore::ListRecords(const RecordFilter& f) {
    Params p;
    std::string where = " WHERE account_id = " + p.Int(f.account_id);
    if (f.content_id) where += " AND content_id = " + p.Int(*f.content_id);
    if (f.site_id) where += " AND site_id = " + p.Int(*f.site_id);
    const PageWindow window = Window(f.page);

    auto conn = pool_->Acquire();
    Transaction txn(*conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    Page<PublishRecord> page;
    page.count = conn->Exec("SELECT COUNT(*) FROM publish_records" + where, p).Int(0, 0);
    if (window.offset < page.count) {
        std::string sql = "SELECT " + RecordColumns() + " FROM publish_records" + where;
        sql += " ORDER BY id LIMIT " + p.Int(window.size);
        sql += " OFFSET " + p.Int(window.offset);
        const PgResult r = conn->Exec(sql, p);
        page.items.reserve(static_cast<size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) page.items.push_back(ReadRecord(Row{r, i}));
    }
    txn.Commit();
    return page;
}

Store::Overdue PostgresStore::CountOverdue(TimePoint now) {
    Params p;
    p.Time(now);
    auto conn = pool_->Acquire();
    const PgResult r = conn->Exec(
        "SELECT COUNT(*), MIN(c.due_at) FROM content c JOIN sites s ON s.id = c.site_id"
        " WHERE c.site_status = 'scheduled' AND c.due_at < $1 AND s.is_active",
        p);
    Overdue overdue;
    overdue.count = r.Int(0, 0);
    overdue.oldest_due_at = r.OptTime(0, 1);
    return overdue;
}

Store::SiteHealthCounts PostgresStore::CountSiteHealth() {
    auto conn = pool_->Acquire();
    const PgResult r =
        conn->ExecText("SELECT health, COUNT(*) FROM sites WHERE is_active GROUP BY health");
    SiteHealthCounts counts;
    for (int i = 0; i < r.rows(); ++i) AddHealthCount(counts, r.Text(i, 0), r.Int(i, 1));
    return counts;
}

}  // namespace herald::storage::postgres
