// SqliteStore: the whole-database export and import behind `herald db copy`.

#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "storage/sqlite/connection_pool.hpp"
#include "storage/sqlite/queries.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/sqlite/sqlite_rows.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace herald::storage::sqlite {
namespace {

using Mode = Transaction::Mode;

// The tables in the order rows go in (references first).
constexpr const char* kTables[] = {"accounts",    "sites",           "publishing_settings",
                                   "content",     "publish_records", "api_keys",
                                   "event_hooks", "hook_deliveries"};

int64_t Count(Connection& conn, const std::string& table) {
    Query q(conn.Prepare("SELECT COUNT(*) FROM " + table));
    return q.Step() ? q.Int(0) : 0;
}

/// The highest id the table has given: its AUTOINCREMENT sequence, or its largest id for a
/// table without one (accounts).
int64_t HighestId(Connection& conn, const std::string& table) {
    Query q(conn.Prepare("SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '" +
                         table + "'), 0), COALESCE((SELECT MAX(id) FROM " + table + "), 0))"));
    return q.Step() ? q.Int(0) : 0;
}

/// Moves the AUTOINCREMENT sequence of `table` to at least `at_least`.
void AdvanceSequence(Connection& conn, const std::string& table, int64_t at_least) {
    if (at_least <= 0) return;
    {
        Query q(conn.Prepare("UPDATE sqlite_sequence SET seq = MAX(seq, ?1) WHERE name = ?2"));
        q.BindInt(1, at_least).BindText(2, table);
        q.Run();
        if (q.Changes() > 0) return;
    }
    Query q(conn.Prepare("INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)"));
    q.BindText(1, table).BindInt(2, at_least);
    q.Run();
}

}  // namespace

Snapshot SqliteStore::ExportSnapshot() {
    auto conn = pool_->Acquire();
    // One read transaction: every table from the same snapshot of the file.
    Transaction txn = conn->Begin(Mode::kDeferred);
    Snapshot s;
    {
        Query q(conn->Prepare("SELECT id, name, created_at FROM accounts ORDER BY id"));
        while (q.Step()) s.accounts.push_back({Account{q.Int(0), q.Text(1), q.Time(2)}});
    }
    {
        Query q(conn->Prepare(
            "SELECT id, account_id, name, prefix, key_hash, created_at, last_used_at, revoked_at"
            " FROM api_keys ORDER BY id"));
        while (q.Step())
            s.api_keys.push_back(ApiKeyRecord{q.Int(0), q.Int(1), q.Text(2), q.Text(3), q.Text(4),
                                              q.Time(5), q.OptTime(6), q.OptTime(7)});
    }
    {
        Query q(conn->Prepare(std::string("SELECT ") + sql::kSiteColumnsList +
                              " FROM sites ORDER BY id"));
        while (q.Step()) s.sites.push_back(ReadSite(q));
    }
    {
        Query q(conn->Prepare(std::string("SELECT ") + sql::kSettingsColumnsList +
                              " FROM publishing_settings ORDER BY site_id"));
        while (q.Step()) s.settings.push_back(ReadSettings(q));
    }
    {
        Query q(conn->Prepare(std::string("SELECT ") + sql::kContentColumns +
                              " FROM content ORDER BY id"));
        while (q.Step()) s.content.push_back(ReadContent(q));
    }
    {
        Query q(conn->Prepare(std::string("SELECT ") + sql::kRecordColumns +
                              " FROM publish_records ORDER BY id"));
        while (q.Step()) s.records.push_back(ReadRecord(q));
    }
    {
        Query q(conn->Prepare(
            "SELECT id, account_id, url, secret, events, is_active, version, created_at,"
            " updated_at FROM event_hooks ORDER BY id"));
        while (q.Step()) {
            EventHook h;
            h.id = q.Int(0);
            h.account_id = q.Int(1);
            h.url = q.Text(2);
            h.secret = OpenColumn(kHookSecret, h.id, q.Text(3));
            h.events = SplitHookEvents(q.Text(4));
            h.is_active = q.Bool(5);
            h.version = q.Int(6);
            h.created_at = q.Time(7);
            h.updated_at = q.Time(8);
            s.event_hooks.push_back(std::move(h));
        }
    }
    {
        Query q(conn->Prepare(
            "SELECT id, hook_id, account_id, event_type, body, webhook_id, attempts, state,"
            " created_at, next_attempt_at, finished_at, last_status, last_error"
            " FROM hook_deliveries ORDER BY id"));
        while (q.Step()) {
            HookDelivery d;
            d.id = q.Int(0);
            d.hook_id = q.Int(1);
            d.account_id = q.Int(2);
            d.event_type = q.Text(3);
            d.body = q.Text(4);
            d.webhook_id = q.Text(5);
            d.attempts = static_cast<int>(q.Int(6));
            d.state = ParseDeliveryState(q.Text(7)).value_or(DeliveryState::kPending);
            d.created_at = q.Time(8);
            d.next_attempt_at = q.Time(9);
            d.finished_at = q.OptTime(10);
            d.last_status = ToOptInt(q.OptInt(11));
            d.last_error = q.Text(12);
            s.hook_deliveries.push_back(std::move(d));
        }
    }
    s.sequences.accounts = HighestId(*conn, "accounts");
    s.sequences.sites = HighestId(*conn, "sites");
    s.sequences.content = HighestId(*conn, "content");
    s.sequences.records = HighestId(*conn, "publish_records");
    s.sequences.api_keys = HighestId(*conn, "api_keys");
    s.sequences.event_hooks = HighestId(*conn, "event_hooks");
    s.sequences.hook_deliveries = HighestId(*conn, "hook_deliveries");
    txn.Commit();
    return s;
}

