#pragma once
// Time vocabulary: every instant is UTC milliseconds; the API speaks ISO 8601.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace herald {

using Milliseconds = std::chrono::milliseconds;
using Seconds = std::chrono::seconds;
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

/// "2026-01-20T14:00:00Z"; milliseconds are added only when non-zero ("…:00.250Z").
std::string FormatIso(TimePoint t);

/// Accepts "YYYY-MM-DDTHH:MM[:SS[.fff…]]" followed by "Z", "+HH:MM", "+HHMM" or "+HH"
/// (a space may stand for the 'T'). An offset is required: a bare local time is ambiguous.
/// Returns nullopt on anything else, including impossible dates.
std::optional<TimePoint> ParseIso(std::string_view text);

inline int64_t ToUnixMillis(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromUnixMillis(int64_t ms) { return TimePoint{Milliseconds{ms}}; }

/// Where "now" comes from; tests and `--now` replace it.
class TimeSource {
public:
    virtual ~TimeSource() = default;
    /// Thread-safe.
    virtual TimePoint Now() const = 0;
};

class SystemTimeSource final : public TimeSource {
public:
    TimePoint Now() const override {
        return std::chrono::time_point_cast<Milliseconds>(std::chrono::system_clock::now());
    }
};

/// A clock pinned to one instant (the CLI's --now, and tests).
class FixedTimeSource final : public TimeSource {
public:
    explicit FixedTimeSource(TimePoint now) : now_(now) {}
    TimePoint Now() const override { return now_; }

private:
    TimePoint now_;
};

}  // namespace herald
