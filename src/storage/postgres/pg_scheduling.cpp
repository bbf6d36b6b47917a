// The slot scheduler's one write path. Each site is held by its row lock (FOR UPDATE) from
// the read of its settings, queue and calendar to the commit of its assignments; every
// manual path that places an item on a calendar takes the same lock first, so no slot can
// be taken between the read and the write.

#include <algorithm>
#include <chrono>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/postgres/pg_rows.hpp"
#include "storage/postgres/postgres_store.hpp"

namespace herald::storage::postgres {
namespace {

// As SQLite: a run over many sites commits at a site boundary after this many assignments
// or this much time, so API writers never wait long on a held site, while a commit per
// site would dominate a run over thousands of small sites.
constexpr size_t kChunkAssignments = 20000;
constexpr auto kChunkTime = std::chrono::milliseconds{200};

SiteScheduleOutcome ScheduleOne(Connection& conn, const ScheduleRequest& request, SiteId id,
                                const SlotPlanner& plan) {
    SiteScheduleOutcome out;
    out.site_id = id;
    std::optional<Site> site;
    PublishingSettings settings;
    {
        Params p;
        p.Int(id);
        // A dry run writes nothing, so it needs the snapshot but not the lock.
        const PgResult r = conn.Exec(
            "SELECT " + SettingsColumns("p") + ", " + SiteColumns("s") +
                " FROM sites s JOIN publishing_settings p ON p.site_id = s.id WHERE s.id = $1" +
                (request.dry_run ? "" : " FOR UPDATE OF s"),
            p);
        if (!r.empty()) {
            settings = ReadSettings(Row{r, 0});
            site = ReadSite(Row{r, 0, kSettingsColumnCount});
        }
    }
    if (!site || !site->is_active ||
        (request.require_auto_publish && !settings.auto_publish_enabled)) {
        out.skipped = true;
        return out;
    }
    out.site_name = site->name;
    std::vector<ContentId> queue;
    std::vector<ContentId> held;
    {
        Params p;
        p.Int(id);
        p.Int(request.release_hold);
        // Held items come too, flagged, so a run can say why it left them ($2 is queued
        // even when held).
        const PgResult r = conn.Exec(
            "SELECT id, held AND id <> $2 FROM content WHERE site_id = $1"
            " AND status = 'approved' AND site_status = 'not_published'"
            " AND scheduled_publish_at IS NULL ORDER BY approved_at ASC NULLS FIRST, id",
            p);
        queue.reserve(static_cast<size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) (r.Bool(i, 1) ? held : queue).push_back(r.Int(i, 0));
    }
    out.queued = queue.size();
    out.held = held.size();
    if (queue.empty() && held.empty()) return out;
    // Only held items: nothing to place, so no calendar; the planner still explains them.
    const SiteCalendar calendar =
        queue.empty() ? SiteCalendar{} : ReadCalendar(conn, id, request.calendar_from);
    auto planned = plan(SiteSchedulingInput{*site, settings, queue, calendar, held});
    if (!planned) {
        out.error = planned.error();
        return out;
    }
    out.assignments = std::move(*planned);
    if (request.dry_run || out.assignments.empty()) return out;

    // All of the site's assignments in one statement. The guard re-checks each item: one
    // an editor moved since the queue was read (its editorial status needs no site lock)
    // is left out.
    std::vector<int64_t> ids;
    std::vector<int64_t> instants;
    ids.reserve(out.assignments.size());
    instants.reserve(out.assignments.size());
    for (const SlotAssignment& a : out.assignments) {
        ids.push_back(a.content_id);
        instants.push_back(ToUnixMillis(a.at));
    }
    Params p;
    p.IntArray(ids);
    p.IntArray(instants);
    p.Time(request.now);
    p.Int(id);
    p.Int(request.release_hold);
    const PgResult r = conn.Exec(
        "UPDATE content SET scheduled_publish_at = a.at, site_status = 'scheduled',"
        " held = FALSE, site_status_updated_at = $3, updated_at = $3,"
        " version = content.version + 1 FROM unnest($1::bigint[], $2::bigint[]) AS a (id, at)"
        " WHERE content.id = a.id AND content.site_id = $4 AND content.status = 'approved'"
        " AND content.site_status = 'not_published' AND content.scheduled_publish_at IS NULL"
        " AND (NOT content.held OR content.id = $5) RETURNING content.id",
        p);
    if (r.rows() != static_cast<int>(out.assignments.size())) {
        std::vector<ContentId> applied;
        applied.reserve(static_cast<size_t>(r.rows()));
        for (int i = 0; i < r.rows(); ++i) applied.push_back(r.Int(i, 0));
        std::sort(applied.begin(), applied.end());
        std::erase_if(out.assignments, [&](const SlotAssignment& a) {
            return !std::binary_search(applied.begin(), applied.end(), a.content_id);
        });
    }
    return out;
}

}  // namespace

SiteCalendar ReadCalendar(Connection& conn, SiteId site, TimePoint from) {
    Params p;
    p.Int(site);
    p.Time(from);
    // One statement, so both lists come from one snapshot.
    const PgResult r = conn.Exec(
        "(SELECT FALSE, scheduled_publish_at FROM content WHERE site_id = $1"
        "   AND site_status IN ('scheduled', 'publishing') AND scheduled_publish_at >= $2"
        "   ORDER BY scheduled_publish_at)"
        " UNION ALL"
        " (SELECT TRUE, published_at FROM content WHERE site_id = $1"
        "   AND site_status = 'published' AND published_at >= $2 ORDER BY published_at)"
        // An evergreen item placed again still counts its last publication.
        " UNION ALL"
        " (SELECT TRUE, published_at FROM content WHERE site_id = $1"
        "   AND site_status IN ('scheduled', 'publishing') AND recurrence_every_days IS NOT NULL"
        "   AND published_at >= $2)",
        p);
    SiteCalendar calendar;
    for (int i = 0; i < r.rows(); ++i)
        (r.Bool(i, 0) ? calendar.published : calendar.scheduled).push_back(r.Time(i, 1));
    // UNION ALL keeps each branch's order in practice, but nothing promises it.
    std::sort(calendar.scheduled.begin(), calendar.scheduled.end());
    std::sort(calendar.published.begin(), calendar.published.end());
    return calendar;
}

std::vector<SiteId> PostgresStore::ListAutoPublishSiteIds() {
    auto conn = pool_->Acquire();
    const PgResult r = conn->Exec(
        "SELECT s.id FROM sites s JOIN publishing_settings p ON p.site_id = s.id"
        " WHERE s.is_active AND p.auto_publish_enabled ORDER BY s.id");
    std::vector<SiteId> ids;
    ids.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) ids.push_back(r.Int(i, 0));
    return ids;
}

