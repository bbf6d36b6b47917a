// The dispatcher's side of the store: the claim of one item (publish now), settling attempts
// under the claim token, and giving claims back. The claim of due items, lease renewals and
// the next wake-up (leases on the shared clock, per-site caps) are in sqlite_cluster.cpp.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/missed_slot.hpp"
#include "storage/health_writes.hpp"
#include "storage/sqlite/connection_pool.hpp"
#include "storage/sqlite/queries.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/sqlite/sqlite_rows.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace herald::storage::sqlite {

using Mode = Transaction::Mode;

std::optional<Result<ClaimedItem>> SqliteStore::ClaimOne(AccountId account, ContentId id,
                                                         std::string_view claim_token,
                                                         TimePoint now, TimePoint lease_until) {
    if (claim_token.empty()) throw StorageError("ClaimOne needs a non-empty claim token");
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    std::optional<Content> before;
    {
        Query q(conn->Prepare(sql::kGetContent));
        q.BindInt(1, id).BindInt(2, account);
        if (!q.Step()) return std::nullopt;
        before = ReadContent(q);
    }
    if (before->site_status == SiteStatus::kPublishing)
        return Result<ClaimedItem>(Error::Conflict(
            "already_publishing", "This content is being published right now.", "site_status"));
    if (before->status != EditorialStatus::kApproved)
        return Result<ClaimedItem>(
            Error::Conflict("not_approved", "Only approved content can be published.", "status"));
    auto site = LoadSiteById(*conn, before->site_id);
    if (!site) throw StorageError("content has no site");
    if (!site->is_active)
        return Result<ClaimedItem>(Error::Conflict(
            "site_inactive", "The site is inactive; activate it to publish.", "site_id"));
    if (site->health.health == domain::SiteHealth::kPaused)
        return Result<ClaimedItem>(Error::Conflict(
            "site_paused",
            "The site is paused (" + site->health.reason + "); resume it to publish.", "site_id"));
    {
        Query q(conn->Prepare(sql::kClaimOne));
        q.BindInt(1, id)
            .BindText(2, claim_token)
            .BindTime(3, lease_until)
            .BindTime(4, now)
            .BindText(5, ToString(before->site_status))
            // ClaimOne is publish-now: a person's decision, which may end a hold.
            .BindInt(6, before->held && !domain::EndsHold(domain::PersonAction::kPublishNow));
        q.Run();
        if (q.Changes() != 1) throw StorageError("claim of a locked row changed nothing");
    }
    auto after = LoadContentById(*conn, id);
    txn.Commit();
    return Result<ClaimedItem>(ClaimedItem{std::move(*after), std::move(*site), before->DueAt()});
}

namespace {

// A settle writes the schedule columns only: the rest of the row is the editors'.
const std::string kFinishSql = [] {
    return std::string("UPDATE content SET") + sql::kSetContentSchedule + sql::kSetContentAlways +
           sql::kWhereContentClaimed;
}();

/// The claimed update and the record insert of one attempt, inside the caller's transaction.
std::optional<RecordId> FinishOne(Connection& conn, const Content& content,
                                  std::string_view claim_token, const PublishRecord& record) {
    {
        Query q(conn.Prepare(kFinishSql));
        BindContent(q, content);
        q.BindInt(":id", content.id).BindText(":expected", claim_token);
        q.Run();
        if (q.Changes() == 0) return std::nullopt;  // the claim was lost: write nothing
    }
    Query q(conn.Prepare(sql::kInsertRecord));
    q.BindInt(1, content.id)
        .BindInt(2, content.site_id)
        .BindInt(3, content.account_id)
        .BindInt(4, record.attempt)
        .BindTime(5, record.started_at)
        .BindTime(6, record.finished_at)
        .BindText(7, ToString(record.outcome))
        .BindOptInt(8,
                    record.http_status ? std::optional<int64_t>(*record.http_status) : std::nullopt)
        .BindText(9, record.error)
        .BindText(10, record.external_id)
        .BindText(11, record.external_url)
        .BindOptTime(12, record.due_at);
    if (!q.Step()) throw StorageError("record insert returned no id");
    return q.Int(0);
}

std::optional<SiteHealthRow> LoadHealth(Connection& conn, SiteId site) {
    Query q(conn.Prepare(sql::kGetSiteHealth));
    q.BindInt(1, site);
    if (!q.Step()) return std::nullopt;
    SiteHealthRow row;
    row.account_id = q.Int(0);
    row.name = q.Text(1);
    const std::string health = q.Text(2);
    row.state.health = domain::ParseSiteHealth(health).value_or(domain::SiteHealth::kHealthy);
    row.state.reason = q.Text(3);
    row.state.since = q.OptTime(4);
    row.state.transient_failures = static_cast<int>(q.Int(5));
    row.state.probe_at = q.OptTime(6);
    return row;
}

void StoreHealth(Connection& conn, SiteId site, const domain::SiteHealthState& state, bool visible,
                 std::optional<TimePoint> recovered_at) {
    {
        Query q(conn.Prepare(sql::kSetSiteHealth));
        q.BindInt(1, site)
            .BindText(2, domain::ToString(state.health))
            .BindText(3, state.reason)
            .BindOptTime(4, state.since)
            .BindInt(5, state.transient_failures)
            .BindOptTime(6, state.probe_at)
            .BindInt(7, visible ? 1 : 0);
        q.Run();
    }
    if (recovered_at) {
        Query q(conn.Prepare(sql::kBringRetriesForward));
        q.BindInt(1, site).BindTime(2, *recovered_at);
        q.Run();
    }
}

}  // namespace

