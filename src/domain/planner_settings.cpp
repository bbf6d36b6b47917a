#include "domain/planner_settings.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>

#include "common/text.hpp"

namespace herald::domain {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

size_t CountChars(std::string_view s) {
    return static_cast<size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string RangeField(size_t index, std::string_view member) {
    return fmt::format("blackout_dates[{}].{}", index, member);
}

}  // namespace

Result<int64_t> ParseLocalDate(std::string_view text, const std::string& field) {
    const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                        std::all_of(text.begin(), text.begin() + 4, IsDigit) && IsDigit(text[5]) &&
                        IsDigit(text[6]) && IsDigit(text[8]) && IsDigit(text[9]);
    if (shaped) {
        const int y = std::stoi(std::string(text.substr(0, 4)));
        const unsigned m = static_cast<unsigned>((text[5] - '0') * 10 + (text[6] - '0'));
        const unsigned d = static_cast<unsigned>((text[8] - '0') * 10 + (text[9] - '0'));
        const date::year_month_day ymd{date::year{y}, date::month{m}, date::day{d}};
        if (ymd.ok() && y >= kMinBlackoutYear && y <= kMaxBlackoutYear) {
            return int64_t{date::sys_days{ymd}.time_since_epoch().count()};
        }
    }
    return Error::Invalid("invalid_date",
                          fmt::format("{} must be a calendar date as YYYY-MM-DD, not \"{}\"", field,
                                      Utf8Prefix(text, 40)),
                          field);
}

std::string FormatLocalDate(int64_t day) {
    const date::year_month_day ymd{date::sys_days{date::days{static_cast<int>(day)}}};
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

Status ValidatePlannerSettings(const PublishingSettings& s) {
    if (s.max_lateness_minutes < 0 || s.max_lateness_minutes > kMaxLatenessMinutes) {
        return Error::Invalid(
            "invalid_minutes",
            fmt::format("max_lateness_minutes must be between 0 and {}", kMaxLatenessMinutes),
            "max_lateness_minutes");
    }
    if (s.min_spacing_minutes < 0 || s.min_spacing_minutes > kMaxSpacingMinutes) {
        return Error::Invalid("invalid_minutes",
                              fmt::format("min_spacing_minutes must be between 0 and {} (a week)",
                                          kMaxSpacingMinutes),
                              "min_spacing_minutes");
    }
    const auto& ranges = s.blackout_dates;
    if (ranges.size() > kMaxBlackoutRanges) {
        return Error::Invalid("too_many_blackouts",
                              fmt::format("blackout_dates may hold at most {} ranges; merge "
                                          "neighbouring ones",
                                          kMaxBlackoutRanges),
                              "blackout_dates");
    }
    for (size_t i = 0; i < ranges.size(); ++i) {
        if (ranges[i].from_day > ranges[i].to_day) {
            return Error::Invalid(
                "invalid_range",
                fmt::format("blackout_dates[{}]: from ({}) is after to ({})", i,
                            FormatLocalDate(ranges[i].from_day), FormatLocalDate(ranges[i].to_day)),
                RangeField(i, "to"));
        }
        if (CountChars(ranges[i].reason) > kMaxBlackoutReasonChars) {
            return Error::Invalid("too_long",
                                  fmt::format("blackout_dates[{}].reason must be at most {} "
                                              "characters",
                                              i, kMaxBlackoutReasonChars),
                                  RangeField(i, "reason"));
        }
    }
    // Overlaps, named by the later range in the caller's order.
    std::vector<size_t> order(ranges.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return ranges[a].from_day < ranges[b].from_day ||
               (ranges[a].from_day == ranges[b].from_day && a < b);
    });
    for (size_t k = 1; k < order.size(); ++k) {
        const size_t prev = order[k - 1], cur = order[k];
        if (ranges[cur].from_day <= ranges[prev].to_day) {
            const size_t later = std::max(prev, cur), earlier = std::min(prev, cur);
            return Error::Invalid(
                "overlapping_blackouts",
                fmt::format("blackout_dates[{}] overlaps blackout_dates[{}]", later, earlier),
                RangeField(later, "from"));
        }
    }
    return Ok{};
}

}  // namespace herald::domain
