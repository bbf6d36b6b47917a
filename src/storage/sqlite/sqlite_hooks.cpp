// SqliteStore: event hooks and their delivery outbox. The write lock (BEGIN IMMEDIATE) makes
// a claim atomic across threads and processes; leases run on this machine's clock, which
// every process sharing the file shares.

#include <algorithm>
#include <string>
#include <vector>

#include "storage/sqlite/connection_pool.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/sqlite/sqlite_rows.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace herald::storage::sqlite {
namespace {

using Mode = Transaction::Mode;

constexpr const char* kHookColumns =
    "id, account_id, url, secret, events, is_active, version, created_at, updated_at";
constexpr const char* kDeliveryColumns =
    "id, hook_id, account_id, event_type, body, webhook_id, attempts, state, created_at,"
    " next_attempt_at, finished_at, last_status, last_error";
constexpr int kDeliveryColumnCount = 13;

TimePoint ClockNow() { return SystemTimeSource().Now(); }

EventHook ReadHook(const Query& q) {
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
    return h;
}

HookDelivery ReadDelivery(const Query& q, int base = 0) {
    HookDelivery d;
    d.id = q.Int(base + 0);
    d.hook_id = q.Int(base + 1);
    d.account_id = q.Int(base + 2);
    d.event_type = q.Text(base + 3);
    d.body = q.Text(base + 4);
    d.webhook_id = q.Text(base + 5);
    d.attempts = static_cast<int>(q.Int(base + 6));
    d.state = ParseDeliveryState(q.Text(base + 7)).value_or(DeliveryState::kPending);
    d.created_at = q.Time(base + 8);
    d.next_attempt_at = q.Time(base + 9);
    d.finished_at = q.OptTime(base + 10);
    d.last_status = ToOptInt(q.OptInt(base + 11));
    d.last_error = q.Text(base + 12);
    return d;
}

std::string Prefixed(const char* columns, const char* alias) {
    std::string out;
    std::string_view rest = columns;
    while (!rest.empty()) {
        const size_t comma = rest.find(',');
        std::string_view col = rest.substr(0, comma);
        while (!col.empty() && col.front() == ' ') col.remove_prefix(1);
        if (!out.empty()) out += ", ";
        out += alias;
        out += '.';
        out += col;
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return out;
}

}  // namespace

EventHook SqliteStore::CreateEventHook(const EventHook& hook) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    EventHook created = hook;
    {
        // The secret is sealed for the new id below (its id is part of the sealed value).
        Query q(conn->Prepare(
            "INSERT INTO event_hooks (account_id, url, secret, events, is_active, version,"
            " created_at, updated_at) SELECT id, ?2, '', ?3, ?4, 1, ?5, ?6 FROM accounts"
            " WHERE id = ?1 RETURNING id"));
        q.BindInt(1, hook.account_id)
            .BindText(2, hook.url)
            .BindText(3, JoinHookEvents(hook.events))
            .BindBool(4, hook.is_active)
            .BindTime(5, hook.created_at)
            .BindTime(6, hook.updated_at);
        if (!q.Step()) throw StorageError("no account " + std::to_string(hook.account_id));
        created.id = q.Int(0);
    }
    if (!created.secret.empty()) {
        Query q(conn->Prepare("UPDATE event_hooks SET secret = ?1 WHERE id = ?2"));
        q.BindText(1, SealColumn(kHookSecret, created.id, created.secret)).BindInt(2, created.id);
        q.Run();
    }
    txn.Commit();
    created.version = 1;
    return created;
}

std::optional<EventHook> SqliteStore::GetEventHook(AccountId account, EventHookId id) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(std::string("SELECT ") + kHookColumns +
                          " FROM event_hooks WHERE id = ?1 AND account_id = ?2"));
    q.BindInt(1, id).BindInt(2, account);
    if (!q.Step()) return std::nullopt;
    return ReadHook(q);
}

Page<EventHook> SqliteStore::ListEventHooks(AccountId account, PageRequest request) {
    const PageWindow window = Window(request);
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kDeferred);  // count and page from one snapshot
    Page<EventHook> page;
    {
        Query q(conn->Prepare("SELECT COUNT(*) FROM event_hooks WHERE account_id = ?1"));
        q.BindInt(1, account);
        if (q.Step()) page.count = q.Int(0);
    }
    {
        Query q(conn->Prepare(std::string("SELECT ") + kHookColumns +
                              " FROM event_hooks WHERE account_id = ?1 ORDER BY id"
                              " LIMIT ?2 OFFSET ?3"));
        q.BindInt(1, account).BindInt(2, window.size).BindInt(3, window.offset);
        while (q.Step()) page.items.push_back(ReadHook(q));
    }
    txn.Commit();
    return page;
}

