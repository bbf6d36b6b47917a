// PostgresStore: event hooks and their delivery outbox. Claims lock the rows they take (FOR
// UPDATE SKIP LOCKED), so deliverers of several processes never hold one delivery at once;
// leases run on the server's clock (herald_now_ms()).

#include <algorithm>
#include <string>
#include <vector>

#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/postgres/pg_rows.hpp"
#include "storage/postgres/postgres_store.hpp"

namespace herald::storage::postgres {
namespace {

constexpr const char* kHookColumns =
    "id, account_id, url, secret, events, is_active, version, created_at, updated_at";
constexpr const char* kDeliveryColumns =
    "d.id, d.hook_id, d.account_id, d.event_type, d.body, d.webhook_id, d.attempts, d.state,"
    " d.created_at, d.next_attempt_at, d.finished_at, d.last_status, d.last_error";
constexpr int kDeliveryColumnCount = 13;

EventHook ReadHook(const Row& r) {
    EventHook h;
    h.id = r.Int(0);
    h.account_id = r.Int(1);
    h.url = r.Text(2);
    h.secret = OpenColumn(kHookSecret, h.id, r.Text(3));
    h.events = SplitHookEvents(r.Text(4));
    h.is_active = r.Bool(5);
    h.version = r.Int(6);
    h.created_at = r.Time(7);
    h.updated_at = r.Time(8);
    return h;
}

HookDelivery ReadDelivery(const Row& r) {
    HookDelivery d;
    d.id = r.Int(0);
    d.hook_id = r.Int(1);
    d.account_id = r.Int(2);
    d.event_type = r.Text(3);
    d.body = r.Text(4);
    d.webhook_id = r.Text(5);
    d.attempts = static_cast<int>(r.Int(6));
    d.state = ParseDeliveryState(r.Text(7)).value_or(DeliveryState::kPending);
    d.created_at = r.Time(8);
    d.next_attempt_at = r.Time(9);
    d.finished_at = r.OptTime(10);
    if (auto status = r.OptInt(11)) d.last_status = static_cast<int>(*status);
    d.last_error = r.Text(12);
    return d;
}

}  // namespace

// Row readers shared with pg_copy.cpp.
EventHook ReadEventHookRow(const Row& r) { return ReadHook(r); }
HookDelivery ReadHookDeliveryRow(const Row& r) { return ReadDelivery(r); }
const char* EventHookColumns() { return kHookColumns; }
const char* HookDeliveryColumns() { return kDeliveryColumns; }

EventHook PostgresStore::CreateEventHook(const EventHook& hook) {
    auto conn = pool_->Acquire();
    Transaction txn(*conn);
    EventHook created = hook;
    {
        // The secret is sealed for the new id below (its id is part of the sealed value).
        Params p;
        p.Int(hook.account_id);
        p.Text(hook.url);
        p.Text(JoinHookEvents(hook.events));
        p.Bool(hook.is_active);
        p.Time(hook.created_at);
        p.Time(hook.updated_at);
        const PgResult r = conn->Exec(
            "INSERT INTO event_hooks (account_id, url, secret, events, is_active, version,"
            " created_at, updated_at) SELECT id, $2, '', $3, $4, 1, $5, $6 FROM accounts"
            " WHERE id = $1 RETURNING id",
            p);
        if (r.empty()) throw StorageError("no account " + std::to_string(hook.account_id));
        created.id = r.Int(0, 0);
    }
    if (!created.secret.empty()) {
        Params p;
        p.Text(SealColumn(kHookSecret, created.id, created.secret));
        p.Int(created.id);
        conn->Exec("UPDATE event_hooks SET secret = $1 WHERE id = $2", p);
    }
    txn.Commit();
    created.version = 1;
    return created;
}

std::optional<EventHook> PostgresStore::GetEventHook(AccountId account, EventHookId id) {
    auto conn = pool_->Acquire();
    Params p;
    p.Int(id);
    p.Int(account);
    const PgResult r = conn->Exec(std::string("SELECT ") + kHookColumns +
                                      " FROM event_hooks WHERE id = $1 AND account_id = $2",
                                  p);
    if (r.empty()) return std::nullopt;
    return ReadHook(Row{r, 0});
}

Page<EventHook> PostgresStore::ListEventHooks(AccountId account, PageRequest request) {
    const PageWindow window = Window(request);
    auto conn = pool_->Acquire();
    Transaction txn(*conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    Page<EventHook> page;
    {
        Params p;
        p.Int(account);
        page.count =
            conn->Exec("SELECT COUNT(*) FROM event_hooks WHERE account_id = $1", p).Int(0, 0);
    }
    if (window.offset < page.count) {
        Params p;
        p.Int(account);
        p.Int(window.size);
        p.Int(window.offset);
        const PgResult r = conn->Exec(std::string("SELECT ") + kHookColumns +
                                          " FROM event_hooks WHERE account_id = $1"
                                          " ORDER BY id LIMIT $2 OFFSET $3",
                                      p);
        for (int i = 0; i < r.rows(); ++i) page.items.push_back(ReadHook(Row{r, i}));
    }
    txn.Commit();
    return page;
}

WriteResult PostgresStore::UpdateEventHook(const EventHook& hook, int64_t expected_version) {
    auto conn = pool_->Acquire();
    Params p;
    p.Int(hook.id);
    p.Int(hook.account_id);
    p.Text(hook.url);
    p.Text(SealColumn(kHookSecret, hook.id, hook.secret));
    p.Text(JoinHookEvents(hook.events));
    p.Bool(hook.is_active);
    p.Time(hook.updated_at);
    p.Int(expected_version);
    const PgResult r = conn->Exec(
        "UPDATE event_hooks SET url = $3, secret = $4, events = $5, is_active = $6,"
        " updated_at = $7, version = version + 1"
        " WHERE id = $1 AND account_id = $2 AND version = $8 RETURNING version",
        p);
    if (!r.empty()) return {WriteOutcome::kApplied, r.Int(0, 0)};
    return {MissOutcome(*conn, "event_hooks", hook.account_id, hook.id), 0};
}

WriteOutcome PostgresStore::DeleteEventHook(AccountId account, EventHookId id,
                                            std::optional<int64_t> expected_version) {
    auto conn = pool_->Acquire();
    Params p;
    p.Int(id);
    p.Int(account);
    p.OptInt(expected_version);
    const PgResult r = conn->Exec(
        "DELETE FROM event_hooks WHERE id = $1 AND account_id = $2"
        " AND ($3::bigint IS NULL OR version = $3::bigint) RETURNING id",
        p);
    if (!r.empty()) return WriteOutcome::kApplied;
    return MissOutcome(*conn, "event_hooks", account, id);
}

std::vector<AccountId> PostgresStore::AccountsWithActiveHooks(std::span<const AccountId> accounts) {
    if (accounts.empty()) return {};
    Params p;
    p.IntArray(accounts);
    auto conn = pool_->Acquire();
    const PgResult r = conn->Exec(
        "SELECT DISTINCT account_id FROM event_hooks"
        " WHERE account_id = ANY($1::bigint[]) AND is_active ORDER BY account_id",
        p);
    std::vector<AccountId> with;
    with.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) with.push_back(r.Int(i, 0));
    return with;
}

int64_t PostgresStore::EnqueueHookEvent(AccountId account, std::string_view event_type,
                                        std::string_view body, TimePoint now) {
    auto conn = pool_->Acquire();
    Params p;
    p.Int(account);
    p.Text(event_type);
    p.Text(body);
    p.Time(now);
    // One statement: every subscribed hook gets its delivery, or none does.
    return conn
        ->Exec(
            "INSERT INTO hook_deliveries (hook_id, account_id, event_type, body, webhook_id,"
            " created_at, next_attempt_at)"
            " SELECT id, account_id, $2::text, $3::text,"
            " 'msg_' || replace(gen_random_uuid()::text, '-', ''), $4::bigint, $4::bigint"
            " FROM event_hooks WHERE account_id = $1 AND is_active"
            " AND position(',' || $2::text || ',' IN ',' || events || ',') > 0 ORDER BY id",
            p)
        .affected();
}

std::optional<HookDelivery> PostgresStore::EnqueueHookDelivery(AccountId account, EventHookId hook,
                                                               std::string_view event_type,
                                                               std::string_view body,
                                                               TimePoint now) {
    auto conn = pool_->Acquire();
    Params p;
    p.Int(account);
    p.Int(hook);
    p.Text(event_type);
    p.Text(body);
    p.Time(now);
    const PgResult r = conn->Exec(
        std::string("INSERT INTO hook_deliveries AS d (hook_id, account_id, event_type, body,"
                    " webhook_id, created_at, next_attempt_at)"
                    " SELECT id, account_id, $3::text, $4::text,"
                    " 'msg_' || replace(gen_random_uuid()::text, '-', ''), $5::bigint, $5::bigint"
                    " FROM event_hooks WHERE id = $2 AND account_id = $1 RETURNING ") +
            kDeliveryColumns,
        p);
    if (r.empty()) return std::nullopt;
    return ReadDelivery(Row{r, 0});
}

std::vector<ClaimedDelivery> PostgresStore::ClaimHookDeliveries(const HookClaimRequest& request) {
    if (request.limit <= 0) return {};
    if (request.claim_token.empty())
        throw StorageError("ClaimHookDeliveries needs a non-empty claim token");
    auto conn = pool_->Acquire();
    Params p;
    p.Time(request.now);
    p.Int(request.limit);
    p.Text(request.claim_token);
    p.Int(std::max<int64_t>(1, request.lease.count()));
    // SKIP LOCKED: a delivery another claimer is taking right now is left to it.
    const PgResult r = conn->Exec(
        std::string("WITH picked AS ("
                    "  SELECT d.id FROM hook_deliveries d JOIN event_hooks h ON h.id = d.hook_id"
                    "  WHERE d.state = 'pending' AND d.next_attempt_at <= $1 AND h.is_active"
                    "    AND (d.lease_until IS NULL OR d.lease_until < herald_now_ms())"
                    "  ORDER BY d.next_attempt_at, d.id LIMIT $2 FOR UPDATE OF d SKIP LOCKED)"
                    " UPDATE hook_deliveries AS d SET claim_token = $3,"
                    " lease_until = herald_now_ms() + $4, attempts = d.attempts + 1"
                    " FROM picked, event_hooks h WHERE d.id = picked.id AND h.id = d.hook_id"
                    " RETURNING ") +
            kDeliveryColumns + ", h.url, h.secret",
        p);
    std::vector<ClaimedDelivery> claimed;
    claimed.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        ClaimedDelivery c;
        c.delivery = ReadDelivery(Row{r, i});
        c.url = r.Text(i, kDeliveryColumnCount);
        c.secret = OpenColumn(kHookSecret, c.delivery.hook_id, r.Text(i, kDeliveryColumnCount + 1));
        claimed.push_back(std::move(c));
    }
    std::sort(claimed.begin(), claimed.end(),
              [](const ClaimedDelivery& a, const ClaimedDelivery& b) {
                  return a.delivery.next_attempt_at != b.delivery.next_attempt_at
                             ? a.delivery.next_attempt_at < b.delivery.next_attempt_at
                             : a.delivery.id < b.delivery.id;
              });
    return claimed;
}

