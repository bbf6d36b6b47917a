#include "domain/slot_rules.hpp"

#include <algorithm>

#include <date/date.h>

namespace herald::domain {

std::string_view ToString(SlotState state) {
    switch (state) {
        case SlotState::kPast:
            return "past";
        case SlotState::kTaken:
            return "taken";
        case SlotState::kBlackout:
            return "blackout";
        case SlotState::kFull:
            return "full";
        case SlotState::kTooClose:
            return "too_close";
        case SlotState::kFree:
            return "free";
    }
    return "free";
}

int WeekdayOf(int64_t day) { return static_cast<int>(((day + 3) % 7 + 7) % 7); }

int64_t MonthKey(int64_t day) {
    const date::year_month_day ymd{date::sys_days{date::days{static_cast<int>(day)}}};
    return int64_t{static_cast<int>(ymd.year())} * 12 + static_cast<unsigned>(ymd.month()) - 1;
}

// --- LimitCounter -----------------------------------------------------------------------

LimitCounter::LimitCounter(const PublishingSettings& settings, int64_t first_day, int64_t last_day)
    : daily_(settings.daily_publish_limit),
      weekly_(settings.weekly_publish_limit),
      monthly_(settings.monthly_publish_limit),
      // 40 days before covers the ISO week and month containing first_day; 40 after covers
      // an instant pushed past last_day by a gap.
      base_day_(first_day - 40),
      end_day_(std::max(first_day, last_day) + 40),
      base_monday_(base_day_ - WeekdayOf(base_day_)),
      base_month_(MonthKey(base_day_)) {
    const auto span = static_cast<size_t>(end_day_ - base_day_ + 1);
    if (daily_) per_day_.assign(span, 0);
    if (weekly_) per_week_.assign(span / 7 + 2, 0);
    if (monthly_) per_month_.assign(span / 28 + 2, 0);
}

bool LimitCounter::AnyZero() const {
    return (daily_ && *daily_ <= 0) || (weekly_ && *weekly_ <= 0) || (monthly_ && *monthly_ <= 0);
}

bool LimitCounter::Fits(int64_t day) const {
    if (!Active()) return true;
    if (day < base_day_ || day > end_day_) return true;  // outside every counted period
    if (daily_ && per_day_[DayIndex(day)] >= *daily_) return false;
    if (weekly_ && per_week_[WeekIndex(day)] >= *weekly_) return false;
    if (monthly_ && per_month_[MonthIndex(day)] >= *monthly_) return false;
    return true;
}

void LimitCounter::Add(int64_t day) {
    if (!Active() || day < base_day_ || day > end_day_) return;
    if (daily_) ++per_day_[DayIndex(day)];
    if (weekly_) ++per_week_[WeekIndex(day)];
    if (monthly_) ++per_month_[MonthIndex(day)];
}

size_t LimitCounter::WeekIndex(int64_t day) const {
    return static_cast<size_t>((day - WeekdayOf(day) - base_monday_) / 7);
}

size_t LimitCounter::MonthIndex(int64_t day) const {
    return static_cast<size_t>(MonthKey(day) - base_month_);
}

// --- SlotRules --------------------------------------------------------------------------

SlotRules::SlotRules(const PublishingSettings& settings, int64_t first_day, int64_t last_day)
    : blackouts_(settings.blackout_dates),
      limits_(settings, first_day, last_day),
      spacing_ms_(int64_t{std::max(0, settings.min_spacing_minutes)} * 60'000) {
    std::sort(
        blackouts_.begin(), blackouts_.end(),
        [](const BlackoutRange& a, const BlackoutRange& b) { return a.from_day < b.from_day; });
}

const BlackoutRange* SlotRules::BlackoutOn(int64_t day) const {
    // The last range starting on or before `day`; validation keeps ranges from overlapping.
    auto it = std::upper_bound(blackouts_.begin(), blackouts_.end(), day,
                               [](int64_t d, const BlackoutRange& r) { return d < r.from_day; });
    if (it == blackouts_.begin()) return nullptr;
    --it;
    return day <= it->to_day ? &*it : nullptr;
}

bool SlotRules::DayClosed(int64_t day) const {
    return BlackoutOn(day) != nullptr || !limits_.Fits(day);
}

void SlotRules::AddScheduled(TimePoint at, int64_t local_day) {
    occupied_.insert(ToUnixMillis(at));
    AddPublished(at, local_day);
}

void SlotRules::AddPublished(TimePoint at, int64_t local_day) {
    limits_.Add(local_day);
    if (spacing_ms_ > 0) spaced_.insert(ToUnixMillis(at));
}

SlotVerdict SlotRules::Judge(TimePoint at, int64_t local_day) const {
    const int64_t ms = ToUnixMillis(at);
    if (occupied_.contains(ms)) return {SlotState::kTaken};
    if (const BlackoutRange* b = BlackoutOn(local_day)) return {SlotState::kBlackout, b};
    if (!limits_.Fits(local_day)) return {SlotState::kFull};
    if (spacing_ms_ > 0) {
        // The first counted item after at - spacing; "closer than" is strict, so an item
        // exactly min_spacing_minutes away leaves the slot free.
        const auto it = spaced_.upper_bound(ms - spacing_ms_);
        if (it != spaced_.end() && *it < ms + spacing_ms_) {
            return {SlotState::kTooClose, nullptr, FromUnixMillis(*it)};
        }
    }
    return {SlotState::kFree};
}

}  // namespace herald::domain
