#include "domain/recurrence.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <string>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include "domain/status_machine.hpp"

namespace herald::domain {
namespace {

const date::time_zone* FindZone(std::string_view name) noexcept {
    if (name.empty()) return nullptr;
    try {
        return date::locate_zone(name);
    } catch (...) {  // unknown names; anything if the tzdb is unreadable
        return nullptr;
    }
}

Error UnknownZone(std::string_view name) {
    return Error::Invalid("unknown_timezone",
                          fmt::format("\"{}\" is not a time zone the tz database knows",
                                      name.substr(0, std::min<size_t>(name.size(), 80))),
                          "timezone");
}

/// "YYYY-MM-DD" with a real month and day, else nullopt.
std::optional<date::sys_days> ParseDate(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int parts[3] = {0, 0, 0};
    const std::array<std::pair<size_t, size_t>, 3> spans = {{{0, 4}, {5, 2}, {8, 2}}};
    for (size_t i = 0; i < spans.size(); ++i) {
        for (size_t k = spans[i].first; k < spans[i].first + spans[i].second; ++k) {
            if (text[k] < '0' || text[k] > '9') return std::nullopt;
            parts[i] = parts[i] * 10 + (text[k] - '0');
        }
    }
    const date::year_month_day ymd{date::year{parts[0]}, date::month{static_cast<unsigned>(parts[1])},
                                   date::day{static_cast<unsigned>(parts[2])}};
    if (!ymd.ok()) return std::nullopt;
    return date::sys_days{ymd};
}

date::local_days LocalDate(const date::time_zone& zone, TimePoint t) {
    return std::chrono::floor<date::days>(zone.to_local(t));
}

}  // namespace

std::string_view ToString(RecurrenceStop stop) {
    switch (stop) {
        case RecurrenceStop::kNone:
            return "none";
        case RecurrenceStop::kNotRecurring:
            return "not_recurring";
        case RecurrenceStop::kCountReached:
            return "count_reached";
        case RecurrenceStop::kUntilPassed:
            return "until_passed";
        case RecurrenceStop::kNoFreeSlot:
            return "no_free_slot";
    }
    return "none";
}

Status ValidateRecurrence(const Recurrence& r) {
    if (r.every_days < 1 || r.every_days > kMaxRecurrenceEveryDays) {
        return Error::Invalid(
            "out_of_range",
            fmt::format("recurrence.every_days must be between 1 and {}.", kMaxRecurrenceEveryDays),
            "recurrence.every_days");
    }
    if (r.count && (*r.count < 1 || *r.count > kMaxRecurrenceCount)) {
        return Error::Invalid(
            "out_of_range",
            fmt::format("recurrence.count must be between 1 and {}, or null.", kMaxRecurrenceCount),
            "recurrence.count");
    }
    if (r.until && !ParseDate(*r.until)) {
        return Error::Invalid("invalid_date",
                              "recurrence.until must be a date written YYYY-MM-DD, or null.",
                              "recurrence.until");
    }
    return Ok{};
}

Status CheckRecurrenceLeft(const Recurrence& r, int publications, TimePoint now,
                           std::string_view time_zone) {
    if (r.count && *r.count <= publications) {
        return Error::Invalid("recurrence_exhausted",
                              fmt::format("recurrence.count is {} but the content has already "
                                          "been published {} time{}; raise it or leave it null.",
                                          *r.count, publications, publications == 1 ? "" : "s"),
                              "recurrence.count");
    }
    if (r.until) {
        const date::time_zone* zone = FindZone(time_zone);
        if (zone == nullptr) return UnknownZone(time_zone);
        const auto until = ParseDate(*r.until);
        if (until && date::local_days{until->time_since_epoch()} < LocalDate(*zone, now)) {
            return Error::Invalid("recurrence_exhausted",
                                  fmt::format("recurrence.until ({}) is already past in the "
                                              "site's time zone; pick a later date or null.",
                                              *r.until),
                                  "recurrence.until");
        }
    }
    return Ok{};
}

Result<TimePoint> NextOccurrenceTarget(TimePoint last_slot, int every_days,
                                       std::string_view time_zone) {
    const date::time_zone* zone = FindZone(time_zone);
    if (zone == nullptr) return UnknownZone(time_zone);
    const date::local_time<Milliseconds> local = zone->to_local(last_slot) + date::days{every_days};
    // The slot rule of API.md §4: `first` is the offset in force before a gap or an overlap,
    // so a skipped time moves forward by the gap and a repeated one means its first instance.
    const date::local_info info = zone->get_info(std::chrono::floor<Seconds>(local));
    return TimePoint{local.time_since_epoch() - info.first.offset};
}

Result<NextOccurrence> PlanNextOccurrence(const Content& item, const PublishingSettings& settings,
                                          std::string_view time_zone, const SiteCalendar& calendar,
                                          TimePoint now) {
    NextOccurrence next;
    const std::optional<TimePoint> last = item.scheduled_publish_at ? item.scheduled_publish_at
                                                                    : item.published_at;
    if (!item.recurrence || !last ||
        !NextSiteStatus(item.status, item.site_status, SiteAction::kRecur)) {
        next.stop = RecurrenceStop::kNotRecurring;
        return next;
    }
    const Recurrence& r = *item.recurrence;
    if (r.count && item.publication_count >= *r.count) {
        next.stop = RecurrenceStop::kCountReached;
        return next;
    }
    auto target = NextOccurrenceTarget(*last, r.every_days, time_zone);
    if (!target) return target.error();
    next.target = *target;
    // AssignSlots gives slots strictly after its `now`: one millisecond before the target
    // lets the target itself be taken.
    const TimePoint after = std::max(now, *target - Milliseconds{1});
    const ContentId id = item.id;
    auto placed = AssignSlots(settings, time_zone, calendar, std::span(&id, 1), after);
    if (!placed) return placed.error();
    if (placed->empty()) {
        next.stop = RecurrenceStop::kNoFreeSlot;
        return next;
    }
    const TimePoint at = placed->front().at;
    if (r.until) {
        const date::time_zone* zone = FindZone(time_zone);
        const auto until = ParseDate(*r.until);
        if (zone != nullptr && until &&
            LocalDate(*zone, at) > date::local_days{until->time_since_epoch()}) {
            next.stop = RecurrenceStop::kUntilPassed;
            return next;
        }
    }
    next.at = at;
    return next;
}

Content Recur(const Content& item, TimePoint at, TimePoint now) {
    Content c = item;
    const auto status = NextSiteStatus(item.status, item.site_status, SiteAction::kRecur);
    c.site_status = status ? *status : SiteStatus::kScheduled;  // PlanNextOccurrence checked it
    c.scheduled_publish_at = at;
    c.site_status_updated_at = now;
    c.updated_at = now;
    c.next_attempt_at.reset();
    c.attempts = 0;
    c.last_error.clear();
    c.publication_id.clear();
    return c;
}

}  // namespace herald::domain
