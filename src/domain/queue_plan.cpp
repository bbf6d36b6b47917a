#include "domain/queue_plan.hpp"

#include <algorithm>
#include <random>

namespace herald::domain {

bool IsMovable(const Content& item, TimePoint now) {
    return item.site_status == SiteStatus::kScheduled && !item.pinned &&
           item.scheduled_publish_at && *item.scheduled_publish_at > now &&
           !item.next_attempt_at && item.attempts == 0;
}

std::vector<size_t> ShuffledOrder(size_t n, uint64_t seed) {
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    // std::shuffle and the distributions differ between standard libraries; the engine's
    // output is fixed by the standard, so the permutation is too.
    std::mt19937_64 engine(seed);
    for (size_t i = n; i > 1; --i) {
        const size_t j = static_cast<size_t>(engine() % i);
        std::swap(order[i - 1], order[j]);
    }
    return order;
}

Result<std::vector<QueueMove>> PlanQueue(const PublishingSettings& settings,
                                         std::string_view time_zone,
                                         std::span<const QueueEntry> entries,
                                         std::span<const TimePoint> published,
                                         const QueuePlanRequest& request) {
    std::vector<QueueEntry> movable;
    for (const QueueEntry& e : entries)
        if (e.movable) movable.push_back(e);
    std::sort(movable.begin(), movable.end(), [](const QueueEntry& a, const QueueEntry& b) {
        return a.at != b.at ? a.at < b.at : a.id < b.id;
    });

    std::vector<QueueEntry> queue;  // in placement order
    switch (request.operation) {
        case QueueOperation::kRebalance:
            queue = movable;
            break;
        case QueueOperation::kShuffle:
            for (const size_t i : ShuffledOrder(movable.size(), request.seed))
                queue.push_back(movable[i]);
            break;
        case QueueOperation::kMoveToTop: {
            const auto it = std::find_if(movable.begin(), movable.end(),
                                         [&](const QueueEntry& e) { return e.id == request.target; });
            if (it == movable.end()) {
                return Error::Conflict("not_movable",
                                       "Only a scheduled, unpinned item whose time is still ahead "
                                       "and that waits for no retry can move to the top.",
                                       "id");
            }
            queue.push_back(*it);
            queue.insert(queue.end(), movable.begin(), it);
            break;
        }
    }

    // Whatever is not placed again keeps its instant and counts against the limits.
    SiteCalendar calendar;
    calendar.published.assign(published.begin(), published.end());
    std::vector<ContentId> ids;
    ids.reserve(queue.size());
    for (const QueueEntry& e : queue) ids.push_back(e.id);
    std::sort(ids.begin(), ids.end());
    for (const QueueEntry& e : entries) {
        if (!std::binary_search(ids.begin(), ids.end(), e.id)) calendar.scheduled.push_back(e.at);
    }
    ids.clear();
    for (const QueueEntry& e : queue) ids.push_back(e.id);

    auto placed = AssignSlots(settings, time_zone, calendar, ids, request.now);
    if (!placed) return placed.error();

    // Matched by id, not position: the calculator promises queue order, not which items fit.
    std::vector<std::pair<ContentId, TimePoint>> at;
    at.reserve(placed->size());
    for (const SlotAssignment& a : *placed) at.emplace_back(a.content_id, a.at);
    std::sort(at.begin(), at.end());
    std::vector<QueueMove> moves, unplaced;
    for (const QueueEntry& e : queue) {
        const auto it = std::lower_bound(at.begin(), at.end(), std::make_pair(e.id, TimePoint::min()));
        if (it == at.end() || it->first != e.id) {
            unplaced.push_back({e.id, e.at, std::nullopt});
        } else if (it->second != e.at) {
            moves.push_back({e.id, e.at, it->second});
        }
    }
    moves.insert(moves.end(), unplaced.begin(), unplaced.end());
    return moves;
}

}  // namespace herald::domain
