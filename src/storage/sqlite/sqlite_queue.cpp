// Queue operations and evergreen re-placement on SQLite: each reads a site's settings, items
// and calendar and writes its moves under the write lock, the way ScheduleSites does, so no
// other scheduler, queue operation or manual schedule takes a slot between the read and the
// write.

#include <algorithm>
#include <string>
#include <vector>

#include "domain/recurrence.hpp"
#include "storage/sqlite/connection_pool.hpp"
#include "storage/sqlite/queries.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/sqlite/sqlite_rows.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace herald::storage::sqlite {
namespace {

using Mode = Transaction::Mode;

struct SchedulingSite {
    Site site;
    PublishingSettings settings;
};

std::optional<SchedulingSite> ReadSchedulingSite(Connection& conn, SiteId id) {
    Query q(conn.Prepare(sql::kGetSchedulingSite));
    q.BindInt(1, id);
    if (!q.Step()) return std::nullopt;
    return SchedulingSite{ReadSite(q, sql::kSettingsColumnCount), ReadSettings(q, 0)};
}

// A move leaves `scheduled` first and takes its new instant second: moving A onto B's old
// instant before B has left it would break the one-item-per-instant index mid-way.
// ?1 id, ?2 version read, ?3 now.
constexpr const char* kLeaveSlot =
    "UPDATE content SET site_status = 'not_published', site_status_updated_at = ?3,"
    " updated_at = ?3, version = version + 1"
    " WHERE id = ?1 AND version = ?2 AND site_status = 'scheduled' AND pinned = 0";
// ?1 id, ?2 the new instant or NULL (no slot: stays not_published, unscheduled).
constexpr const char* kTakeSlot =
    "UPDATE content SET scheduled_publish_at = ?2,"
    " site_status = CASE WHEN ?2 IS NULL THEN 'not_published' ELSE 'scheduled' END"
    " WHERE id = ?1 AND site_status = 'not_published'";

}  // namespace

QueueOutcome SqliteStore::ReplanQueue(const QueueRequest& request, const QueuePlanner& plan) {
    QueueOutcome out;
    auto conn = pool_->Acquire();
    // A dry run writes nothing, so a read snapshot is enough for it.
    Transaction txn = conn->Begin(request.dry_run ? Mode::kDeferred : Mode::kImmediate);
    const auto site = ReadSchedulingSite(*conn, request.site);
    if (!site || site->site.account_id != request.account) {
        out.kind = QueueOutcome::Kind::kNotFound;
        return out;
    }
    std::vector<Content> items;
    {
        Query q(conn->Prepare(std::string("SELECT ") + sql::kContentColumns +
                              " FROM content WHERE site_id = ?1"
                              " AND site_status IN ('scheduled', 'publishing')"
                              " ORDER BY scheduled_publish_at, id"));
        q.BindInt(1, request.site);
        while (q.Step()) items.push_back(ReadContent(q));
    }
    const SiteCalendar calendar = ReadCalendar(*conn, request.site, request.calendar_from);
    auto planned = plan(QueueInput{site->site, site->settings, items, calendar.published});
    if (!planned) {
        out.kind = QueueOutcome::Kind::kRefused;
        out.error = planned.error();
        return out;
    }
    out.moves = std::move(*planned);
    if (request.dry_run || out.moves.empty()) {
        txn.Commit();
        return out;
    }
    auto version_of = [&](ContentId id) -> std::optional<int64_t> {
        for (const Content& c : items)
            if (c.id == id) return c.version;
        return std::nullopt;
    };
    sqlite3_stmt* leave = conn->Prepare(kLeaveSlot);
    for (const domain::QueueMove& m : out.moves) {
        const auto version = version_of(m.id);
        Query q(leave);
        q.BindInt(1, m.id).BindInt(2, version.value_or(-1)).BindTime(3, request.now);
        q.Run();
        if (q.Changes() != 1) {  // the Transaction's destructor rolls back
            out.kind = QueueOutcome::Kind::kConflict;
            out.moves.clear();
            return out;
        }
    }
    sqlite3_stmt* take = conn->Prepare(kTakeSlot);
    for (const domain::QueueMove& m : out.moves) {
        Query q(take);
        q.BindInt(1, m.id).BindOptTime(2, m.to);
        q.Run();
    }
    txn.Commit();
    return out;
}

std::optional<TimePoint> PlaceRecurringAgain(Connection& conn, const Content& published) {
    const TimePoint now = published.updated_at;  // the settle's time
    const auto site = ReadSchedulingSite(conn, published.site_id);
    if (!site || !site->site.is_active) return std::nullopt;
    const SiteCalendar calendar = ReadCalendar(conn, published.site_id, now - kCalendarLookBack);
    const auto next =
        domain::PlanNextOccurrence(published, site->settings, site->site.timezone, calendar, now);
    if (!next || !next->at) return std::nullopt;
    const Content again = domain::Recur(published, *next->at, now);
    Query q(conn.Prepare(std::string("UPDATE content SET") + sql::kSetContentSchedule +
                         sql::kSetContentAlways + " WHERE id = :id AND site_status = 'published'"));
    BindContent(q, again);
    q.BindInt(":id", again.id);
    q.Run();
    return q.Changes() == 1 ? next->at : std::nullopt;
}

}  // namespace herald::storage::sqlite
