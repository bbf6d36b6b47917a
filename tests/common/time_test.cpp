#include "common/time.hpp"

#include <gtest/gtest.h>

namespace herald {
namespace {

TEST(ParseIso, AcceptsUtcAndOffsets) {
    const auto utc = ParseIso("2026-01-20T14:00:00Z");
    ASSERT_TRUE(utc);
    EXPECT_EQ(FormatIso(*utc), "2026-01-20T14:00:00Z");
    EXPECT_EQ(ParseIso("2026-01-20T16:00:00+02:00"), utc);
    EXPECT_EQ(ParseIso("2026-01-20T09:00:00-0500"), utc);
    EXPECT_EQ(ParseIso("2026-01-20T14:00Z"), utc);
    EXPECT_EQ(ParseIso("2026-01-20 14:00:00z"), utc);
}

TEST(ParseIso, KeepsMilliseconds) {
    const auto t = ParseIso("2026-01-20T14:00:00.25Z");
    ASSERT_TRUE(t);
    EXPECT_EQ(FormatIso(*t), "2026-01-20T14:00:00.250Z");
    EXPECT_EQ(ParseIso("2026-01-20T14:00:00.250999Z"), t);
}

TEST(ParseIso, RejectsMalformedOrImpossible) {
    for (const char* bad :
         {"", "2026-01-20", "2026-01-20T14:00:00", "2026-02-30T00:00:00Z", "2026-01-20T24:00:00Z",
          "2026-01-20T14:60:00Z", "tomorrow", "2026-01-20T14:00:00Zjunk",
          "2026-01-20T14:00:00+25:00", "2026-1-20T14:00:00Z", "2026-01-20T14:00:00."}) {
        EXPECT_FALSE(ParseIso(bad)) << bad;
    }
}

// Found by fuzz/json_bodies and fuzz/query: the offset moved these out of the years FormatIso
// writes, so herald answered with times it refuses to read.
TEST(ParseIso, RejectsInstantsOutsideYearsZeroTo9999) {
    EXPECT_FALSE(ParseIso("0000-01-01T00:00:00+01:00"));
    EXPECT_FALSE(ParseIso("9999-12-31T23:30:00-01:00"));
    for (const char* edge : {"0000-01-01T00:00:00Z", "0000-01-01T00:00:00-01:00",
                             "9999-12-31T23:59:59.999Z", "9999-12-31T23:30:00+01:00"}) {
        const auto t = ParseIso(edge);
        ASSERT_TRUE(t) << edge;
        EXPECT_EQ(ParseIso(FormatIso(*t)), t) << edge;
    }
}

TEST(FormatIso, EpochAndLeapDay) {
    EXPECT_EQ(FormatIso(FromUnixMillis(0)), "1970-01-01T00:00:00Z");
    EXPECT_EQ(FormatIso(*ParseIso("2028-02-29T23:59:59Z")), "2028-02-29T23:59:59Z");
}

}  // namespace
}  // namespace herald
