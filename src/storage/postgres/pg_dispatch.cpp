// The dispatcher's side of the store: the claim of one item (publish now), settling attempts
// under the claim token, and giving claims back. The claim of due items, lease renewals and
// the next wake-up (leases on the server's clock, per-site caps) are in pg_cluster.cpp.

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "domain/missed_slot.hpp"
#include "storage/health_writes.hpp"
#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/postgres/pg_rows.hpp"
#include "storage/postgres/postgres_store.hpp"

namespace herald::storage::postgres {
namespace {

/// One settle as one statement: the schedule columns only (the rest of the row is the
/// editors'), and only while the claim is held; the record is inserted only if the row was.
std::string FinishSql(Params& p, const FinishedAttempt& attempt, std::string_view claim_token) {
    const Content& c = attempt.content;
    const PublishRecord& r = attempt.record;
    std::string sql = "WITH settled AS (UPDATE content SET " + ContentSet(p, c, kContentSchedule);
    sql += " WHERE id = " + p.Int(c.id);
    sql += " AND account_id = " + p.Int(c.account_id);
    sql += " AND site_status = 'publishing' AND claim_token = " + p.Text(claim_token);
    sql +=
        " RETURNING id) INSERT INTO publish_records (content_id, site_id, account_id,"
        " attempt, started_at, finished_at, outcome, http_status, error, external_id,"
        " external_url, due_at) SELECT settled.id";
    // Casts: a parameter in a SELECT list has no column to take its type from.
    sql += ", " + p.Int(c.site_id) + "::bigint";
    sql += ", " + p.Int(c.account_id) + "::bigint";
    sql += ", " + p.Int(r.attempt) + "::integer";
    sql += ", " + p.Time(r.started_at) + "::bigint";
    sql += ", " + p.Time(r.finished_at) + "::bigint";
    sql += ", " + p.Text(ToString(r.outcome)) + "::text";
    sql += ", " + p.OptInt(r.http_status ? std::optional<int64_t>(*r.http_status) : std::nullopt) +
           "::integer";
    sql += ", " + p.Text(r.error) + "::text";
    sql += ", " + p.Text(r.external_id) + "::text";
    sql += ", " + p.Text(r.external_url) + "::text";
    sql += ", " + p.OptTime(r.due_at) + "::bigint";
    sql += " FROM settled RETURNING id";
    return sql;
}

}  // namespace

std::optional<Result<ClaimedItem>> PostgresStore::ClaimOne(AccountId account, ContentId id,
                                                           std::string_view claim_token,
                                                           TimePoint now, TimePoint lease_until) {
    if (claim_token.empty()) throw StorageError("ClaimOne needs a non-empty claim token");
    auto conn = pool_->Acquire();
    Transaction txn(*conn, kBeginDispatch);
    std::optional<Content> before;
    {
        Params p;
        p.Int(id);
        p.Int(account);
        const PgResult r = conn->Exec("SELECT " + ContentColumns() +
                                          " FROM content WHERE id = $1 AND account_id = $2"
                                          " FOR UPDATE",
                                      p);
        if (r.empty()) return std::nullopt;
        before = ReadContent(Row{r, 0});
    }
    if (before->site_status == SiteStatus::kPublishing)
        return Result<ClaimedItem>(Error::Conflict(
            "already_publishing", "This content is being published right now.", "site_status"));
    if (before->status != EditorialStatus::kApproved)
        return Result<ClaimedItem>(
            Error::Conflict("not_approved", "Only approved content can be published.", "status"));
    std::optional<Site> site;
    {
        Params p;
        p.Int(before->site_id);
        const PgResult r = conn->Exec("SELECT " + SiteColumns() + " FROM sites WHERE id = $1", p);
        if (r.empty()) throw StorageError("content has no site");
        site = ReadSite(Row{r, 0});
    }
    if (!site->is_active)
        return Result<ClaimedItem>(Error::Conflict(
            "site_inactive", "The site is inactive; activate it to publish.", "site_id"));
    if (site->health.health == domain::SiteHealth::kPaused)
        return Result<ClaimedItem>(Error::Conflict(
            "site_paused",
            "The site is paused (" + site->health.reason + "); resume it to publish.", "site_id"));
    Params p;
    p.Int(id);
    p.Text(claim_token);
    p.Time(lease_until);
    p.Time(now);
    // ClaimOne is publish-now: a person's decision, which may end a hold.
    p.Bool(before->held && !domain::EndsHold(domain::PersonAction::kPublishNow));
    std::optional<Content> after;
    try {
        const PgResult r = conn->Exec(
            std::string("UPDATE content SET site_status = 'publishing', claim_token = $2,"
                        " lease_until = $3, attempts = content.attempts + 1, publication_id = ") +
                kNewPublicationId +
                ", held = $5, site_status_updated_at = $4, updated_at = $4,"
                " version = content.version + 1 WHERE id = $1 RETURNING " +
                ContentColumns(),
            p);
        if (r.empty()) throw StorageError("claim of a locked row changed nothing");
        after = ReadContent(Row{r, 0});
    } catch (const PgError& e) {
        // A failed or published item keeps its old instant; another may hold it now.
        if (!e.unique_violation()) throw;
        return Result<ClaimedItem>(Error::Conflict(
            "slot_taken", "Another item of the site is scheduled at this item's time.",
            "scheduled_publish_at"));
    }
    txn.Commit();
    return Result<ClaimedItem>(ClaimedItem{std::move(*after), std::move(*site), before->DueAt()});
}

namespace {

// $1 sites. Columns: id, account_id, name, health, reason, since, failures, probe_at.
constexpr const char* kSiteHealthSql =
    "SELECT id, account_id, name, health, health_reason, health_since, health_failures,"
    " probe_at FROM sites WHERE id = ANY($1::bigint[]) ORDER BY id";

std::map<SiteId, SiteHealthRow> LoadHealth(Connection& conn, const std::vector<SiteId>& sites,
                                           bool lock) {
    Params p;
    p.IntArray(sites);
    const PgResult r = conn.Exec(std::string(kSiteHealthSql) + (lock ? " FOR UPDATE" : ""), p);
    std::map<SiteId, SiteHealthRow> rows;
    for (int i = 0; i < r.rows(); ++i) {
        SiteHealthRow row;
        row.account_id = r.Int(i, 1);
        row.name = r.Text(i, 2);
        row.state.health =
            domain::ParseSiteHealth(r.Text(i, 3)).value_or(domain::SiteHealth::kHealthy);
        row.state.reason = r.Text(i, 4);
        row.state.since = r.OptTime(i, 5);
        row.state.transient_failures = static_cast<int>(r.Int(i, 6));
        row.state.probe_at = r.OptTime(i, 7);
        rows.emplace(r.Int(i, 0), std::move(row));
    }
    return rows;
}

void StoreHealth(Connection& conn, SiteId site, const domain::SiteHealthState& state, bool visible,
                 std::optional<TimePoint> recovered_at) {
    Params p;
    p.Int(site);
    p.Text(domain::ToString(state.health));
    p.Text(state.reason);
    p.OptTime(state.since);
    p.Int(state.transient_failures);
    p.OptTime(state.probe_at);
    p.Int(visible ? 1 : 0);
    conn.Exec(
        "UPDATE sites SET health = $2, health_reason = $3, health_since = $4,"
        " health_failures = $5, probe_at = $6, version = version + $7 WHERE id = $1",
        p);
    if (recovered_at) {
        Params q;
        q.Int(site);
        q.Time(*recovered_at);
        conn.Exec(
            "UPDATE content SET next_attempt_at = $2, updated_at = $2,"
            " version = version + 1"
            " WHERE site_id = $1 AND site_status = 'scheduled' AND next_attempt_at > $2",
            q);
    }
}

}  // namespace

FinishResult PostgresStore::FinishAttempts(std::span<const FinishedAttempt> attempts,
                                           std::string_view claim_token,
                                           const domain::HealthPolicy& policy) {
    FinishResult result;
    result.record_ids.resize(attempts.size());
    if (attempts.empty() || claim_token.empty()) return result;
    // In id order, so two batches that share rows lock them in the same order.
    std::vector<size_t> order(attempts.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return attempts[a].content.id < attempts[b].content.id;
    });
    std::string sql;
    std::vector<Params> params(attempts.size());
    for (size_t k = 0; k < order.size(); ++k) {
        const std::string text = FinishSql(params[k], attempts[order[k]], claim_token);
        if (k == 0) sql = text;  // every attempt builds the same text
    }
    auto conn = pool_->Acquire();
    // One transaction for the batch (a commit, and its WAL flush, per attempt would cap the
    // dispatcher far below what the network delivers), and one round trip for it.
    Transaction txn(*conn, kBeginDispatch);
    const std::vector<PgResult> results = conn->ExecPipelined(sql, params);
    for (size_t k = 0; k < order.size(); ++k) {
        if (!results[k].empty()) result.record_ids[order[k]] = results[k].Int(0, 0);
    }
    PlaceRecurringAgain(*conn, attempts, result.record_ids);
    // Sites whose health changes are locked in id order (FOR UPDATE ... ORDER BY id), after
    // their items: every path that locks a site and then its items (scheduling) never holds
    // an item a settle waits for, since claimed items are only written under their claim.
    result.health = ApplyHealthSignals(
        attempts, result.record_ids, policy,
        [&](const std::vector<SiteId>& sites, bool lock) { return LoadHealth(*conn, sites, lock); },
        [&](SiteId site, const domain::SiteHealthState& state, bool visible,
            std::optional<TimePoint> recovered_at) {
            StoreHealth(*conn, site, state, visible, recovered_at);
        });
    txn.Commit();
    return result;
}