WriteResult SqliteStore::UpdateEventHook(const EventHook& hook, int64_t expected_version) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    std::optional<int64_t> version;
    {
        Query q(conn->Prepare(
            "UPDATE event_hooks SET url = ?3, secret = ?4, events = ?5, is_active = ?6,"
            " updated_at = ?7, version = version + 1"
            " WHERE id = ?1 AND account_id = ?2 AND version = ?8 RETURNING version"));
        q.BindInt(1, hook.id)
            .BindInt(2, hook.account_id)
            .BindText(3, hook.url)
            .BindText(4, SealColumn(kHookSecret, hook.id, hook.secret))
            .BindText(5, JoinHookEvents(hook.events))
            .BindBool(6, hook.is_active)
            .BindTime(7, hook.updated_at)
            .BindInt(8, expected_version);
        if (q.Step()) version = q.Int(0);
    }
    if (!version) return {MissOutcome(*conn, "event_hooks", hook.account_id, hook.id), 0};
    txn.Commit();
    return {WriteOutcome::kApplied, *version};
}

WriteOutcome SqliteStore::DeleteEventHook(AccountId account, EventHookId id,
                                          std::optional<int64_t> expected_version) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    {
        Query q(conn->Prepare("SELECT version FROM event_hooks WHERE id = ?1 AND account_id = ?2"));
        q.BindInt(1, id).BindInt(2, account);
        if (!q.Step()) return WriteOutcome::kNotFound;
        if (expected_version && q.Int(0) != *expected_version) return WriteOutcome::kConflict;
    }
    {
        // Its deliveries go with it (ON DELETE CASCADE).
        Query q(conn->Prepare("DELETE FROM event_hooks WHERE id = ?1 AND account_id = ?2"));
        q.BindInt(1, id).BindInt(2, account);
        q.Run();
    }
    txn.Commit();
    return WriteOutcome::kApplied;
}

std::vector<AccountId> SqliteStore::AccountsWithActiveHooks(std::span<const AccountId> accounts) {
    std::vector<AccountId> with(accounts.begin(), accounts.end());
    std::sort(with.begin(), with.end());
    with.erase(std::unique(with.begin(), with.end()), with.end());
    if (with.empty()) return with;
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kDeferred);  // one snapshot for all of them
    sqlite3_stmt* stmt = conn->Prepare(
        "SELECT EXISTS (SELECT 1 FROM event_hooks WHERE account_id = ?1 AND is_active = 1)");
    std::erase_if(with, [&](AccountId account) {
        Query q(stmt);
        q.BindInt(1, account);
        return !q.Step() || q.Int(0) == 0;
    });
    txn.Commit();
    return with;
}

int64_t SqliteStore::EnqueueHookEvent(AccountId account, std::string_view event_type,
                                      std::string_view body, TimePoint now) {
    auto conn = pool_->Acquire();
    // One statement: every subscribed hook gets its delivery, or none does.
    Query q(conn->Prepare(
        "INSERT INTO hook_deliveries (hook_id, account_id, event_type, body, webhook_id,"
        " created_at, next_attempt_at)"
        " SELECT id, account_id, ?2, ?3, 'msg_' || lower(hex(randomblob(16))), ?4, ?4"
        " FROM event_hooks WHERE account_id = ?1 AND is_active = 1"
        " AND instr(',' || events || ',', ',' || ?2 || ',') > 0 ORDER BY id"));
    q.BindInt(1, account).BindText(2, event_type).BindText(3, body).BindTime(4, now);
    q.Run();
    return q.Changes();
}

std::optional<HookDelivery> SqliteStore::EnqueueHookDelivery(AccountId account, EventHookId hook,
                                                             std::string_view event_type,
                                                             std::string_view body, TimePoint now) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(
        std::string(
            "INSERT INTO hook_deliveries (hook_id, account_id, event_type, body, webhook_id,"
            " created_at, next_attempt_at)"
            " SELECT id, account_id, ?3, ?4, 'msg_' || lower(hex(randomblob(16))), ?5, ?5"
            " FROM event_hooks WHERE id = ?2 AND account_id = ?1 RETURNING ") +
        kDeliveryColumns));
    q.BindInt(1, account)
        .BindInt(2, hook)
        .BindText(3, event_type)
        .BindText(4, body)
        .BindTime(5, now);
    if (!q.Step()) return std::nullopt;
    return ReadDelivery(q);
}

