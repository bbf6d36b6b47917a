#include "domain/slot_states.hpp"
#include "common/text.hpp"

#include <algorithm>
#include <chrono>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include "domain/planner_settings.hpp"

namespace herald::domain {
namespace {

// Days since 1970-01-01 of the local date `at` falls on.
int64_t LocalDay(const date::time_zone* zone, TimePoint at) {
    const auto local = zone->to_local(std::chrono::floor<std::chrono::seconds>(at));
    return std::chrono::floor<date::days>(local).time_since_epoch().count();
}

std::string ReasonOf(const SlotVerdict& v, const PublishingSettings& settings) {
    switch (v.state) {
        case SlotState::kBlackout:
            if (!v.blackout->reason.empty()) return v.blackout->reason;
            return fmt::format("blackout from {} to {}", FormatLocalDate(v.blackout->from_day),
                               FormatLocalDate(v.blackout->to_day));
        case SlotState::kTooClose:
            return fmt::format("less than {} minutes from the item at {}",
                               settings.min_spacing_minutes, FormatIso(*v.neighbour));
        default:
            return {};
    }
}

}  // namespace

Result<std::vector<SlotStatus>> ClassifySlots(const PublishingSettings& settings,
                                              std::string_view time_zone,
                                              const SiteCalendar& calendar,
                                              std::span<const TimePoint> instants, TimePoint now) {
    const date::time_zone* zone = nullptr;
    try {
        zone = date::locate_zone(time_zone);
    } catch (...) {
        return Error::Invalid("unknown_timezone",
                              fmt::format("\"{}\" is not a time zone the tz database knows",
                                          Utf8Prefix(time_zone, 80)),
                              "timezone");
    }
    std::vector<SlotStatus> states;
    if (instants.empty()) return states;
    std::vector<int64_t> days;
    days.reserve(instants.size());
    for (const TimePoint at : instants) days.push_back(LocalDay(zone, at));
    const auto [lo, hi] = std::minmax_element(days.begin(), days.end());

    SlotRules rules(settings, *lo, *hi);
    for (const TimePoint at : calendar.scheduled) rules.AddScheduled(at, LocalDay(zone, at));
    for (const TimePoint at : calendar.published) rules.AddPublished(at, LocalDay(zone, at));

    states.reserve(instants.size());
    for (size_t i = 0; i < instants.size(); ++i) {
        if (instants[i] <= now) {
            states.push_back({SlotState::kPast, {}});
            continue;
        }
        const SlotVerdict v = rules.Judge(instants[i], days[i]);
        states.push_back({v.state, ReasonOf(v, settings)});
    }
    return states;
}

}  // namespace herald::domain
