// PostgresStore: the whole-database export and import behind `herald db copy`.

#include <algorithm>
#include <string>
#include <vector>

#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/postgres/pg_rows.hpp"
#include "storage/postgres/postgres_store.hpp"

namespace herald::storage::postgres {
namespace {

// Rows per pipelined batch: one round trip each.
constexpr size_t kBatch = 500;

// The tables in the order rows go in (references first); each with its identity column.
constexpr const char* kTables[] = {"accounts",    "sites",           "publishing_settings",
                                   "content",     "publish_records", "api_keys",
                                   "event_hooks", "hook_deliveries", "calendar_feed_tokens"};
constexpr const char* kIdentityTables[] = {"accounts",        "sites",    "content",
                                           "publish_records", "api_keys", "event_hooks",
                                           "hook_deliveries"};

int64_t Count(Connection& conn, const std::string& table) {
    return conn.Exec("SELECT COUNT(*) FROM " + table).Int(0, 0);
}

/// The last value the table's identity sequence handed out (0: none yet).
int64_t SequenceValue(Connection& conn, const std::string& table) {
    return conn
        .Exec("SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence('" + table +
              "', 'id')::regclass), 0)")
        .Int(0, 0);
}

template <typename T, typename Bind>
void InsertAll(Connection& conn, const std::string& sql, const std::vector<T>& rows, Bind bind) {
    std::vector<Params> batch;
    batch.reserve(std::min(rows.size(), kBatch));
    for (const T& row : rows) {
        Params& p = batch.emplace_back();
        bind(p, row);
        if (batch.size() == kBatch) {
            conn.ExecPipelined(sql, batch);
            batch.clear();
        }
    }
    if (!batch.empty()) conn.ExecPipelined(sql, batch);
}

std::string Placeholders(int from, int to) {
    std::string text;
    for (int i = from; i <= to; ++i) {
        if (!text.empty()) text += ", ";
        text += "$" + std::to_string(i);
    }
    return text;
}

}  // namespace

Snapshot PostgresStore::ExportSnapshot() {
    auto conn = pool_->Acquire();
    // Every table from one snapshot, so the rows agree with each other.
    Transaction txn(*conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    Snapshot s;
    {
        const PgResult r = conn->Exec("SELECT id, name, created_at FROM accounts ORDER BY id");
        for (int i = 0; i < r.rows(); ++i)
            s.accounts.push_back({Account{r.Int(i, 0), r.Text(i, 1), r.Time(i, 2)}});
    }
    {
        const PgResult r = conn->Exec(
            "SELECT id, account_id, name, prefix, key_hash, created_at, last_used_at, revoked_at"
            " FROM api_keys ORDER BY id");
        for (int i = 0; i < r.rows(); ++i)
            s.api_keys.push_back(ApiKeyRecord{r.Int(i, 0), r.Int(i, 1), r.Text(i, 2), r.Text(i, 3),
                                              r.Text(i, 4), r.Time(i, 5), r.OptTime(i, 6),
                                              r.OptTime(i, 7)});
    }
    {
        const PgResult r = conn->Exec("SELECT " + SiteColumns() + " FROM sites ORDER BY id");
        for (int i = 0; i < r.rows(); ++i) s.sites.push_back(ReadSite(Row{r, i}));
    }
    {
        const PgResult r = conn->Exec("SELECT " + SettingsColumns() +
                                      " FROM publishing_settings ORDER BY site_id");
        for (int i = 0; i < r.rows(); ++i) s.settings.push_back(ReadSettings(Row{r, i}));
    }
    {
        const PgResult r = conn->Exec("SELECT " + ContentColumns() + " FROM content ORDER BY id");
        s.content.reserve(static_cast<size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) s.content.push_back(ReadContent(Row{r, i}));
    }
    {
        const PgResult r =
            conn->Exec("SELECT " + RecordColumns() + " FROM publish_records ORDER BY id");
        s.records.reserve(static_cast<size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) s.records.push_back(ReadRecord(Row{r, i}));
    }
    {
        const PgResult r = conn->Exec(std::string("SELECT ") + EventHookColumns() +
                                      " FROM event_hooks ORDER BY id");
        for (int i = 0; i < r.rows(); ++i) s.event_hooks.push_back(ReadEventHookRow(Row{r, i}));
    }
    {
        const PgResult r = conn->Exec(std::string("SELECT ") + HookDeliveryColumns() +
                                      " FROM hook_deliveries d ORDER BY d.id");
        for (int i = 0; i < r.rows(); ++i)
            s.hook_deliveries.push_back(ReadHookDeliveryRow(Row{r, i}));
    }
    {
        const PgResult r = conn->Exec(
            "SELECT site_id, token_hash, created_at FROM calendar_feed_tokens ORDER BY site_id");
        for (int i = 0; i < r.rows(); ++i)
            s.feed_tokens.push_back(FeedTokenRow{r.Int(i, 0), r.Text(i, 1), r.Time(i, 2)});
    }
    s.sequences.accounts = SequenceValue(*conn, "accounts");
    s.sequences.sites = SequenceValue(*conn, "sites");
    s.sequences.content = SequenceValue(*conn, "content");
    s.sequences.records = SequenceValue(*conn, "publish_records");
    s.sequences.api_keys = SequenceValue(*conn, "api_keys");
    s.sequences.event_hooks = SequenceValue(*conn, "event_hooks");
    s.sequences.hook_deliveries = SequenceValue(*conn, "hook_deliveries");
    txn.Commit();
    return s;
}

void PostgresStore::ImportSnapshot(const Snapshot& s) {
    auto conn = pool_->Acquire();
    Transaction txn(*conn);
    // Nobody writes the tables while they are checked empty and filled (readers may read).
    conn->ExecText(
        "LOCK TABLE accounts, sites, publishing_settings, content, publish_records, api_keys,"
        " event_hooks, hook_deliveries, calendar_feed_tokens IN SHARE ROW EXCLUSIVE MODE");
    {
        std::string held;
        for (const char* table : kTables) {
            const int64_t n = Count(*conn, table);
            if (n == 0) continue;
            if (!held.empty()) held += ", ";
            held += std::to_string(n) + " " + table;
        }
        if (!held.empty())
            throw StorageError("the target database is not empty (it holds " + held +
                               "); copy only into an empty database");
    }

    InsertAll(*conn, "INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3)", s.accounts,
              [](Params& p, const AccountRow& a) {
                  p.Int(a.account.id);
                  p.Text(a.account.name);
                  p.Time(a.account.created_at);
              });
    InsertAll(*conn,
              "INSERT INTO api_keys (id, account_id, name, prefix, key_hash, created_at,"
              " last_used_at, revoked_at) VALUES (" +
                  Placeholders(1, 8) + ")",
              s.api_keys, [](Params& p, const ApiKeyRecord& k) {
                  p.Int(k.id);
                  p.Int(k.account_id);
                  p.Text(k.name);
                  p.Text(k.prefix);
                  p.Text(k.key_hash);
                  p.Time(k.created_at);
                  p.OptTime(k.last_used_at);
                  p.OptTime(k.revoked_at);
              });
    // SiteInsert's 11 columns in its order, then id, version and the site's health.
    InsertAll(*conn,
              "INSERT INTO sites (account_id, name, platform_type, domain, api_key,"
              " username, timezone, is_active, options_json, created_at, updated_at,"
              " id, version, health, health_reason, health_since, health_failures,"
              " probe_at) VALUES (" +
                  Placeholders(1, 18) + ")",
              s.sites, [](Params& p, const Site& site) {
                  SiteInsert(p, site);
                  p.Int(site.id);
                  p.Int(site.version);
                  p.Text(domain::ToString(site.health.health));
                  p.Text(site.health.reason);
                  p.OptTime(site.health.since);
                  p.Int(site.health.transient_failures);
                  p.OptTime(site.health.probe_at);
              });
    {
        Params probe;
        const std::string values = SettingsInsert(probe, 0, PublishingSettings{});
        InsertAll(*conn, "INSERT INTO publishing_settings " + values, s.settings,
                  [](Params& p, const PublishingSettings& settings) {
                      SettingsInsert(p, settings.site_id, settings);
                  });
    }
    {
        const int n = kContentColumnCount - 2;  // ContentInsertColumns: all but id, version
        const std::string sql = "INSERT INTO content (" + ContentInsertColumns() +
                                ", id, version) VALUES (" + Placeholders(1, n + 2) + ")";
        InsertAll(*conn, sql, s.content, [](Params& p, const Content& c) {
            ContentInsertValues(p, c);
            p.Int(c.id);
            p.Int(c.version);
        });
    }
    {
        // RecordInsert takes the record's content, site and account from a Content.
        const std::string sql =
            "INSERT INTO publish_records (content_id, site_id, account_id, attempt, started_at,"
            " finished_at, outcome, http_status, error, external_id, external_url, due_at, id)"
            " VALUES (" +
            Placeholders(1, 13) + ")";
        InsertAll(*conn, sql, s.records, [](Params& p, const PublishRecord& r) {
            Content owner;
            owner.id = r.content_id;
            owner.site_id = r.site_id;
            owner.account_id = r.account_id;
            RecordInsert(p, owner, r);
            p.Int(r.id);
        });
    }

    InsertAll(*conn,
              "INSERT INTO event_hooks (id, account_id, url, secret, events, is_active,"
              " version, created_at, updated_at) VALUES (" +
                  Placeholders(1, 9) + ")",
              s.event_hooks, [](Params& p, const EventHook& h) {
                  p.Int(h.id);
                  p.Int(h.account_id);
                  p.Text(h.url);
                  p.Text(SealColumn(kHookSecret, h.id, h.secret));
                  p.Text(JoinHookEvents(h.events));
                  p.Bool(h.is_active);
                  p.Int(h.version);
                  p.Time(h.created_at);
                  p.Time(h.updated_at);
              });
    InsertAll(*conn,
              "INSERT INTO hook_deliveries (id, hook_id, account_id, event_type, body,"
              " webhook_id, attempts, state, created_at, next_attempt_at, finished_at,"
              " last_status, last_error) VALUES (" +
                  Placeholders(1, 13) + ")",
              s.hook_deliveries, [](Params& p, const HookDelivery& d) {
                  p.Int(d.id);
                  p.Int(d.hook_id);
                  p.Int(d.account_id);
                  p.Text(d.event_type);
                  p.Text(d.body);
                  p.Text(d.webhook_id);
                  p.Int(d.attempts);
                  p.Text(ToString(d.state));
                  p.Time(d.created_at);
                  p.Time(d.next_attempt_at);
                  p.OptTime(d.finished_at);
                  p.OptInt(d.last_status ? std::optional<int64_t>(*d.last_status) : std::nullopt);
                  p.Text(d.last_error);
              });

    InsertAll(*conn,
              "INSERT INTO calendar_feed_tokens (site_id, token_hash, created_at)"
              " VALUES ($1, $2, $3)",
              s.feed_tokens, [](Params& p, const FeedTokenRow& t) {
                  p.Int(t.site_id);
                  p.Text(t.token_hash);
                  p.Time(t.created_at);
              });

    // Identity sequences past every copied id and every id the source ever gave.
    const int64_t highest[] = {s.sequences.accounts,       s.sequences.sites,
                               s.sequences.content,        s.sequences.records,
                               s.sequences.api_keys,       s.sequences.event_hooks,
                               s.sequences.hook_deliveries};
    for (size_t i = 0; i < std::size(kIdentityTables); ++i) {
        const std::string table = kIdentityTables[i];
        Params p;
        p.Int(highest[i]);
        conn->Exec("SELECT setval(pg_get_serial_sequence('" + table +
                       "', 'id'), v)"
                       " FROM (SELECT GREATEST($1::bigint, (SELECT MAX(id) FROM " +
                       table + ")) AS v) AS m WHERE v > 0",
                   p);
    }

    const size_t expected[] = {
        s.accounts.size(),    s.sites.size(),           s.settings.size(),
        s.content.size(),     s.records.size(),         s.api_keys.size(),
        s.event_hooks.size(), s.hook_deliveries.size(), s.feed_tokens.size()};
    static_assert(std::size(expected) == std::size(kTables), "a count per table");
    for (size_t i = 0; i < std::size(kTables); ++i) {
        const int64_t n = Count(*conn, kTables[i]);
        if (n != static_cast<int64_t>(expected[i]))
            throw StorageError(std::string("copy check failed: table ") + kTables[i] + " holds " +
                               std::to_string(n) + " rows after the copy, expected " +
                               std::to_string(expected[i]));
    }
    txn.Commit();
}

}  // namespace herald::storage::postgres