std::vector<ClaimedDelivery> SqliteStore::ClaimHookDeliveries(const HookClaimRequest& request) {
    if (request.limit <= 0) return {};
    if (request.claim_token.empty())
        throw StorageError("ClaimHookDeliveries needs a non-empty claim token");
    const TimePoint clock_now = ClockNow();
    const TimePoint lease_until = clock_now + std::max(Milliseconds{1}, request.lease);
    auto conn = pool_->Acquire();
    // The write lock from the start: nobody else claims between the pick and the update.
    Transaction txn = conn->Begin(Mode::kImmediate);
    std::vector<HookDeliveryId> ids;
    {
        Query q(conn->Prepare(
            "SELECT d.id FROM hook_deliveries d JOIN event_hooks h ON h.id = d.hook_id"
            " WHERE d.state = 'pending' AND d.next_attempt_at <= ?1 AND h.is_active = 1"
            " AND (d.lease_until IS NULL OR d.lease_until < ?2)"
            " ORDER BY d.next_attempt_at, d.id LIMIT ?3"));
        q.BindTime(1, request.now).BindTime(2, clock_now).BindInt(3, request.limit);
        while (q.Step()) ids.push_back(q.Int(0));
    }
    std::vector<ClaimedDelivery> claimed;
    claimed.reserve(ids.size());
    const std::string select = "SELECT " + Prefixed(kDeliveryColumns, "d") +
                               ", h.url, h.secret FROM hook_deliveries d"
                               " JOIN event_hooks h ON h.id = d.hook_id WHERE d.id = ?1";
    for (const HookDeliveryId id : ids) {
        {
            Query q(
                conn->Prepare("UPDATE hook_deliveries SET claim_token = ?2, lease_until = ?3,"
                              " attempts = attempts + 1 WHERE id = ?1"));
            q.BindInt(1, id).BindText(2, request.claim_token).BindTime(3, lease_until);
            q.Run();
        }
        Query q(conn->Prepare(select));
        q.BindInt(1, id);
        if (!q.Step())
            throw StorageError("a claimed hook delivery vanished inside its transaction");
        ClaimedDelivery c;
        c.delivery = ReadDelivery(q);
        c.url = q.Text(kDeliveryColumnCount);
        c.secret = OpenColumn(kHookSecret, c.delivery.hook_id, q.Text(kDeliveryColumnCount + 1));
        claimed.push_back(std::move(c));
    }
    txn.Commit();
    return claimed;
}

bool SqliteStore::FinishHookDelivery(const HookAttemptResult& result,
                                     std::string_view claim_token) {
    const bool settled = result.state != DeliveryState::kPending;
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(
        "UPDATE hook_deliveries SET state = ?3, next_attempt_at = ?4, finished_at = ?5,"
        " last_status = ?6, last_error = ?7, claim_token = NULL, lease_until = NULL"
        " WHERE id = ?1 AND claim_token = ?2 AND state = 'pending'"));
    q.BindInt(1, result.id)
        .BindText(2, claim_token)
        .BindText(3, ToString(result.state))
        .BindTime(4, result.next_attempt_at)
        .BindOptTime(5, settled ? std::optional<TimePoint>(result.finished_at) : std::nullopt)
        .BindOptInt(6, result.status ? std::optional<int64_t>(*result.status) : std::nullopt)
        .BindText(7, result.error);
    q.Run();
    return q.Changes() > 0;
}

std::optional<Milliseconds> SqliteStore::NextHookDeliveryIn(TimePoint now) {
    const TimePoint clock_now = ClockNow();
    auto conn = pool_->Acquire();
    Query q(
        conn->Prepare("SELECT MIN(CASE WHEN d.lease_until IS NOT NULL AND d.lease_until >= ?2"
                      "                THEN d.lease_until - ?2 ELSE d.next_attempt_at - ?1 END)"
                      " FROM hook_deliveries d JOIN event_hooks h ON h.id = d.hook_id"
                      " WHERE d.state = 'pending' AND h.is_active = 1"));
    q.BindTime(1, now).BindTime(2, clock_now);
    if (!q.Step() || q.IsNull(0)) return std::nullopt;
    return Milliseconds{q.Int(0)};
}

int64_t SqliteStore::PruneHookDeliveries(TimePoint before, int limit) {
    auto conn = pool_->Acquire();
    Query q(
        conn->Prepare("DELETE FROM hook_deliveries WHERE id IN (SELECT id FROM hook_deliveries"
                      " WHERE state <> 'pending' AND finished_at < ?1 ORDER BY id LIMIT ?2)"));
    q.BindTime(1, before).BindInt(2, std::max(limit, 0));
    q.Run();
    return q.Changes();
}

std::vector<HookDelivery> SqliteStore::ListHookDeliveries(AccountId account, EventHookId hook,
                                                          int limit) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(std::string("SELECT ") + kDeliveryColumns +
                          " FROM hook_deliveries WHERE hook_id = ?1 AND account_id = ?2"
                          " ORDER BY id DESC LIMIT ?3"));
    q.BindInt(1, hook).BindInt(2, account).BindInt(3, std::max(limit, 0));
    std::vector<HookDelivery> out;
    while (q.Step()) out.push_back(ReadDelivery(q));
    return out;
}

}  // namespace herald::storage::sqlite