SiteCalendar PostgresStore::LoadCalendar(SiteId site, TimePoint from) {
    auto conn = pool_->Acquire();
    return ReadCalendar(*conn, site, from);
}

std::vector<SiteScheduleOutcome> PostgresStore::ScheduleSites(const ScheduleRequest& request,
                                                              const SlotPlanner& plan) {
    // Sites are taken in id order, the order every path locks sites in, so two runs (or a
    // run and a manual move between sites) cannot deadlock; outcomes keep request order.
    std::vector<size_t> order(request.sites.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return request.sites[a] < request.sites[b]; });
    std::vector<SiteScheduleOutcome> outcomes(request.sites.size());
    auto conn = pool_->Acquire();
    size_t next = 0;
    while (next < order.size()) {
        Transaction txn(
            *conn, request.dry_run ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
        const auto chunk_start = std::chrono::steady_clock::now();
        size_t assigned = 0;
        while (next < order.size()) {
            const size_t index = order[next++];
            SiteScheduleOutcome& out = outcomes[index];
            // A savepoint per site: a unique violation (a path that placed an item without
            // holding the site) costs that site's assignments, not the whole chunk's.
            std::optional<Savepoint> savepoint;
            if (!request.dry_run) savepoint.emplace(*conn);
            try {
                out = ScheduleOne(*conn, request, request.sites[index], plan);
                if (savepoint) savepoint->Release();
            } catch (const PgError& e) {
                if (!e.unique_violation()) throw;
                savepoint.reset();  // rolls back to it
                out = SiteScheduleOutcome{};
                out.site_id = request.sites[index];
                out.error = Error::Conflict("slot_taken",
                                            "Another item took one of the planned slots; "
                                            "run the scheduler again.");
            }
            assigned += out.assignments.size();
            if (assigned >= kChunkAssignments ||
                std::chrono::steady_clock::now() - chunk_start >= kChunkTime)
                break;
        }
        if (request.dry_run) {
            txn.Rollback();
        } else {
            txn.Commit();
        }
    }
    return outcomes;
}

}  // namespace herald::storage::postgres
