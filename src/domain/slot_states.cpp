#include "domain/slot_states.hpp"
#include "common/text.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

namespace herald::domain {
namespace {

struct LocalKeys {
    int64_t day;     // days since 1970-01-01, local
    int64_t monday;  // the day of that ISO week's Monday
    int64_t month;   // year * 12 + month - 1
};

LocalKeys KeysOf(const date::time_zone* zone, TimePoint at) {
    const auto local = zone->to_local(std::chrono::floor<std::chrono::seconds>(at));
    const auto day = std::chrono::floor<date::days>(local);
    const int64_t n = day.time_since_epoch().count();
    const int64_t weekday = ((n + 3) % 7 + 7) % 7;  // Monday = 0; 1970-01-01 was a Thursday
    const date::year_month_day ymd{date::sys_days{day.time_since_epoch()}};
    return {n, n - weekday,
            int64_t{static_cast<int>(ymd.year())} * 12 + static_cast<unsigned>(ymd.month()) - 1};
}

}  // namespace

std::string_view ToString(SlotState state) {
    switch (state) {
        case SlotState::kPast:
            return "past";
        case SlotState::kTaken:
            return "taken";
        case SlotState::kFull:
            return "full";
        case SlotState::kFree:
            return "free";
    }
    return "free";
}

Result<std::vector<SlotState>> ClassifySlots(const PublishingSettings& settings,
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
    // A few dozen instants and a few hundred calendar entries: maps are plenty.
    std::map<int64_t, int> per_day, per_week, per_month;
    const auto count = [&](TimePoint at) {
        const LocalKeys k = KeysOf(zone, at);
        ++per_day[k.day];
        ++per_week[k.monday];
        ++per_month[k.month];
    };
    for (const TimePoint at : calendar.scheduled) count(at);
    for (const TimePoint at : calendar.published) count(at);
    std::vector<TimePoint> taken = calendar.scheduled;
    std::sort(taken.begin(), taken.end());

    const auto reached = [](const std::map<int64_t, int>& counts, int64_t key,
                            const std::optional<int>& limit) {
        if (!limit) return false;
        const auto it = counts.find(key);
        return (it == counts.end() ? 0 : it->second) >= *limit;
    };
    std::vector<SlotState> states;
    states.reserve(instants.size());
    for (const TimePoint at : instants) {
        if (at <= now) {
            states.push_back(SlotState::kPast);
        } else if (std::binary_search(taken.begin(), taken.end(), at)) {
            states.push_back(SlotState::kTaken);
        } else {
            const LocalKeys k = KeysOf(zone, at);
            const bool full = reached(per_day, k.day, settings.daily_publish_limit) ||
                              reached(per_week, k.monday, settings.weekly_publish_limit) ||
                              reached(per_month, k.month, settings.monthly_publish_limit);
            states.push_back(full ? SlotState::kFull : SlotState::kFree);
        }
    }
    return states;
}

}  // namespace herald::domain
