// The slot scheduler's one write path: each site's settings, queue and calendar are read and
// its assignments written under SQLite's write lock, so no other scheduler or manual schedule
// can take a slot between the read and the write.

#include <algorithm>
#include <chrono>
#include <optional>
#include <span>
#include <vector>

#include "storage/sqlite/connection_pool.hpp"
#include "storage/sqlite/queries.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/sqlite/sqlite_rows.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace herald::storage::sqlite {
namespace {

using Mode = Transaction::Mode;

// A run over many sites plans sites under the write lock until this many assignments or this
// much planning time, then writes them and commits, so API writers wait for at most one
// chunk; a commit per site instead would dominate a run over thousands of small sites.
constexpr size_t kChunkAssignments = 50000;
constexpr auto kChunkTime = std::chrono::milliseconds{200};

SiteScheduleOutcome ScheduleOne(Connection& conn, const ScheduleRequest& request, SiteId id,
                                const SlotPlanner& plan) {
    SiteScheduleOutcome out;
    out.site_id = id;
    std::optional<Site> site;
    PublishingSettings settings;
    {
        Query q(conn.Prepare(sql::kGetSchedulingSite));
        q.BindInt(1, id);
        if (q.Step()) {
            settings = ReadSettings(q, 0);
            site = ReadSite(q, sql::kSettingsColumnCount);
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
        Query q(conn.Prepare(sql::kSchedulingQueue));
        q.BindInt(1, id).BindInt(2, request.release_hold);
        while (q.Step()) (q.Int(1) != 0 ? held : queue).push_back(q.Int(0));
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
    return out;
}

/// Writes the planned assignments of a chunk of sites, in content id order: one site's items
/// lie scattered through the table, and walking the pages in order is what makes 100,000
/// updates fast. Every queued item is still what the queue said (the lock is held since), so
/// each update applies; its condition stays as the statement's own guard, and an assignment
/// that did not apply is dropped from its site's outcome.
void ApplyChunk(Connection& conn, std::span<SiteScheduleOutcome> chunk, TimePoint now,
                ContentId release_hold) {
    std::vector<const SlotAssignment*> by_id;
    for (const auto& site : chunk) {
        for (const auto& a : site.assignments) by_id.push_back(&a);
    }
    std::sort(by_id.begin(), by_id.end(),
              [](const auto* a, const auto* b) { return a->content_id < b->content_id; });
    std::vector<ContentId> missed;
    sqlite3_stmt* stmt = conn.Prepare(sql::kApplyAssignment);
    for (const SlotAssignment* a : by_id) {
        Query q(stmt);
        q.BindTime(1, a->at).BindTime(2, now).BindInt(3, a->content_id).BindInt(4, release_hold);
        q.Run();
        if (q.Changes() == 0) missed.push_back(a->content_id);
    }
    if (missed.empty()) return;
    std::sort(missed.begin(), missed.end());
    for (auto& site : chunk) {
        std::erase_if(site.assignments, [&](const SlotAssignment& a) {
            return std::binary_search(missed.begin(), missed.end(), a.content_id);
        });
    }
}

}  // namespace

SiteCalendar ReadCalendar(Connection& conn, SiteId site, TimePoint from) {
    SiteCalendar calendar;
    {
        Query q(conn.Prepare(sql::kCalendarScheduled));
        q.BindInt(1, site).BindTime(2, from);
        while (q.Step()) calendar.scheduled.push_back(q.Time(0));
    }
    {
        Query q(conn.Prepare(sql::kCalendarPublished));
        q.BindInt(1, site).BindTime(2, from);
        while (q.Step()) calendar.published.push_back(q.Time(0));
    }
    return calendar;
}

std::vector<SiteId> SqliteStore::ListAutoPublishSiteIds() {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kListAutoPublishSiteIds));
    std::vector<SiteId> ids;
    while (q.Step()) ids.push_back(q.Int(0));
    return ids;
}

SiteCalendar SqliteStore::LoadCalendar(SiteId site, TimePoint from) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kDeferred);  // both lists from one snapshot
    SiteCalendar calendar = ReadCalendar(*conn, site, from);
    txn.Commit();
    return calendar;
}

std::vector<SiteScheduleOutcome> SqliteStore::ScheduleSites(const ScheduleRequest& request,
                                                            const SlotPlanner& plan) {
    std::vector<SiteScheduleOutcome> outcomes;
    outcomes.reserve(request.sites.size());
    auto conn = pool_->Acquire();
    size_t next = 0;
    while (next < request.sites.size()) {
        // A dry run writes nothing, so a read snapshot is enough for it.
        Transaction txn = conn->Begin(request.dry_run ? Mode::kDeferred : Mode::kImmediate);
        const auto chunk_start = std::chrono::steady_clock::now();
        const size_t first = outcomes.size();
        size_t assigned = 0;
        while (next < request.sites.size()) {
            outcomes.push_back(ScheduleOne(*conn, request, request.sites[next++], plan));
            assigned += outcomes.back().assignments.size();
            if (assigned >= kChunkAssignments ||
                std::chrono::steady_clock::now() - chunk_start >= kChunkTime)
                break;
        }
        if (!request.dry_run) {
            ApplyChunk(*conn, std::span(outcomes).subspan(first), request.now,
                       request.release_hold);
        }
        txn.Commit();  // a dry run's transaction wrote nothing
    }
    return outcomes;
}

}  // namespace herald::storage::sqlite
