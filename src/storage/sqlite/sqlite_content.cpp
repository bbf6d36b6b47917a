// Content rows: create, read, list, and the versioned, field-targeted writes.

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "storage/sqlite/connection_pool.hpp"
#include "storage/sqlite/queries.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/sqlite/sqlite_rows.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace herald::storage::sqlite {

using Mode = Transaction::Mode;

Content SqliteStore::CreateContent(const Content& content) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kInsertContent));
    BindContent(q, content);
    if (!q.Step())
        throw StorageError("content's site " + std::to_string(content.site_id) +
                           " does not exist in account " + std::to_string(content.account_id));
    Content created = content;
    created.id = q.Int(0);
    created.version = 1;
    return created;
}

std::optional<Content> SqliteStore::GetContent(AccountId account, ContentId id) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kGetContent));
    q.BindInt(1, id).BindInt(2, account);
    if (!q.Step()) return std::nullopt;
    return ReadContent(q);
}

std::vector<Content> SqliteStore::ListContentChangedSince(AccountId account, SiteId site,
                                                          TimePoint since, ContentId after_id,
                                                          int limit) {
    // Walks the site's rows through content_account_site; fine for the few live streams a
    // server has open (an updated_at index would be the next step at scale).
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(std::string("SELECT ") + sql::kContentColumns +
                          " FROM content WHERE account_id = ?1 AND site_id = ?2"
                          " AND (updated_at > ?3 OR (updated_at = ?3 AND id > ?4))"
                          " ORDER BY updated_at, id LIMIT ?5"));
    q.BindInt(1, account).BindInt(2, site).BindTime(3, since).BindInt(4, after_id);
    q.BindInt(5, limit);
    std::vector<Content> out;
    while (q.Step()) out.push_back(ReadContent(q));
    return out;
}

int64_t SqliteStore::VisitContentPage(const ContentFilter& f,
                                      const std::function<void(const Content&)>& visit) {
    // The WHERE clause names only the filters present, so each combination gets its own
    // (cached) statement and the planner sees plain equalities it can match to an index.
    // The two statuses go in as literals, not parameters: partial indexes are defined on
    // them, and matching a bound value against an index's WHERE marks the parameter so
    // that every rebind expires the statement, i.e. a full re-prepare on each request.
    // Their text comes from our own enums (a handful of fixed words), so this is safe.
    std::string where = " WHERE account_id = ?1";
    if (f.site_id) where += " AND site_id = ?2";
    if (f.status) where += " AND status = '" + std::string(ToString(*f.status)) + "'";
    if (f.site_status) {
        where += " AND site_status = '" + std::string(ToString(*f.site_status)) + "'";
    }
    if (f.content_type) where += " AND content_type = ?5";
    if (f.cluster_id) where += " AND cluster_id = ?6";
    if (f.scheduled_after) where += " AND scheduled_publish_at >= ?7";
    if (f.scheduled_before) where += " AND scheduled_publish_at <= ?8";
    if (f.published_after) where += " AND published_at >= ?11";
    if (f.published_before) where += " AND published_at <= ?12";
    auto bind = [&f](Query& q) {
        q.BindInt(1, f.account_id);
        if (f.site_id) q.BindInt(2, *f.site_id);
        if (f.content_type) q.BindText(5, *f.content_type);
        if (f.cluster_id) q.BindInt(6, *f.cluster_id);
        if (f.scheduled_after) q.BindTime(7, *f.scheduled_after);
        if (f.scheduled_before) q.BindTime(8, *f.scheduled_before);
        if (f.published_after) q.BindTime(11, *f.published_after);
        if (f.published_before) q.BindTime(12, *f.published_before);
    };
    // SQLite sorts NULL first ascending (unscheduled items lead with kScheduledAsc).
    const char* order = " ORDER BY id";
    switch (f.ordering) {
        case ContentOrder::kIdAsc:
            order = " ORDER BY id";
            break;
        case ContentOrder::kIdDesc:
            order = " ORDER BY id DESC";
            break;
        case ContentOrder::kScheduledAsc:
            order = " ORDER BY scheduled_publish_at, id";
            break;
        case ContentOrder::kScheduledDesc:
            order = " ORDER BY scheduled_publish_at DESC, id DESC";
            break;
    }
    const PageWindow window = Window(f.page);

    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kDeferred);  // count and page from one snapshot
    // The page first: its first step takes the snapshot the count must match.
    int64_t rows = 0;
    {
        Query q(conn->Prepare(std::string("SELECT ") + sql::kContentColumns + " FROM content" +
                              where + order + " LIMIT ?9 OFFSET ?10"));
        bind(q);
        q.BindInt(9, window.size).BindInt(10, window.offset);
        Content row;  // one object for the page: its strings keep their storage
        while (q.Step()) {
            ReadContentInto(q, row);
            visit(row);
            ++rows;
        }
    }
    int64_t count = 0;
    if (rows > 0 && rows < window.size) {
        count = window.offset + rows;  // the last page: nothing matches beyond it
    } else if (rows == 0 && window.offset == 0) {
        count = 0;
    } else {
        // A full page (or one past the end): COUNT(*), unless this connection counted the
        // same filter at the same data version, which proves nothing changed since.
        const std::string count_sql = "SELECT COUNT(*) FROM content" + where;
        std::string key = count_sql;
        for (const int64_t value : {f.account_id, f.site_id.value_or(0), f.cluster_id.value_or(0),
                                    f.scheduled_after ? ToUnixMillis(*f.scheduled_after) : 0,
                                    f.scheduled_before ? ToUnixMillis(*f.scheduled_before) : 0,
                                    f.published_after ? ToUnixMillis(*f.published_after) : 0,
                                    f.published_before ? ToUnixMillis(*f.published_before) : 0}) {
            key += '|';
            key += std::to_string(value);
        }
        if (f.content_type) {
            key += '|';
            key += *f.content_type;
        }
        const uint32_t version = conn->DataVersion();
        if (const auto cached = conn->CachedCount(key, version)) {
            count = *cached;
        } else {
            count = CountRows(*conn, count_sql, bind);
            conn->RememberCount(key, version, count);
        }
    }
    txn.Commit();
    return count;
}

