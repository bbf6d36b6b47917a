// Planner I/O on PostgreSQL: the batch insert of an import (one transaction, one prepared
// statement sent in pipelined batches), the duplicate rule's candidates and the calendar
// feed's token.

#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/postgres/pg_rows.hpp"
#include "storage/postgres/postgres_store.hpp"

namespace herald::storage::postgres {
namespace {

constexpr size_t kPipelineBatch = 1000;  // rows per round trip

bool TakesInstant(const Content& c) {
    return c.scheduled_publish_at &&
           (c.site_status == SiteStatus::kScheduled || c.site_status == SiteStatus::kPublishing);
}

}  // namespace

Store::BatchCreateResult PostgresStore::CreateContentBatch(AccountId account, SiteId site,
                                                           std::span<const Content> items) {
    for (const Content& c : items) {
        if (c.account_id != account || c.site_id != site)
            throw StorageError("a batch of content must all be of one account's site");
    }
    const bool takes_instants = std::any_of(items.begin(), items.end(), TakesInstant);
    auto conn = pool_->Acquire();
    Transaction txn(*conn);
    {
        // Items that take an instant hold the site like every manual schedule does, so the
        // instants read below stay free until the commit.
        Params p;
        p.Int(site);
        p.Int(account);
        std::string sql = "SELECT 1 FROM sites WHERE id = $1 AND account_id = $2";
        sql += takes_instants ? " FOR UPDATE" : " FOR KEY SHARE";
        if (conn->Exec(sql, p).empty())
            throw StorageError("site " + std::to_string(site) + " does not exist in account " +
                               std::to_string(account));
    }
    BatchCreateResult result;
    if (takes_instants) {
        std::unordered_set<int64_t> taken;
        Params p;
        p.Int(site);
        const PgResult r = conn->Exec(
            "SELECT scheduled_publish_at FROM content WHERE site_id = $1"
            " AND site_status IN ('scheduled', 'publishing') AND scheduled_publish_at IS NOT NULL",
            p);
        for (int i = 0; i < r.rows(); ++i) taken.insert(r.Int(i, 0));
        for (size_t i = 0; i < items.size(); ++i) {
            if (!TakesInstant(items[i])) continue;
            if (!taken.insert(ToUnixMillis(*items[i].scheduled_publish_at)).second) {
                result.slot_taken = i;
                return result;  // rolls back
            }
        }
    }
    std::string sql;
    std::vector<Params> batch;
    batch.reserve(std::min(items.size(), kPipelineBatch));
    result.ids.reserve(items.size());
    const auto flush = [&] {
        for (const PgResult& r : conn->ExecPipelined(sql, batch)) result.ids.push_back(r.Int(0, 0));
        batch.clear();
    };
    for (const Content& c : items) {
        Params& p = batch.emplace_back();
        const std::string values = ContentInsertValues(p, c);
        if (sql.empty())
            sql = "INSERT INTO content (" + ContentInsertColumns() + ") VALUES (" + values +
                  ") RETURNING id";
        if (batch.size() == kPipelineBatch) flush();
    }
    if (!batch.empty()) flush();
    txn.Commit();
    return result;
}

std::vector<DuplicateCandidate> PostgresStore::ListDuplicateCandidates(AccountId account,
                                                                       SiteId site, TimePoint from,
                                                                       TimePoint to) {
    Params p;
    p.Int(account);
    p.Int(site);
    p.Time(from);
    p.Time(to);
    auto conn = pool_->Acquire();
    // The date as domain::DuplicateDate takes it.
    const PgResult r = conn->Exec(
        "SELECT id, title, slug, COALESCE(scheduled_publish_at, published_at, created_at)"
        " FROM content WHERE account_id = $1 AND site_id = $2"
        " AND COALESCE(scheduled_publish_at, published_at, created_at) BETWEEN $3 AND $4"
        " ORDER BY id",
        p);
    std::vector<DuplicateCandidate> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Time(i, 3)});
    return out;
}

bool PostgresStore::SetCalendarToken(AccountId account, SiteId site, std::string_view token_hash,
                                     TimePoint now) {
    Params p;
    p.Int(site);
    p.Text(token_hash);
    p.Time(now);
    p.Int(account);
    auto conn = pool_->Acquire();
    const PgResult r = conn->Exec(
        "INSERT INTO calendar_feed_tokens (site_id, token_hash, created_at)"
        " SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM sites WHERE id = $1 AND account_id = $4)"
        " ON CONFLICT (site_id) DO UPDATE SET token_hash = excluded.token_hash,"
        " created_at = excluded.created_at RETURNING site_id",
        p);
    return !r.empty();
}

bool PostgresStore::DeleteCalendarToken(AccountId account, SiteId site) {
    Params p;
    p.Int(site);
    p.Int(account);
    auto conn = pool_->Acquire();
    const PgResult r = conn->Exec(
        "DELETE FROM calendar_feed_tokens WHERE site_id = $1"
        " AND site_id IN (SELECT id FROM sites WHERE account_id = $2) RETURNING site_id",
        p);
    return !r.empty();
}

std::optional<Site> PostgresStore::FindSiteByCalendarToken(SiteId site,
                                                           std::string_view token_hash) {
    Params p;
    p.Int(site);
    p.Text(token_hash);
    auto conn = pool_->Acquire();
    const PgResult r =
        conn->Exec("SELECT " + SiteColumns() +
                       " FROM sites WHERE id = $1 AND EXISTS (SELECT 1 FROM"
                       " calendar_feed_tokens WHERE site_id = $1 AND token_hash = $2)",
                   p);
    if (r.empty()) return std::nullopt;
    return ReadSite(Row{r, 0});
}

}  // namespace herald::storage::postgres