FinishResult SqliteStore::FinishAttempts(std::span<const FinishedAttempt> attempts,
                                         std::string_view claim_token,
                                         const domain::HealthPolicy& policy) {
    FinishResult result;
    if (attempts.empty()) return result;
    result.record_ids.reserve(attempts.size());
    // One transaction for the batch: a commit per attempt would cap the dispatcher at the
    // rate SQLite can commit, far below what the network can deliver.
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    for (const auto& a : attempts) {
        result.record_ids.push_back(FinishOne(*conn, a.content, claim_token, a.record));
        // The write lock is held, so the calendar read here stays true until the commit.
        if (result.record_ids.back() && a.content.site_status == SiteStatus::kPublished &&
            a.content.recurrence)
            PlaceRecurringAgain(*conn, a.content);
    }
    // The write lock is held: each site's health is read and written by one writer at a time.
    result.health = ApplyHealthSignals(
        attempts, result.record_ids, policy,
        [&](const std::vector<SiteId>& sites, bool) {
            std::map<SiteId, SiteHealthRow> rows;
            for (SiteId site : sites)
                if (auto row = LoadHealth(*conn, site)) rows.emplace(site, std::move(*row));
            return rows;
        },
        [&](SiteId site, const domain::SiteHealthState& state, bool visible,
            std::optional<TimePoint> recovered_at) {
            StoreHealth(*conn, site, state, visible, recovered_at);
        });
    txn.Commit();
    return result;
}

std::optional<SiteHealthUpdate> SqliteStore::ResumeSite(AccountId account, SiteId site,
                                                        TimePoint now) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    const std::optional<SiteHealthRow> row = LoadHealth(*conn, site);
    if (!row || row->account_id != account) return std::nullopt;
    SiteHealthUpdate update = ApplyResume(site, *row, now,
                                          [&](SiteId id, const domain::SiteHealthState& state,
                                              bool visible, std::optional<TimePoint> recovered_at) {
                                              StoreHealth(*conn, id, state, visible, recovered_at);
                                          });
    txn.Commit();
    return update;
}

std::vector<std::string> SqliteStore::ListClaimTokens() {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kListClaimTokens));
    std::vector<std::string> tokens;
    while (q.Step()) tokens.push_back(q.Text(0));
    return tokens;
}

int64_t SqliteStore::ExpireClaims(std::span<const std::string> tokens) {
    if (tokens.empty()) return 0;
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    int64_t expired = 0;
    sqlite3_stmt* stmt = conn->Prepare(sql::kExpireClaims);
    for (const std::string& token : tokens) {
        Query q(stmt);
        q.BindText(1, token);
        q.Run();
        expired += q.Changes();
    }
    txn.Commit();
    return expired;
}

namespace {

/// Release and abandon differ only in their statement (?1 id, ?2 claim token, ?3 now).
void GiveBackClaims(ConnectionPool& pool, const char* sql, std::span<const ContentId> ids,
                    std::string_view claim_token, TimePoint now) {
    if (ids.empty()) return;
    auto conn = pool.Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    sqlite3_stmt* stmt = conn->Prepare(sql);
    for (ContentId id : ids) {
        Query q(stmt);
        q.BindInt(1, id).BindText(2, claim_token).BindTime(3, now);
        q.Run();
    }
    txn.Commit();
}

}  // namespace

void SqliteStore::AbandonClaims(std::span<const ContentId> ids, std::string_view claim_token,
                                TimePoint now) {
    GiveBackClaims(*pool_, sql::kAbandonClaim, ids, claim_token, now);
}

void SqliteStore::ReleaseClaims(std::span<const ContentId> ids, std::string_view claim_token,
                                TimePoint now) {
    GiveBackClaims(*pool_, sql::kReleaseClaim, ids, claim_token, now);
}

}  // namespace herald::storage::sqlite