bool PostgresStore::FinishHookDelivery(const HookAttemptResult& result,
                                       std::string_view claim_token) {
    const bool settled = result.state != DeliveryState::kPending;
    auto conn = pool_->Acquire();
    Params p;
    p.Int(result.id);
    p.Text(claim_token);
    p.Text(ToString(result.state));
    p.Time(result.next_attempt_at);
    p.OptTime(settled ? std::optional<TimePoint>(result.finished_at) : std::nullopt);
    p.OptInt(result.status ? std::optional<int64_t>(*result.status) : std::nullopt);
    p.Text(result.error);
    return conn->Exec(
                   "UPDATE hook_deliveries SET state = $3, next_attempt_at = $4,"
                   " finished_at = $5, last_status = $6, last_error = $7,"
                   " claim_token = NULL, lease_until = NULL"
                   " WHERE id = $1 AND claim_token = $2 AND state = 'pending'",
                   p)
               .affected() > 0;
}

std::optional<Milliseconds> PostgresStore::NextHookDeliveryIn(TimePoint now) {
    auto conn = pool_->Acquire();
    Params p;
    p.Time(now);
    const PgResult r = conn->Exec(
        "SELECT MIN(CASE WHEN d.lease_until IS NOT NULL AND d.lease_until >= herald_now_ms()"
        "                THEN d.lease_until - herald_now_ms() ELSE d.next_attempt_at - $1 END)"
        " FROM hook_deliveries d JOIN event_hooks h ON h.id = d.hook_id"
        " WHERE d.state = 'pending' AND h.is_active",
        p);
    if (r.empty() || r.IsNull(0, 0)) return std::nullopt;
    return Milliseconds{r.Int(0, 0)};
}

int64_t PostgresStore::PruneHookDeliveries(TimePoint before, int limit) {
    auto conn = pool_->Acquire();
    Params p;
    p.Time(before);
    p.Int(std::max(limit, 0));
    return conn
        ->Exec(
            "DELETE FROM hook_deliveries WHERE id IN (SELECT id FROM hook_deliveries"
            " WHERE state <> 'pending' AND finished_at < $1 ORDER BY id LIMIT $2)",
            p)
        .affected();
}

std::vector<HookDelivery> PostgresStore::ListHookDeliveries(AccountId account, EventHookId hook,
                                                            int limit) {
    auto conn = pool_->Acquire();
    Params p;
    p.Int(hook);
    p.Int(account);
    p.Int(std::max(limit, 0));
    const PgResult r = conn->Exec(std::string("SELECT ") + kDeliveryColumns +
                                      " FROM hook_deliveries d WHERE d.hook_id = $1"
                                      " AND d.account_id = $2 ORDER BY d.id DESC LIMIT $3",
                                  p);
    std::vector<HookDelivery> out;
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) out.push_back(ReadDelivery(Row{r, i}));
    return out;
}

}  // namespace herald::storage::postgres
