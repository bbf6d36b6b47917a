#pragma once
// What the dispatcher does with an item it first reaches well after its time (herald was
// down, the site paused or degraded): API.md §9's missed_slot_policy. Pure: the dispatcher
// asks right after its claim and writes the answer under that claim.

#include <string>

#include "common/time.hpp"
#include "domain/model.hpp"

namespace herald::domain {

/// Reached within this of its time, an item is on time whatever the policy.
inline constexpr Milliseconds kMissedSlotGrace = std::chrono::minutes{5};

enum class MissedSlotAction {
    kPublish,       // on time, or late and publish_late within max_lateness_minutes
    kNextFreeSlot,  // give it the next free slot (the slot scheduler's path)
    kHold,          // back to approved and unscheduled, for a person to decide
};

std::string_view ToString(MissedSlotAction a);

struct MissedSlotDecision {
    MissedSlotAction action = MissedSlotAction::kPublish;
    Milliseconds lateness{0};  // reached_at - scheduled_at (0 when early)
    std::string reason;        // for last_error and logs; empty for an on-time kPublish
};

/// `scheduled_at` the item's time; `reached_at` when the dispatcher claimed it;
/// `first_reach` false for a retry or any later attempt of one publication (only a first
/// claim can have missed its slot — retries are late by design). A `pinned` item is never
/// moved by the scheduler, so where the policy would give it the next free slot it is held.
MissedSlotDecision DecideMissedSlot(const PublishingSettings& settings, TimePoint scheduled_at,
                                    TimePoint reached_at, bool first_reach, bool pinned);

/// The claimed item given back for kHold or kNextFreeSlot: not_published and unscheduled
/// (status stays approved), its claim and publication cleared, last_error = the reason, and
/// `held` for kHold. The caller writes it under the claim; for kNextFreeSlot the slot
/// scheduler then places it, a held item it leaves alone.
Content GiveBackMissed(const Content& claimed, const MissedSlotDecision& decision, TimePoint now);

/// What a person does to an item, as far as a hold is concerned.
enum class PersonAction {
    kSchedule,  // schedule or reschedule to a time of their choosing
    kUnschedule,
    kPublishNow,
    kSetStatus,   // PATCH with `status`, the same one included: approving again releases it
    kEditFields,  // any other edit (title, text, pin, site, ...)
};

/// Whether `action` ends an item's hold: the one list of what counts as "a person decided"
/// (API.md §9). Every writer of a person's action asks here; the dispatcher's and the slot
/// scheduler's own moves never end a hold.
bool EndsHold(PersonAction action);

}  // namespace herald::domain
