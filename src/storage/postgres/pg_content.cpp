// Content rows: create, read, list, and the versioned, field-targeted writes.

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/postgres/pg_rows.hpp"
#include "storage/postgres/postgres_store.hpp"

namespace herald::storage::postgres {
namespace {

bool TakesInstant(const Content& c) {
    return c.scheduled_publish_at &&
           (c.site_status == SiteStatus::kScheduled || c.site_status == SiteStatus::kPublishing);
}

}  // namespace

Content PostgresStore::CreateContent(const Content& content) {
    auto conn = pool_->Acquire();
    Transaction txn(*conn);
    {
        // The site must exist in the account and stay while the row goes in; one that takes
        // an instant on the calendar holds the site like every manual schedule.
        Params p;
        p.Int(content.site_id);
        p.Int(content.account_id);
        std::string sql = "SELECT 1 FROM sites WHERE id = $1 AND account_id = $2";
        sql += TakesInstant(content) ? " FOR UPDATE" : " FOR KEY SHARE";
        if (conn->Exec(sql, p).empty())
            throw StorageError("content's site " + std::to_string(content.site_id) +
                               " does not exist in account " + std::to_string(content.account_id));
    }
    Params p;
    const std::string values = ContentInsertValues(p, content);
    Content created = content;
    try {
        const PgResult r = conn->Exec("INSERT INTO content (" + ContentInsertColumns() +
                                          ") VALUES (" + values + ") RETURNING id, version",
                                      p);
        created.id = r.Int(0, 0);
        created.version = r.Int(0, 1);
    } catch (const PgError& e) {
        if (!e.unique_violation()) throw;
        throw StorageError(
            "content cannot be created scheduled at an instant another item of "
            "site " +
            std::to_string(content.site_id) + " holds");
    }
    txn.Commit();
    return created;
}

std::optional<Content> PostgresStore::GetContent(AccountId account, ContentId id) {
    Params p;
    p.Int(id);
    p.Int(account);
    auto conn = pool_->Acquire();
    const PgResult r = conn->Exec(
        "SELECT " + ContentColumns() + " FROM content WHERE id = $1 AND account_id = $2", p);
    if (r.empty()) return std::nullopt;
    return ReadContent(Row{r, 0});
}

std::vector<Content> PostgresStore::ListContentChangedSince(AccountId account, SiteId site,
                                                            TimePoint since, ContentId after_id,
                                                            int limit) {
    Params p;
    p.Int(account);
    p.Int(site);
    p.Time(since);
    p.Int(after_id);
    p.Int(limit);
    auto conn = pool_->Acquire();
    const PgResult r = conn->Exec("SELECT " + ContentColumns() +
                                      " FROM content WHERE account_id = $1 AND site_id = $2"
                                      " AND (updated_at > $3 OR (updated_at = $3 AND id > $4))"
                                      " ORDER BY updated_at, id LIMIT $5",
                                  p);
    std::vector<Content> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(ReadContent(Row{r, i}));
    return out;
}

namespace {

/// SQLite's order: NULL sorts first ascending and last descending (PostgreSQL's default is
/// the other way round).
std::string OrderBy(ContentOrder ordering, std::string_view alias) {
    const std::string a(alias);
    switch (ordering) {
        case ContentOrder::kIdDesc:
            return " ORDER BY " + a + "id DESC";
        case ContentOrder::kScheduledAsc:
            return " ORDER BY " + a + "scheduled_publish_at ASC NULLS FIRST, " + a + "id";
        case ContentOrder::kScheduledDesc:
            return " ORDER BY " + a + "scheduled_publish_at DESC NULLS LAST, " + a + "id DESC";
        case ContentOrder::kIdAsc:
            break;
    }
    return " ORDER BY " + a + "id";
}

}  // namespace

int64_t PostgresStore::VisitContentPage(const ContentFilter& f,
                                        const std::function<void(const Content&)>& visit) {
    // The WHERE clause names only the filters present (one cached statement per
    // combination); every value is a parameter.
    Params p;
    std::string where = " WHERE account_id = " + p.Int(f.account_id);
    if (f.site_id) where += " AND site_id = " + p.Int(*f.site_id);
    if (f.status) where += " AND status = " + p.Text(ToString(*f.status));
    if (f.site_status) where += " AND site_status = " + p.Text(ToString(*f.site_status));
    if (f.content_type) where += " AND content_type = " + p.Text(*f.content_type);
    if (f.cluster_id) where += " AND cluster_id = " + p.Int(*f.cluster_id);
    if (f.scheduled_after) where += " AND scheduled_publish_at >= " + p.Time(*f.scheduled_after);
    if (f.scheduled_before) where += " AND scheduled_publish_at <= " + p.Time(*f.scheduled_before);
    if (f.published_after) where += " AND published_at >= " + p.Time(*f.published_after);
    if (f.published_before) where += " AND published_at <= " + p.Time(*f.published_before);
    const std::string order = OrderBy(f.ordering, "");
    const PageWindow window = Window(f.page);

    // Count and page in one statement: one round trip, and one snapshot without a
    // transaction around it. The count is its own (index-only) scan; the page joins it
    // laterally, so an empty page still answers the count (page columns NULL).
    std::string sql = "SELECT c.n, page.* FROM (SELECT COUNT(*) AS n FROM content" + where +
                      ") c LEFT JOIN LATERAL (SELECT " + ContentColumns() + " FROM content" +
                      where + order;
    sql += " LIMIT " + p.Int(window.size);
    sql += " OFFSET " + p.Int(window.offset);
    // The nested loop keeps the page's order; the outer ORDER BY makes it a promise.
    const std::string outer_order = OrderBy(f.ordering, "page.");
    sql += ") page ON TRUE" + outer_order;
    auto conn = pool_->Acquire();
    const PgResult r = conn->Exec(sql, p);
    if (!r.IsNull(0, 1)) {
        for (int i = 0; i < r.rows(); ++i) visit(ReadContent(Row{r, i, 1}));
    }
    return r.Int(0, 0);
}

WriteResult PostgresStore::UpdateContent(const Content& content, int64_t expected_version,
                                         unsigned fields) {
    auto conn = pool_->Acquire();
    Transaction txn(*conn);
    // A write that may place the item on a calendar (its schedule, or its site) holds the
    // sites involved first, as the slot scheduler does while it reads that calendar.
    if (fields & (kContentSchedule | kContentSite)) {
        const SiteId target[] = {content.site_id};
        LockSites(*conn, content.account_id, target, content.id);
    }
    Params p;
    std::string sql = "UPDATE content SET " + ContentSet(p, content, fields);
    const std::string account = p.Int(content.account_id);
    sql += " WHERE id = " + p.Int(content.id);
    sql += " AND account_id = " + account;
    sql += " AND version = " + p.Int(expected_version);
    // The site must stay within the account.
    sql += " AND EXISTS (SELECT 1 FROM sites WHERE id = " + p.Int(content.site_id);
    sql += " AND account_id = " + account + ") RETURNING version";
    std::optional<int64_t> version;
    try {
        const PgResult r = conn->Exec(sql, p);
        if (!r.empty()) version = r.Int(0, 0);
    } catch (const PgError& e) {
        if (!e.unique_violation()) throw;
        return {WriteOutcome::kSlotTaken, 0};  // the guard rolls back: nothing changed
    }
    if (!version) return {MissOutcome(*conn, "content", content.account_id, content.id), 0};
    txn.Commit();
    return {WriteOutcome::kApplied, *version};
}

WriteOutcome PostgresStore::DeleteContent(AccountId account, ContentId id,
                                          int64_t expected_version) {
    Params p;
    p.Int(id);
    p.Int(account);
    p.Int(expected_version);
    auto conn = pool_->Acquire();
    // Records go by ON DELETE CASCADE.
    if (!conn->Exec("DELETE FROM content WHERE id = $1 AND account_id = $2 AND version = $3"
                    " RETURNING id",
                    p)
             .empty())
        return WriteOutcome::kApplied;
    return MissOutcome(*conn, "content", account, id);
}

}  // namespace herald::storage::postgres