namespace {

/// One statement per combination of column groups (cached like every statement).
std::string ContentUpdateSql(unsigned fields, const char* where) {
    std::string text = "UPDATE content SET";
    if (fields & kContentText) text += sql::kSetContentText;
    if (fields & kContentSite) text += sql::kSetContentSite;
    if (fields & kContentEditorial) text += sql::kSetContentEditorial;
    if (fields & kContentSchedule) text += sql::kSetContentSchedule;
    if (fields & (kContentSchedule | kContentEditorial)) text += sql::kSetContentHeld;
    text += sql::kSetContentAlways;
    text += where;
    return text;
}

}  // namespace

WriteResult SqliteStore::UpdateContent(const Content& content, int64_t expected_version,
                                       unsigned fields) {
    auto conn = pool_->Acquire();
    // IMMEDIATE: the "why not" read below must see the state the UPDATE missed.
    Transaction txn = conn->Begin(Mode::kImmediate);
    std::optional<int64_t> version;
    try {
        Query q(conn->Prepare(ContentUpdateSql(fields, sql::kWhereContentVersion)));
        BindContent(q, content);
        q.BindInt(":id", content.id).BindInt(":expected", expected_version);
        if (q.Step()) version = q.Int(0);
    } catch (const UniqueViolation&) {
        return {WriteOutcome::kSlotTaken, 0};
    }
    if (!version) return {MissOutcome(*conn, "content", content.account_id, content.id), 0};
    txn.Commit();
    return {WriteOutcome::kApplied, *version};
}

WriteOutcome SqliteStore::DeleteContent(AccountId account, ContentId id, int64_t expected_version) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    {
        Query q(conn->Prepare(sql::kDeleteContent));
        q.BindInt(1, id).BindInt(2, account).BindInt(3, expected_version);
        q.Run();
        if (q.Changes() > 0) {
            txn.Commit();
            return WriteOutcome::kApplied;
        }
    }
    return MissOutcome(*conn, "content", account, id);
}

}  // namespace herald::storage::sqlite
