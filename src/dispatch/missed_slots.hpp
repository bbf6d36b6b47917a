#pragma once
// API.md §9's missed_slot_policy, applied by the dispatcher to what it has just claimed: an
// item first reached more than 5 minutes after its time is published late, given the next
// free slot, or held, per its site's settings (domain::DecideMissedSlot decides).

#include <vector>

#include "common/time.hpp"
#include "storage/store.hpp"

namespace herald::dispatch {

/// For each freshly claimed item that missed its slot and is not to be published late:
/// gives it back under the claim (domain::GiveBackMissed, written only while the item still
/// has the version its claim gave it) and, for next_free_slot, places it through the slot
/// scheduler's one path (ScheduleOne). Returns the items to publish, in their order.
/// `now` is the claim's clock (what the lateness is measured against).
std::vector<storage::ClaimedItem> ApplyMissedSlotPolicy(storage::Store& store,
                                                        std::vector<storage::ClaimedItem> items,
                                                        TimePoint now);

}  // namespace herald::dispatch
