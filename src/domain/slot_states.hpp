#pragma once
// Free / taken / full states of a site's slot instants, for calendars that draw them next to
// the limits of API.md §4. Pure, like slots.hpp: everything comes in as arguments.

#include <span>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/model.hpp"
#include "domain/slots.hpp"

namespace herald::domain {

enum class SlotState {
    kPast,   // not after `now`: the scheduler would never pick it
    kTaken,  // an item is scheduled or publishing at that instant
    kFull,   // free, but its local day, ISO week or month already reached a limit
    kFree,
};

std::string_view ToString(SlotState state);

/// The state of each instant (same order). Limits count `calendar` the way AssignSlots does:
/// scheduled/publishing by scheduled_publish_at, published by published_at, per local
/// calendar day, ISO week (Monday–Sunday) and month in `time_zone`. `calendar` must reach
/// back to the start of the month and week of the first instant. kInvalid on an unknown zone.
Result<std::vector<SlotState>> ClassifySlots(const PublishingSettings& settings,
                                             std::string_view time_zone,
                                             const SiteCalendar& calendar,
                                             std::span<const TimePoint> instants, TimePoint now);

}  // namespace herald::domain
