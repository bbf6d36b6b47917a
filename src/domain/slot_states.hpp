#pragma once
// Free / taken / blacked-out / full / too-close states of a site's slot instants, for
// calendars that draw them. Pure, like slots.hpp: everything comes in as arguments. The
// rules are domain/slot_rules' SlotRules, the ones AssignSlots applies, so a slot shown
// free is the slot the scheduler would give.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/model.hpp"
#include "domain/slot_rules.hpp"
#include "domain/slots.hpp"

namespace herald::domain {

struct SlotStatus {
    SlotState state = SlotState::kFree;
    std::string reason;  // a sentence for blackout and too_close (the blackout's reason); else ""
};

/// The state of each instant (same order), judged as AssignSlots judges a candidate against
/// `calendar` alone: scheduled/publishing items occupy their instant; they and published ones
/// count against the limits (per local day, ISO week, month in `time_zone`) and the spacing;
/// a local date in blackout_dates has no free slot. `calendar` must reach back to the start
/// of the month and week of the first instant. kInvalid on an unknown zone.
Result<std::vector<SlotStatus>> ClassifySlots(const PublishingSettings& settings,
                                              std::string_view time_zone,
                                              const SiteCalendar& calendar,
                                              std::span<const TimePoint> instants, TimePoint now);

}  // namespace herald::domain
