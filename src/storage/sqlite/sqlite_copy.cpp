// SqliteStore: the whole-database export and import behind `herald db copy`.

#include <iterator>
#include <optional>
#include <string>
#include <string_view>
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
                                   "event_hooks", "hook_deliveries", "calendar_feed_tokens"};

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

/// "INSERT INTO <table> (a, b) VALUES (:a, :b)": each value named after its column, so the
/// binds below say which column they fill and a miscount fails on the first row.
std::string InsertNamed(std::string_view table, std::string_view columns) {
    std::string values;
    for (size_t start = 0; start < columns.size();) {
        size_t end = columns.find(',', start);
        if (end == std::string_view::npos) end = columns.size();
        std::string_view column = columns.substr(start, end - start);
        while (!column.empty() && column.front() == ' ') column.remove_prefix(1);
        if (!values.empty()) values += ", ";
        values += ':';
        values += column;
        start = end + 1;
    }
    return "INSERT INTO " + std::string(table) + " (" + std::string(columns) + ") VALUES (" +
           values + ")";
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
    {
        Query q(conn->Prepare(
            "SELECT site_id, token_hash, created_at FROM calendar_feed_tokens ORDER BY site_id"));
        while (q.Step()) s.feed_tokens.push_back(FeedTokenRow{q.Int(0), q.Text(1), q.Time(2)});
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
    {
        const std::string sql = InsertNamed("accounts", "id, name, created_at");
        for (const AccountRow& a : s.accounts) {
            Query q(conn->Prepare(sql));
            q.BindInt(":id", a.account.id)
                .BindText(":name", a.account.name)
                .BindTime(":created_at", a.account.created_at);
            q.Run();
        }
    }
    {
        const std::string sql = InsertNamed(
            "api_keys",
            "id, account_id, name, prefix, key_hash, created_at, last_used_at, revoked_at");
        for (const ApiKeyRecord& k : s.api_keys) {
            Query q(conn->Prepare(sql));
            q.BindInt(":id", k.id)
                .BindInt(":account_id", k.account_id)
                .BindText(":name", k.name)
                .BindText(":prefix", k.prefix)
                .BindText(":key_hash", k.key_hash)
                .BindTime(":created_at", k.created_at)
                .BindOptTime(":last_used_at", k.last_used_at)
                .BindOptTime(":revoked_at", k.revoked_at);
            q.Run();
        }
    }
    {
        // BindSite's columns, then those it leaves to the database (id, version, health).
        const std::string sql = InsertNamed(
            "sites", std::string(sql::kSiteInsertColumns) +
                         ", id, version, health, health_reason, health_since, health_failures,"
                         " probe_at");
        for (const Site& site : s.sites) {
            Query q(conn->Prepare(sql));
            BindSite(q, site);
            q.BindInt(":id", site.id)
                .BindInt(":version", site.version)
                .BindText(":health", domain::ToString(site.health.health))
                .BindText(":health_reason", site.health.reason)
                .BindOptTime(":health_since", site.health.since)
                .BindInt(":health_failures", site.health.transient_failures)
                .BindOptTime(":probe_at", site.health.probe_at);
            q.Run();
        }
    }
    for (const PublishingSettings& settings : s.settings) {
        Query q(conn->Prepare(std::string("INSERT INTO publishing_settings (") +
                              sql::kSettingsColumnsList +
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
        BindSettings(q, settings.site_id, settings);
        q.Run();
    }
    {
        const std::string sql =
            InsertNamed("content", std::string(sql::kContentInsertColumns) + ", id, version");
        for (const Content& c : s.content) {
            Query q(conn->Prepare(sql));
            BindContent(q, c);
            q.BindInt(":id", c.id).BindInt(":version", c.version);
            q.Run();
        }
    }
    {
        const std::string sql = InsertNamed(
            "publish_records",
            "content_id, site_id, account_id, attempt, started_at, finished_at, outcome,"
            " http_status, error, external_id, external_url, due_at, id");
        for (const PublishRecord& r : s.records) {
            Query q(conn->Prepare(sql));
            q.BindInt(":content_id", r.content_id)
                .BindInt(":site_id", r.site_id)
                .BindInt(":account_id", r.account_id)
                .BindInt(":attempt", r.attempt)
                .BindTime(":started_at", r.started_at)
                .BindTime(":finished_at", r.finished_at)
                .BindText(":outcome", ToString(r.outcome))
                .BindOptInt(":http_status",
                            r.http_status ? std::optional<int64_t>(*r.http_status) : std::nullopt)
                .BindText(":error", r.error)
                .BindText(":external_id", r.external_id)
                .BindText(":external_url", r.external_url)
                .BindOptTime(":due_at", r.due_at)
                .BindInt(":id", r.id);
            q.Run();
        }
    }
    {
        const std::string sql = InsertNamed(
            "event_hooks",
            "id, account_id, url, secret, events, is_active, version, created_at, updated_at");
        for (const EventHook& h : s.event_hooks) {
            Query q(conn->Prepare(sql));
            q.BindInt(":id", h.id)
                .BindInt(":account_id", h.account_id)
                .BindText(":url", h.url)
                .BindText(":secret", SealColumn(kHookSecret, h.id, h.secret))
                .BindText(":events", JoinHookEvents(h.events))
                .BindBool(":is_active", h.is_active)
                .BindInt(":version", h.version)
                .BindTime(":created_at", h.created_at)
                .BindTime(":updated_at", h.updated_at);
            q.Run();
        }
    }
    {
        const std::string sql = InsertNamed(
            "hook_deliveries",
            "id, hook_id, account_id, event_type, body, webhook_id, attempts, state, created_at,"
            " next_attempt_at, finished_at, last_status, last_error");
        for (const HookDelivery& d : s.hook_deliveries) {
            Query q(conn->Prepare(sql));
            q.BindInt(":id", d.id)
                .BindInt(":hook_id", d.hook_id)
                .BindInt(":account_id", d.account_id)
                .BindText(":event_type", d.event_type)
                .BindText(":body", d.body)
                .BindText(":webhook_id", d.webhook_id)
                .BindInt(":attempts", d.attempts)
                .BindText(":state", ToString(d.state))
                .BindTime(":created_at", d.created_at)
                .BindTime(":next_attempt_at", d.next_attempt_at)
                .BindOptTime(":finished_at", d.finished_at)
                .BindOptInt(":last_status",
                            d.last_status ? std::optional<int64_t>(*d.last_status) : std::nullopt)
                .BindText(":last_error", d.last_error);
            q.Run();
        }
    }
    {
        const std::string sql =
            InsertNamed("calendar_feed_tokens", "site_id, token_hash, created_at");
        for (const FeedTokenRow& t : s.feed_tokens) {
            Query q(conn->Prepare(sql));
            q.BindInt(":site_id", t.site_id)
                .BindText(":token_hash", t.token_hash)
                .BindTime(":created_at", t.created_at);
            q.Run();
        }
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

}  // namespace herald::storage::sqlite
