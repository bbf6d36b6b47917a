// The iCalendar writer against RFC 5545's rules: required properties, TEXT escaping, UTC
// DATE-TIME, CRLF line ends and folding at 75 octets without splitting UTF-8.
#include "domain/ical.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace herald::domain {
namespace {

TimePoint At(const char* iso) { return *ParseIso(iso); }

/// The unfolded logical lines of `text` (§3.1: CRLF followed by one space or tab continues).
std::vector<std::string> Unfold(const std::string& text) {
    std::vector<std::string> lines;
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t end = text.find("\r\n", pos);
        EXPECT_NE(end, std::string::npos) << "every line ends in CRLF";
        if (end == std::string::npos) break;
        const std::string physical = text.substr(pos, end - pos);
        if (!physical.empty() && (physical[0] == ' ' || physical[0] == '\t')) {
            EXPECT_FALSE(lines.empty());
            if (!lines.empty()) lines.back() += physical.substr(1);
        } else {
            lines.push_back(physical);
        }
        pos = end + 2;
    }
    return lines;
}

bool ValidUtf8(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const size_t n = c < 0x80         ? 1
                         : (c >> 5) == 6  ? 2
                         : (c >> 4) == 14 ? 3
                         : (c >> 3) == 30 ? 4
                                          : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

TEST(IcalEscapeText, EscapesTheFourSpecials) {
    EXPECT_EQ(IcalEscapeText("a, b; c\\ d\ne"), "a\\, b\\; c\\\\ d\\ne");
    EXPECT_EQ(IcalEscapeText("crlf\r\nlone\rcr"), "crlf\\nlone\\ncr");
    EXPECT_EQ(IcalEscapeText(std::string("bell\a!")), "bell!");
    EXPECT_EQ(IcalEscapeText("plain: \"quoted\""), "plain: \"quoted\"");
}

TEST(IcalFold, ShortLinesStayWhole) {
    EXPECT_EQ(IcalFold("SUMMARY:short"), "SUMMARY:short\r\n");
    const std::string exactly75(75, 'x');
    EXPECT_EQ(IcalFold(exactly75), exactly75 + "\r\n");
}

TEST(IcalFold, EveryPhysicalLineAtMost75OctetsAndUnfoldsBack) {
    for (const std::string& unit : {std::string("x"), std::string("é"), std::string("€"),
                                    std::string("😀"), std::string("aé€😀")}) {
        for (int n : {1, 20, 37, 74, 75, 76, 200}) {
            std::string line = "SUMMARY:";
            for (int i = 0; i < n; ++i) line += unit;
            const std::string folded = IcalFold(line);
            size_t pos = 0;
            while (pos < folded.size()) {
                const size_t end = folded.find("\r\n", pos);
                ASSERT_NE(end, std::string::npos);
                const std::string physical = folded.substr(pos, end - pos);
                EXPECT_LE(physical.size(), 75u) << unit << " x" << n;
                // Each physical line (without the continuation space) is whole UTF-8.
                EXPECT_TRUE(ValidUtf8(pos == 0 ? physical : physical.substr(1))) << unit << n;
                pos = end + 2;
            }
            const auto lines = Unfold(folded);
            ASSERT_EQ(lines.size(), 1u);
            EXPECT_EQ(lines[0], line);
        }
    }
}

TEST(IcalDateTime, UtcBasicFormat) {
    EXPECT_EQ(IcalDateTime(At("2026-01-20T15:04:05.250+01:00")), "20260120T140405Z");
}

Content Item(ContentId id, SiteStatus status) {
    Content c;
    c.id = id;
    c.site_id = 7;
    c.title = "Title, with; specials\\ and\nnewline";
    c.site_status = status;
    c.scheduled_publish_at = At("2026-02-01T09:00:00Z");
    return c;
}

TEST(IcalEventOf, OnlyScheduledAndPublishedItems) {
    EXPECT_FALSE(IcalEventOf(Item(1, SiteStatus::kNotPublished)));
    EXPECT_FALSE(IcalEventOf(Item(1, SiteStatus::kFailed)));
    const auto scheduled = IcalEventOf(Item(1, SiteStatus::kScheduled));
    ASSERT_TRUE(scheduled);
    EXPECT_EQ(scheduled->status, "TENTATIVE");
    EXPECT_EQ(scheduled->uid, "content-1-site-7@herald");
    EXPECT_TRUE(scheduled->url.empty());
    Content published = Item(2, SiteStatus::kPublished);
    published.published_at = At("2026-02-01T09:00:03Z");
    published.external_url = "https://blog.example.com/p/2";
    const auto event = IcalEventOf(published);
    ASSERT_TRUE(event);
    EXPECT_EQ(event->status, "CONFIRMED");
    EXPECT_EQ(event->start, *published.published_at);
    EXPECT_EQ(event->url, published.external_url);
    published.external_url = "https://x/\r\nBEGIN:VEVENT";
    EXPECT_TRUE(IcalEventOf(published)->url.empty()) << "no property injection through a URL";
}

TEST(WriteIcalCalendar, HasTheRequiredPropertiesInOrder) {
    Content published = Item(2, SiteStatus::kPublished);
    published.published_at = At("2026-02-01T09:00:00Z");
    published.external_url = "https://blog.example.com/p/2";
    published.title = std::string(120, 'a') + "é";
    const std::vector<IcalEvent> events = {*IcalEventOf(Item(1, SiteStatus::kScheduled)),
                                           *IcalEventOf(published)};
    const std::string text = WriteIcalCalendar("Blog; main", events, At("2026-01-20T12:00:00Z"));
    const auto lines = Unfold(text);
    ASSERT_GE(lines.size(), 4u);
    EXPECT_EQ(lines.front(), "BEGIN:VCALENDAR");
    EXPECT_EQ(lines.back(), "END:VCALENDAR");
    EXPECT_EQ(std::count(lines.begin(), lines.end(), "VERSION:2.0"), 1);
    EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                            [](const std::string& l) { return l.rfind("PRODID:", 0) == 0; }),
              1);
    EXPECT_NE(std::find(lines.begin(), lines.end(), "X-WR-CALNAME:Blog\\; main"), lines.end());
    // Each VEVENT: UID, DTSTAMP and DTSTART exactly once (§3.6.1), then its other properties.
    int events_seen = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i] != "BEGIN:VEVENT") continue;
        ++events_seen;
        std::map<std::string, int> seen;
        size_t j = i + 1;
        for (; j < lines.size() && lines[j] != "END:VEVENT"; ++j)
            ++seen[lines[j].substr(0, lines[j].find(':'))];
        ASSERT_LT(j, lines.size());
        for (const char* required : {"UID", "DTSTAMP", "DTSTART", "SUMMARY", "STATUS"})
            EXPECT_EQ(seen[required], 1) << required;
    }
    EXPECT_EQ(events_seen, 2);
    EXPECT_NE(std::find(lines.begin(), lines.end(),
                        "SUMMARY:Title\\, with\\; specials\\\\ and\\nnewline"),
              lines.end());
    EXPECT_NE(std::find(lines.begin(), lines.end(), "DTSTART:20260201T090000Z"), lines.end());
    EXPECT_NE(std::find(lines.begin(), lines.end(), "DTSTAMP:20260120T120000Z"), lines.end());
    EXPECT_NE(std::find(lines.begin(), lines.end(), "URL:https://blog.example.com/p/2"),
              lines.end());
    EXPECT_NE(std::find(lines.begin(), lines.end(), "SUMMARY:" + published.title), lines.end());
    // No bare LF anywhere: every line break is CRLF.
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') {
            EXPECT_TRUE(i > 0 && text[i - 1] == '\r') << i;
        }
    }
}

}  // namespace
}  // namespace herald::domain
