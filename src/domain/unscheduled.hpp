#pragma once
// Why approved content stays unscheduled: the answer of a scheduler run or preview for each
// item the slot calculator (domain/slots) could not place, and the warnings of publishing
// settings that would leave every item unplaced. Only the site's plain facts are read here;
// whether a slot is free is the calculator's answer alone, passed in.

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "domain/model.hpp"
#include "domain/slots.hpp"

namespace herald::domain {

enum class UnscheduledReason {
    kSiteInactive,    // inactive sites are never scheduled
    kAutoPublishOff,  // a run that places auto-publishing sites only (the background pass)
    kNoPublishDays,   // publish_days is empty
    kNoTimeSlots,     // publish_time_slots is empty
    kHeld,            // held after a missed slot (EndsHold): a run does not consider it
    kLimitsFull,      // the calculator found no free slot within the horizon
};

/// "site_inactive", "auto_publish_off", "no_publish_days", "no_time_slots", "held",
/// "limits_full".
std::string_view ToString(UnscheduledReason reason);
/// A sentence for the site owner, naming the setting to change.
std::string_view Explain(UnscheduledReason reason);

/// What a run knows of the site besides its settings.
struct SitePlanFacts {
    bool is_active = true;
    bool auto_publish_required = false;  // the background pass; an explicit run is not
};

/// The reason no item of the site can be placed whatever its calendar holds, or nullopt.
/// The first that applies, in the order of UnscheduledReason (never kHeld, an item's own).
std::optional<UnscheduledReason> SiteWideReason(const SitePlanFacts& site,
                                                const PublishingSettings& settings);

struct UnscheduledItem {
    ContentId content_id = 0;
    UnscheduledReason reason = UnscheduledReason::kLimitsFull;
};

/// Each item of `queue` that `assigned` (the calculator's answer for that queue) does not
/// place, in queue order, with its reason: the site-wide one, else kLimitsFull; then each of
/// `held` (the site's held items, kept out of the queue) with kHeld, whatever the settings:
/// a run never considers it, so a person's decision is what it waits for first.
std::vector<UnscheduledItem> ExplainUnscheduled(const SitePlanFacts& site,
                                                const PublishingSettings& settings,
                                                std::span<const ContentId> queue,
                                                std::span<const SlotAssignment> assigned,
                                                std::span<const ContentId> held);

/// Saving settings: with auto-publishing on, the site-wide reasons that would leave every
/// approved item unscheduled (empty days, empty time slots). Saved anyway; the answer
/// carries them as warnings.
std::vector<UnscheduledReason> SettingsWarnings(const PublishingSettings& settings);

}  // namespace herald::domain
