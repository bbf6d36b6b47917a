#include "common/time.hpp"

#include <date/date.h>

#include <cctype>
#include <cstdio>

namespace herald {

std::string FormatIso(TimePoint t) {
    const auto day = date::floor<date::days>(t);
    const date::year_month_day ymd{day};
    const date::hh_mm_ss<Milliseconds> tod{t - day};
    char buf[40];
    const int ms = static_cast<int>(tod.subseconds().count());
    if (ms == 0) {
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()),
                      unsigned(ymd.month()), unsigned(ymd.day()), int(tod.hours().count()),
                      int(tod.minutes().count()), int(tod.seconds().count()));
    } else {
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                      unsigned(ymd.month()), unsigned(ymd.day()), int(tod.hours().count()),
                      int(tod.minutes().count()), int(tod.seconds().count()), ms);
    }
    return buf;
}

namespace {

// A tiny cursor; ISO 8601 is strict enough that a hand parser is shorter than a regex
// and reports no false positives (date::parse accepts partial input too liberally).
struct Cursor {
    std::string_view s;
    size_t pos = 0;
    bool Done() const { return pos >= s.size(); }
    char Peek() const { return Done() ? '\0' : s[pos]; }
    bool Eat(char c) {
        if (Peek() != c) return false;
        ++pos;
        return true;
    }
    bool Digits(int count, int& out) {
        out = 0;
        for (int i = 0; i < count; ++i) {
            if (Done() || !std::isdigit(static_cast<unsigned char>(s[pos]))) return false;
            out = out * 10 + (s[pos++] - '0');
        }
        return true;
    }
};

}  // namespace

std::optional<TimePoint> ParseIso(std::string_view text) {
    Cursor c{text};
    int year, month, day, hour, minute, second = 0;
    if (!c.Digits(4, year) || !c.Eat('-') || !c.Digits(2, month) || !c.Eat('-') ||
        !c.Digits(2, day))
        return std::nullopt;
    if (!(c.Eat('T') || c.Eat('t') || c.Eat(' '))) return std::nullopt;
    if (!c.Digits(2, hour) || !c.Eat(':') || !c.Digits(2, minute)) return std::nullopt;
    int millis = 0;
    if (c.Eat(':')) {
        if (!c.Digits(2, second)) return std::nullopt;
        if (c.Eat('.') || c.Eat(',')) {
            int digits = 0;
            while (!c.Done() && std::isdigit(static_cast<unsigned char>(c.Peek()))) {
                if (digits < 3) millis = millis * 10 + (c.Peek() - '0');
                ++digits;
                ++c.pos;
            }
            if (digits == 0) return std::nullopt;
            for (int d = digits; d < 3; ++d) millis *= 10;
        }
    }
    int offset_minutes = 0;
    if (c.Eat('Z') || c.Eat('z')) {
    } else if (c.Peek() == '+' || c.Peek() == '-') {
        const int sign = c.Peek() == '-' ? -1 : 1;
        ++c.pos;
        int oh, om = 0;
        if (!c.Digits(2, oh)) return std::nullopt;
        const bool colon = c.Eat(':');  // +HH:MM, +HHMM or +HH
        if ((colon || !c.Done()) && !c.Digits(2, om)) return std::nullopt;
        if (oh > 23 || om > 59) return std::nullopt;
        offset_minutes = sign * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    if (!c.Done()) return std::nullopt;
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    const date::year_month_day ymd{date::year{year}, date::month{unsigned(month)},
                                   date::day{unsigned(day)}};
    if (!ymd.ok()) return std::nullopt;
    const auto local = date::sys_days{ymd} + std::chrono::hours{hour} +
                       std::chrono::minutes{minute} + std::chrono::seconds{second} +
                       Milliseconds{millis};
    // Only instants FormatIso writes back in this same form, years 0000-9999 in UTC: an
    // offset can carry 0000-01-01T00:00+01:00 into year -1, or 9999-12-31T23:30-01:00 into
    // 10000, which herald would then answer with as a time it refuses to read.
    static constexpr date::sys_days kFirst{date::year{0} / 1 / 1};
    static constexpr date::sys_days kEnd{date::year{10000} / 1 / 1};
    const TimePoint utc{local - std::chrono::minutes{offset_minutes}};
    if (utc < kFirst || utc >= kEnd) return std::nullopt;
    return utc;
}

}  // namespace herald