std::optional<SiteHealthUpdate> PostgresStore::ResumeSite(AccountId account, SiteId site,
                                                          TimePoint now) {
    auto conn = pool_->Acquire();
    Transaction txn(*conn);
    const auto rows = LoadHealth(*conn, {site}, /*lock=*/true);
    const auto it = rows.find(site);
    if (it == rows.end() || it->second.account_id != account) return std::nullopt;
    SiteHealthUpdate update = ApplyResume(site, it->second, now,
                                          [&](SiteId id, const domain::SiteHealthState& state,
                                              bool visible, std::optional<TimePoint> recovered_at) {
                                              StoreHealth(*conn, id, state, visible, recovered_at);
                                          });
    txn.Commit();
    return update;
}

namespace {

/// Back to `scheduled`; `keep_attempt` (abandon) leaves the attempt counted, since the call may
/// have reached the target, where a release (never started) takes it back.
void GiveBackClaims(ConnectionPool& pool, std::span<const ContentId> ids,
                    std::string_view claim_token, TimePoint now, bool keep_attempt) {
    if (ids.empty() || claim_token.empty()) return;
    Params p;
    p.IntArray(ids);
    p.Text(claim_token);
    p.Time(now);
    auto conn = pool.Acquire();
    conn->Exec(std::string("UPDATE content SET site_status = 'scheduled',") +
                   (keep_attempt ? "" : " attempts = GREATEST(attempts - 1, 0),") +
                   " claim_token = '', lease_until = NULL, site_status_updated_at = $3,"
                   " updated_at = $3, version = version + 1"
                   " WHERE id = ANY($1::bigint[]) AND claim_token = $2"
                   " AND site_status = 'publishing'",
               p);
}

}  // namespace

