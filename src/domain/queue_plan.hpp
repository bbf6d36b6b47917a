#pragma once
// The queue operations of API.md §9 (rebalance, shuffle, move to top): which scheduled items
// of a site move where. Pure, so a dry run and the real run (which the store performs under
// the site's lock, with this plan) answer the same moves. Placement is AssignSlots'.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/model.hpp"
#include "domain/slots.hpp"

namespace herald::domain {

enum class QueueOperation {
    kRebalance,  // every movable item again, in its current time order
    kShuffle,    // every movable item again, in a random order (from `seed`)
    kMoveToTop,  // `target` takes the earliest free slot; the movable items before it follow
};

/// Whether a queue operation may move `item`: scheduled (not publishing), not pinned, its
/// time after `now`, and no retry pending. Everything else stays and keeps its instant.
bool IsMovable(const Content& item, TimePoint now);

/// One scheduled or publishing item of the site, as the planner needs it.
struct QueueEntry {
    ContentId id = 0;
    TimePoint at{};
    bool movable = false;
};

struct QueueMove {
    ContentId id = 0;
    TimePoint from{};
    std::optional<TimePoint> to;  // nullopt: no free slot within the horizon; unscheduled
};

struct QueuePlanRequest {
    QueueOperation operation = QueueOperation::kRebalance;
    ContentId target = 0;  // kMoveToTop
    uint64_t seed = 0;     // kShuffle
    TimePoint now{};
};

/// The moves of an operation over `entries` (the site's scheduled and publishing items, any
/// order). Movable items are placed again by AssignSlots in the operation's order, from
/// `now`, around the instants of the items that stay (`published` counts for the limits, as
/// in SiteCalendar). kRebalance and kShuffle place every movable item; kMoveToTop places the
/// target, then the movable items that were before it (the items after it keep their
/// times). @returns only the items whose time changes, in placement order, those without a
/// slot last; kConflict "not_movable" (field "id") when the target is not a movable entry;
/// kInvalid on an unknown zone.
Result<std::vector<QueueMove>> PlanQueue(const PublishingSettings& settings,
                                         std::string_view time_zone,
                                         std::span<const QueueEntry> entries,
                                         std::span<const TimePoint> published,
                                         const QueuePlanRequest& request);

/// The order kShuffle places `n` items in: a Fisher–Yates permutation of 0..n-1 driven by a
/// 64-bit Mersenne Twister seeded with `seed`, the same on every platform.
std::vector<size_t> ShuffledOrder(size_t n, uint64_t seed);

}  // namespace herald::domain
