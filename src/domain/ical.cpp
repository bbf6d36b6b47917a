#include "domain/ical.hpp"

#include <algorithm>

#include <date/date.h>
#include <fmt/format.h>

namespace herald::domain {
namespace {

constexpr size_t kMaxLineOctets = 75;

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

void Property(std::string& out, std::string_view name, std::string_view value) {
    std::string line(name);
    line += ':';
    line += value;
    out += IcalFold(line);
}

}  // namespace

std::optional<IcalEvent> IcalEventOf(const Content& content) {
    IcalEvent event;
    switch (content.site_status) {
        case SiteStatus::kScheduled:
        case SiteStatus::kPublishing:
            if (!content.scheduled_publish_at) return std::nullopt;
            event.start = *content.scheduled_publish_at;
            event.status = "TENTATIVE";
            break;
        case SiteStatus::kPublished:
            event.start = content.published_at.value_or(
                content.scheduled_publish_at.value_or(content.site_status_updated_at));
            event.status = "CONFIRMED";
            // A URI value cannot carry line breaks or controls; such a URL is left out.
            if (std::none_of(content.external_url.begin(), content.external_url.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
                event.url = content.external_url;
            break;
        case SiteStatus::kNotPublished:
        case SiteStatus::kFailed:
            return std::nullopt;
    }
    event.uid = fmt::format("content-{}-site-{}@herald", content.id, content.site_id);
    event.summary = content.title;
    return event;
}

std::string IcalEscapeText(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 8);
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case ',':
                out += "\\,";
                break;
            case ';':
                out += "\\;";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                // CRLF is one line break; a lone CR is one too.
                if (i + 1 >= text.size() || text[i + 1] != '\n') out += "\\n";
                break;
            default:
                // Other control characters are not allowed in TEXT (§3.3.11).
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t') break;
                out += c;
        }
    }
    return out;
}

std::string IcalFold(std::string_view line) {
    std::string out;
    out.reserve(line.size() + line.size() / 70 * 3 + 2);
    size_t limit = kMaxLineOctets;  // the first line: 75; the next: 74 after their space
    while (line.size() > limit) {
        size_t cut = limit;
        while (cut > 0 && IsContinuation(line[cut])) --cut;
        if (cut == 0) cut = limit;  // not UTF-8 at all: cut where the limit says
        out.append(line.substr(0, cut));
        out += "\r\n ";
        line.remove_prefix(cut);
        limit = kMaxLineOctets - 1;
    }
    out.append(line);
    out += "\r\n";
    return out;
}

std::string IcalDateTime(TimePoint t) {
    return date::format("%Y%m%dT%H%M%SZ", std::chrono::floor<std::chrono::seconds>(t));
}

std::string WriteIcalCalendar(std::string_view name, std::span<const IcalEvent> events,
                              TimePoint stamp) {
    std::string out;
    out.reserve(256 + events.size() * 256);
    Property(out, "BEGIN", "VCALENDAR");
    Property(out, "VERSION", "2.0");
    Property(out, "PRODID", "-//herald//publishing calendar//EN");
    Property(out, "CALSCALE", "GREGORIAN");
    Property(out, "METHOD", "PUBLISH");
    Property(out, "X-WR-CALNAME", IcalEscapeText(name));
    const std::string dtstamp = IcalDateTime(stamp);
    for (const IcalEvent& event : events) {
        Property(out, "BEGIN", "VEVENT");
        Property(out, "UID", event.uid);
        Property(out, "DTSTAMP", dtstamp);
        Property(out, "DTSTART", IcalDateTime(event.start));
        Property(out, "SUMMARY", IcalEscapeText(event.summary));
        if (!event.url.empty()) Property(out, "URL", event.url);
        Property(out, "STATUS", event.status);
        Property(out, "END", "VEVENT");
    }
    Property(out, "END", "VCALENDAR");
    return out;
}

}  // namespace herald::domain
