// Planner I/O on SQLite: the batch insert of an import (one IMMEDIATE transaction, one cached
// statement run per row), the duplicate rule's candidates and the calendar feed's token.

#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/sqlite/connection_pool.hpp"
#include "storage/sqlite/queries.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/sqlite/sqlite_rows.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace herald::storage::sqlite {
namespace {

using Mode = Transaction::Mode;

bool TakesInstant(const Content& c) {
    return c.scheduled_publish_at &&
           (c.site_status == SiteStatus::kScheduled || c.site_status == SiteStatus::kPublishing);
}

// The site is checked once for the whole batch (under the write lock), so the rows go in
// without kInsertContent's per-row EXISTS.
std::string InsertContentRowSql() {
    return std::string("INSERT INTO content (") + sql::kContentInsertColumns + ") VALUES (" +
           sql::kContentInsertValues + ") RETURNING id";
}

}  // namespace

Store::BatchCreateResult SqliteStore::CreateContentBatch(AccountId account, SiteId site,
                                                         std::span<const Content> items) {
    for (const Content& c : items) {
        if (c.account_id != account || c.site_id != site)
            throw StorageError("a batch of content must all be of one account's site");
    }
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    {
        Query q(conn->Prepare("SELECT 1 FROM sites WHERE id = ?1 AND account_id = ?2"));
        q.BindInt(1, site).BindInt(2, account);
        if (!q.Step())
            throw StorageError("site " + std::to_string(site) + " does not exist in account " +
                               std::to_string(account));
    }
    BatchCreateResult result;
    // The write lock is held: the instants read here stay taken or free until the commit.
    std::unordered_set<int64_t> taken;
    {
        std::optional<int64_t> lo, hi;
        for (const Content& c : items) {
            if (!TakesInstant(c)) continue;
            const int64_t at = ToUnixMillis(*c.scheduled_publish_at);
            lo = std::min(lo.value_or(at), at);
            hi = std::max(hi.value_or(at), at);
        }
        if (lo) {
            Query q(
                conn->Prepare("SELECT scheduled_publish_at FROM content WHERE site_id = ?1"
                              " AND site_status IN ('scheduled', 'publishing')"
                              " AND scheduled_publish_at BETWEEN ?2 AND ?3"));
            q.BindInt(1, site).BindInt(2, *lo).BindInt(3, *hi);
            while (q.Step()) taken.insert(q.Int(0));
        }
    }
    for (size_t i = 0; i < items.size(); ++i) {
        if (!TakesInstant(items[i])) continue;
        if (!taken.insert(ToUnixMillis(*items[i].scheduled_publish_at)).second) {
            result.slot_taken = i;
            return result;  // rolls back (nothing was inserted yet)
        }
    }
    result.ids.reserve(items.size());
    sqlite3_stmt* insert = conn->Prepare(InsertContentRowSql());
    for (const Content& c : items) {
        Query q(insert);
        BindContent(q, c);
        if (!q.Step()) throw StorageError("inserting imported content returned no id");
        result.ids.push_back(q.Int(0));
    }
    txn.Commit();
    return result;
}

std::vector<DuplicateCandidate> SqliteStore::ListDuplicateCandidates(AccountId account, SiteId site,
                                                                     TimePoint from, TimePoint to) {
    auto conn = pool_->Acquire();
    // The date as domain::DuplicateDate takes it.
    Query q(conn->Prepare(
        "SELECT id, title, slug, COALESCE(scheduled_publish_at, published_at, created_at)"
        " FROM content WHERE account_id = ?1 AND site_id = ?2"
        " AND COALESCE(scheduled_publish_at, published_at, created_at) BETWEEN ?3 AND ?4"
        " ORDER BY id"));
    q.BindInt(1, account).BindInt(2, site).BindTime(3, from).BindTime(4, to);
    std::vector<DuplicateCandidate> out;
    while (q.Step()) out.push_back({q.Int(0), q.Text(1), q.Text(2), q.Time(3)});
    return out;
}

bool SqliteStore::SetCalendarToken(AccountId account, SiteId site, std::string_view token_hash,
                                   TimePoint now) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(
        "INSERT INTO calendar_feed_tokens (site_id, token_hash, created_at)"
        " SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM sites WHERE id = ?1 AND account_id = ?4)"
        " ON CONFLICT (site_id) DO UPDATE SET token_hash = excluded.token_hash,"
        " created_at = excluded.created_at"));
    q.BindInt(1, site).BindText(2, token_hash).BindTime(3, now).BindInt(4, account);
    q.Run();
    return q.Changes() > 0;
}

bool SqliteStore::DeleteCalendarToken(AccountId account, SiteId site) {
    auto conn = pool_->Acquire();
    Query q(
        conn->Prepare("DELETE FROM calendar_feed_tokens WHERE site_id = ?1"
                      " AND site_id IN (SELECT id FROM sites WHERE account_id = ?2)"));
    q.BindInt(1, site).BindInt(2, account);
    q.Run();
    return q.Changes() > 0;
}

std::optional<Site> SqliteStore::FindSiteByCalendarToken(SiteId site, std::string_view token_hash) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(std::string(sql::kGetSiteById) +
                          " AND EXISTS (SELECT 1 FROM calendar_feed_tokens"
                          " WHERE site_id = ?1 AND token_hash = ?2)"));
    q.BindInt(1, site).BindText(2, token_hash);
    if (!q.Step()) return std::nullopt;
    return ReadSite(q);
}

}  // namespace herald::storage::sqlite
