#pragma once
// A site's publishing calendar as iCalendar text (RFC 5545): one VEVENT per scheduled or
// published item. Hand-written (Debian 12 has no C++ iCalendar writer; libical is C and
// parses far more than this writes): TEXT escaping (§3.3.11), UTC DATE-TIME (§3.3.5), CRLF
// line ends and folding at 75 octets without splitting a UTF-8 character (§3.1). Pure.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.hpp"
#include "domain/model.hpp"

namespace herald::domain {

struct IcalEvent {
    std::string uid;      // stable across feeds: the same item is the same event
    TimePoint start{};    // DTSTART, written in UTC
    std::string summary;  // the title
    std::string url;      // the published post, or empty
    std::string status;   // TENTATIVE (scheduled) or CONFIRMED (published)
};

/// The event for an item that is scheduled, publishing or published; nullopt for others.
std::optional<IcalEvent> IcalEventOf(const Content& content);

/// "a\, b\; c\\ d\n": backslash, comma, semicolon and newlines escaped; CR dropped.
std::string IcalEscapeText(std::string_view text);

/// `line` (without its end) as one or more lines of at most 75 octets each, CRLF-ended; a
/// continuation line starts with one space. Never splits a UTF-8 sequence.
std::string IcalFold(std::string_view line);

/// "20260120T140000Z".
std::string IcalDateTime(TimePoint t);

/// The whole VCALENDAR: VERSION, PRODID, CALSCALE, METHOD, X-WR-CALNAME `name`, then each
/// event with DTSTAMP `stamp`.
std::string WriteIcalCalendar(std::string_view name, std::span<const IcalEvent> events,
                              TimePoint stamp);

}  // namespace herald::domain