void PostgresStore::ReleaseClaims(std::span<const ContentId> ids, std::string_view claim_token,
                                  TimePoint now) {
    GiveBackClaims(*pool_, ids, claim_token, now, /*keep_attempt=*/false);
}

void PostgresStore::AbandonClaims(std::span<const ContentId> ids, std::string_view claim_token,
                                  TimePoint now) {
    GiveBackClaims(*pool_, ids, claim_token, now, /*keep_attempt=*/true);
}

std::vector<std::string> PostgresStore::ListClaimTokens() {
    auto conn = pool_->Acquire();
    const PgResult r = conn->Exec(
        "SELECT DISTINCT claim_token FROM content"
        " WHERE site_status = 'publishing' AND claim_token <> ''");
    std::vector<std::string> tokens;
    tokens.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) tokens.push_back(r.Text(i, 0));
    return tokens;
}

int64_t PostgresStore::ExpireClaims(std::span<const std::string> tokens) {
    if (tokens.empty()) return 0;
    Params p;
    p.TextArray(tokens);
    auto conn = pool_->Acquire();
    // lease_until 0 is long past: the next Claim takes the items, NextWorkIn says "now".
    return conn
        ->Exec(
            "UPDATE content SET lease_until = 0, version = version + 1"
            " WHERE site_status = 'publishing' AND claim_token = ANY($1::text[])"
            " AND claim_token <> ''",
            p)
        .affected();
}

}  // namespace herald::storage::postgres
