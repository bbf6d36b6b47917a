#include "dispatch/missed_slots.hpp"

#include <map>
#include <optional>

#include <spdlog/spdlog.h>

#include "dispatch/slot_scheduler.hpp"
#include "domain/missed_slot.hpp"

namespace herald::dispatch {
namespace {

// Only the claim of a publication's first attempt can have missed its slot: a later one is
// a retry (late by design), or follows an attempt that may have reached the target, which
// must be finished rather than moved.
bool FirstReach(const storage::ClaimedItem& item) {
    return item.content.attempts == 1 && item.content.scheduled_publish_at &&
           item.due_at == *item.content.scheduled_publish_at;
}

void MoveToNextSlot(storage::Store& store, const domain::Content& given_back, TimePoint now) {
    bool in_queue = false;
    const auto outcome = ScheduleOne(store, given_back.site_id, given_back.id, now,
                                     /*by_person=*/false, in_queue);
    if (!outcome.assignments.empty()) {
        spdlog::info("dispatcher: item {} missed its slot; moved to {}", given_back.id,
                     FormatIso(outcome.assignments.front().at));
        return;
    }
    if (!in_queue) return;  // someone acted on it meanwhile (scheduled, edited, deleted)
    // No free slot within the horizon (blackouts, limits): it stays unscheduled, and says so.
    const auto stored = store.GetContent(given_back.account_id, given_back.id);
    if (!stored || stored->scheduled_publish_at) return;
    domain::Content note = *stored;
    note.last_error += "; no free slot was found within 366 days, so it waits unscheduled";
    note.updated_at = now;
    store.UpdateContent(note, stored->version, storage::kContentSchedule);
    spdlog::warn("dispatcher: item {} missed its slot and no free slot is left for it",
                 given_back.id);
}

}  // namespace

std::vector<storage::ClaimedItem> ApplyMissedSlotPolicy(storage::Store& store,
                                                        std::vector<storage::ClaimedItem> items,
                                                        TimePoint now) {
    std::vector<storage::ClaimedItem> publish;
    publish.reserve(items.size());
    // Settings are read only for late items, once per site per batch.
    std::map<domain::SiteId, std::optional<domain::PublishingSettings>> settings;
    for (storage::ClaimedItem& item : items) {
        const domain::Content& c = item.content;
        if (!FirstReach(item) || now - *c.scheduled_publish_at <= domain::kMissedSlotGrace) {
            publish.push_back(std::move(item));
            continue;
        }
        auto [it, added] = settings.try_emplace(c.site_id);
        if (added) it->second = store.GetSettings(c.account_id, c.site_id);
        if (!it->second) {  // the site is gone; the claim's settle will sort the item out
            publish.push_back(std::move(item));
            continue;
        }
        const domain::MissedSlotDecision decision =
            domain::DecideMissedSlot(*it->second, *c.scheduled_publish_at, now, true, c.pinned);
        if (decision.action == domain::MissedSlotAction::kPublish) {
            spdlog::info("dispatcher: item {} {}", c.id, decision.reason);
            publish.push_back(std::move(item));
            continue;
        }
        const domain::Content back = domain::GiveBackMissed(c, decision, now);
        // The claim's version: anything that touched the item since (a lease takeover, an
        // edit) moved it, and then this write must not happen.
        const auto written = store.UpdateContent(back, c.version, storage::kContentSchedule);
        if (!written.applied()) {
            spdlog::warn(
                "dispatcher: item {} changed while its missed slot was handled; left "
                "as it is",
                c.id);
            continue;
        }
        if (decision.action == domain::MissedSlotAction::kNextFreeSlot) {
            MoveToNextSlot(store, back, now);
        } else {
            spdlog::info("dispatcher: item {} {}", c.id, decision.reason);
        }
    }
    return publish;
}

}  // namespace herald::dispatch
