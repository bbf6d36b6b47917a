// Queue operations and evergreen re-placement on PostgreSQL. A queue operation holds its site
// by the row lock (FOR UPDATE) from the read of its settings, items and calendar to the commit
// of its moves, as ScheduleSites does; every path that places an item on a calendar takes the
// same lock first, so no slot is taken between the read and the write.

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "domain/recurrence.hpp"
#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/postgres/pg_rows.hpp"
#include "storage/postgres/postgres_store.hpp"

namespace herald::storage::postgres {
namespace {

struct SchedulingSite {
    Site site;
    PublishingSettings settings;
};

std::optional<SchedulingSite> ReadSchedulingSite(Connection& conn, SiteId id) {
    Params p;
    p.Int(id);
    const PgResult r = conn.Exec("SELECT " + SettingsColumns("p") + ", " + SiteColumns("s") +
                                     " FROM sites s JOIN publishing_settings p ON p.site_id = s.id"
                                     " WHERE s.id = $1",
                                 p);
    if (r.empty()) return std::nullopt;
    return SchedulingSite{ReadSite(Row{r, 0, kSettingsColumnCount}), ReadSettings(Row{r, 0})};
}

}  // namespace

QueueOutcome PostgresStore::ReplanQueue(const QueueRequest& request, const QueuePlanner& plan) {
    QueueOutcome out;
    auto conn = pool_->Acquire();
    // A dry run writes nothing, so it needs one snapshot but not the lock.
    Transaction txn(*conn,
                    request.dry_run ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
    if (!request.dry_run) {
        const std::array<SiteId, 1> ids = {request.site};
        LockSites(*conn, request.account, ids);
    }
    const auto site = ReadSchedulingSite(*conn, request.site);
    if (!site || site->site.account_id != request.account) {
        out.kind = QueueOutcome::Kind::kNotFound;
        return out;
    }
    std::vector<Content> items;
    {
        Params p;
        p.Int(request.site);
        const PgResult r = conn->Exec("SELECT " + ContentColumns() +
                                          " FROM content WHERE site_id = $1"
                                          " AND site_status IN ('scheduled', 'publishing')"
                                          " ORDER BY scheduled_publish_at, id",
                                      p);
        items.reserve(static_cast<size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) items.push_back(ReadContent(Row{r, i}));
    }
    const SiteCalendar calendar = ReadCalendar(*conn, request.site, request.calendar_from);
    auto planned = plan(QueueInput{site->site, site->settings, items, calendar.published});
    if (!planned) {
        out.kind = QueueOutcome::Kind::kRefused;
        out.error = planned.error();
        return out;
    }
    out.moves = std::move(*planned);
    if (request.dry_run || out.moves.empty()) return out;  // nothing to write: rolls back

    std::vector<int64_t> ids, versions, placed_ids, placed_at, unplaced_ids;
    for (const domain::QueueMove& m : out.moves) {
        const auto it = std::find_if(items.begin(), items.end(),
                                     [&](const Content& c) { return c.id == m.id; });
        ids.push_back(m.id);
        versions.push_back(it == items.end() ? -1 : it->version);
        if (m.to) {
            placed_ids.push_back(m.id);
            placed_at.push_back(ToUnixMillis(*m.to));
        } else {
            unplaced_ids.push_back(m.id);
        }
    }
    // Each move leaves `scheduled` first and takes its new instant second: moving A onto B's
    // old instant before B has left it would break the one-item-per-instant index mid-way.
    {
        Params p;
        p.IntArray(ids);
        p.IntArray(versions);
        p.Time(request.now);
        p.Int(request.site);
        const PgResult r = conn->Exec(
            "UPDATE content SET site_status = 'not_published', site_status_updated_at = $3,"
            " updated_at = $3, version = content.version + 1"
            " FROM unnest($1::bigint[], $2::bigint[]) AS m (id, version)"
            " WHERE content.id = m.id AND content.version = m.version AND content.site_id = $4"
            " AND content.site_status = 'scheduled' AND NOT content.pinned RETURNING content.id",
            p);
        if (r.rows() != static_cast<int>(ids.size())) {  // the Transaction rolls back
            out.kind = QueueOutcome::Kind::kConflict;
            out.moves.clear();
            return out;
        }
    }
    if (!placed_ids.empty()) {
        Params p;
        p.IntArray(placed_ids);
        p.IntArray(placed_at);
        conn->Exec(
            "UPDATE content SET scheduled_publish_at = m.at, site_status = 'scheduled'"
            " FROM unnest($1::bigint[], $2::bigint[]) AS m (id, at) WHERE content.id = m.id",
            p);
    }
    if (!unplaced_ids.empty()) {
        Params p;
        p.IntArray(unplaced_ids);
        conn->Exec("UPDATE content SET scheduled_publish_at = NULL WHERE id = ANY($1::bigint[])",
                   p);
    }
    txn.Commit();
    return out;
}

void PlaceRecurringAgain(Connection& conn, std::span<const FinishedAttempt> attempts,
                         const std::vector<std::optional<RecordId>>& record_ids) {
    std::vector<size_t> recurring;
    std::vector<int64_t> sites;
    for (size_t i = 0; i < attempts.size(); ++i) {
        sites.push_back(attempts[i].content.site_id);
        const Content& c = attempts[i].content;
        if (record_ids[i] && c.site_status == SiteStatus::kPublished && c.recurrence)
            recurring.push_back(i);
    }
    if (recurring.empty()) return;
    // Every site of the batch, in id order, before anything else of the settle locks one:
    // its health pass then only locks sites already held, so two settles cannot deadlock.
    std::sort(sites.begin(), sites.end());
    sites.erase(std::unique(sites.begin(), sites.end()), sites.end());
    {
        Params p;
        p.IntArray(sites);
        conn.Exec("SELECT id FROM sites WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE", p);
    }
    for (const size_t i : recurring) {
        const Content& published = attempts[i].content;
        const TimePoint now = published.updated_at;  // the settle's time
        const auto site = ReadSchedulingSite(conn, published.site_id);
        if (!site || !site->site.is_active) continue;
        const SiteCalendar calendar =
            ReadCalendar(conn, published.site_id, now - kCalendarLookBack);
        const auto next = domain::PlanNextOccurrence(published, site->settings, site->site.timezone,
                                                     calendar, now);
        if (!next || !next->at) continue;
        const Content again = domain::Recur(published, *next->at, now);
        Savepoint savepoint(conn);
        try {
            Params p;
            std::string sql = "UPDATE content SET " + ContentSet(p, again, kContentSchedule);
            sql += " WHERE id = " + p.Int(again.id) + " AND site_status = 'published'";
            conn.Exec(sql, p);
            savepoint.Release();
        } catch (const PgError& e) {
            // A path that placed an item without holding the site: this occurrence is lost,
            // the publication (and the rest of the batch) is kept.
            if (!e.unique_violation()) throw;
        }
    }
}

}  // namespace herald::storage::postgres