void SqliteStore::ImportSnapshot(const Snapshot& s) {
    auto conn = pool_->Acquire();
    // The write lock from the start: nobody writes between the emptiness check and COMMIT.
    Transaction txn = conn->Begin(Mode::kImmediate);
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
    for (const AccountRow& a : s.accounts) {
        Query q(conn->Prepare("INSERT INTO accounts (id, name, created_at) VALUES (?1, ?2, ?3)"));
        q.BindInt(1, a.account.id).BindText(2, a.account.name).BindTime(3, a.account.created_at);
        q.Run();
    }
    for (const ApiKeyRecord& k : s.api_keys) {
        Query q(conn->Prepare(
            "INSERT INTO api_keys (id, account_id, name, prefix, key_hash, created_at,"
            " last_used_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
        q.BindInt(1, k.id)
            .BindInt(2, k.account_id)
            .BindText(3, k.name)
            .BindText(4, k.prefix)
            .BindText(5, k.key_hash)
            .BindTime(6, k.created_at)
            .BindOptTime(7, k.last_used_at)
            .BindOptTime(8, k.revoked_at);
        q.Run();
    }
    for (const Site& site : s.sites) {
        // BindSite's ?1..?11, then id and version.
        Query q(conn->Prepare(
            "INSERT INTO sites (account_id, name, platform_type, domain, api_key, username,"
            " timezone, is_active, options_json, created_at, updated_at, id, version,"
            " health, health_reason, health_since, health_failures, probe_at)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
            " ?14, ?15, ?16, ?17, ?18)"));
        BindSite(q, site);
        q.BindInt(12, site.id).BindInt(13, site.version);
        q.BindText(14, domain::ToString(site.health.health))
            .BindText(15, site.health.reason)
            .BindOptTime(16, site.health.since)
            .BindInt(17, site.health.transient_failures)
            .BindOptTime(18, site.health.probe_at);
        q.Run();
    }
    for (const PublishingSettings& settings : s.settings) {
        Query q(conn->Prepare(std::string("INSERT INTO publishing_settings (") +
                              sql::kSettingsColumnsList +
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
        BindSettings(q, settings.site_id, settings);
        q.Run();
    }
    for (const Content& c : s.content) {
        // BindContent's ?1..?27, then id and version.
        Query q(conn->Prepare(
            "INSERT INTO content (account_id, site_id, title, content_html, excerpt, slug,"
            " content_type, cluster_id, categories, tags, featured_image_url, status,"
            " approved_at, site_status, site_status_updated_at, scheduled_publish_at,"
            " published_at, external_id, external_url, last_error, next_attempt_at, attempts,"
            " publication_id, claim_token, lease_until, created_at, updated_at, id, version)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
            " ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)"));
        BindContent(q, c);
        q.BindInt(28, c.id).BindInt(29, c.version);
        q.Run();
    }
    for (const PublishRecord& r : s.records) {
        Query q(conn->Prepare(
            "INSERT INTO publish_records (content_id, site_id, account_id, attempt, started_at,"
            " finished_at, outcome, http_status, error, external_id, external_url, due_at, id)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
        q.BindInt(1, r.content_id)
            .BindInt(2, r.site_id)
            .BindInt(3, r.account_id)
            .BindInt(4, r.attempt)
            .BindTime(5, r.started_at)
            .BindTime(6, r.finished_at)
            .BindText(7, ToString(r.outcome))
            .BindOptInt(8, r.http_status ? std::optional<int64_t>(*r.http_status) : std::nullopt)
            .BindText(9, r.error)
            .BindText(10, r.external_id)
            .BindText(11, r.external_url)
            .BindOptTime(12, r.due_at)
            .BindInt(13, r.id);
        q.Run();
    }
    for (const EventHook& h : s.event_hooks) {
        Query q(conn->Prepare(
            "INSERT INTO event_hooks (id, account_id, url, secret, events, is_active, version,"
            " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
        q.BindInt(1, h.id)
            .BindInt(2, h.account_id)
            .BindText(3, h.url)
            .BindText(4, SealColumn(kHookSecret, h.id, h.secret))
            .BindText(5, JoinHookEvents(h.events))
            .BindBool(6, h.is_active)
            .BindInt(7, h.version)
            .BindTime(8, h.created_at)
            .BindTime(9, h.updated_at);
        q.Run();
    }
    for (const HookDelivery& d : s.hook_deliveries) {
        Query q(conn->Prepare(
            "INSERT INTO hook_deliveries (id, hook_id, account_id, event_type, body, webhook_id,"
            " attempts, state, created_at, next_attempt_at, finished_at, last_status,"
            " last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
        q.BindInt(1, d.id)
            .BindInt(2, d.hook_id)
            .BindInt(3, d.account_id)
            .BindText(4, d.event_type)
            .BindText(5, d.body)
            .BindText(6, d.webhook_id)
            .BindInt(7, d.attempts)
            .BindText(8, ToString(d.state))
            .BindTime(9, d.created_at)
            .BindTime(10, d.next_attempt_at)
            .BindOptTime(11, d.finished_at)
            .BindOptInt(12, d.last_status ? std::optional<int64_t>(*d.last_status) : std::nullopt)
            .BindText(13, d.last_error);
        q.Run();
    }
    // AUTOINCREMENT sequences past every copied id and every id the source ever gave
    // (accounts has none: SQLite gives max(id) + 1 there, which the copied rows settle).
    AdvanceSequence(*conn, "sites", s.sequences.sites);
    AdvanceSequence(*conn, "content", s.sequences.content);
    AdvanceSequence(*conn, "publish_records", s.sequences.records);
    AdvanceSequence(*conn, "api_keys", s.sequences.api_keys);
    AdvanceSequence(*conn, "event_hooks", s.sequences.event_hooks);
    AdvanceSequence(*conn, "hook_deliveries", s.sequences.hook_deliveries);

    {
        Query q(conn->Prepare("PRAGMA foreign_key_check"));
        if (q.Step())
            throw StorageError("copy check failed: a row of table '" + q.Text(0) +
                               "' refers to a missing row");
    }
    const size_t expected[] = {s.accounts.size(),    s.sites.size(),          s.settings.size(),
                               s.content.size(),     s.records.size(),        s.api_keys.size(),
                               s.event_hooks.size(), s.hook_deliveries.size()};
    for (size_t i = 0; i < std::size(kTables); ++i) {
        const int64_t n = Count(*conn, kTables[i]);
        if (n != static_cast<int64_t>(expected[i]))
            throw StorageError(std::string("copy check failed: table ") + kTables[i] + " holds " +
                               std::to_string(n) + " rows after the copy, expected " +
                               std::to_string(expected[i]));
    }
    txn.Commit();
}

}  // namespace herald::storage::sqlite
