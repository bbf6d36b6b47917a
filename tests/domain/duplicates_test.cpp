// The duplicate rule: same title (case and spacing aside) or same non-empty slug, dated
// within 30 days of each other, never the item itself.
#include "domain/duplicates.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace herald::domain {
namespace {

TimePoint Day(int d) { return *ParseIso("2026-01-01T00:00:00Z") + std::chrono::days{d}; }

TEST(NormalizeTitle, FoldsAsciiCaseAndSpacing) {
    EXPECT_EQ(NormalizeTitle("  Hello   World\t"), "hello world");
    EXPECT_EQ(NormalizeTitle("Ünïcode Stays"), "Ünïcode stays");
    EXPECT_EQ(NormalizeTitle("   "), "");
}

struct Case {
    const char* name;
    DuplicateCandidate item;
    std::vector<DuplicateCandidate> others;
    std::vector<DuplicateMatch> want;
};

class FindDuplicatesTable : public testing::TestWithParam<Case> {};

TEST_P(FindDuplicatesTable, Matches) {
    const Case& c = GetParam();
    const auto got = FindDuplicates(c.item, c.others);
    ASSERT_EQ(got.size(), c.want.size()) << c.name;
    for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].field, c.want[i].field) << c.name << " #" << i;
        EXPECT_EQ(got[i].other, c.want[i].other) << c.name << " #" << i;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Rule, FindDuplicatesTable,
    testing::Values(
        Case{"same title, same day",
             {1, "Hello", "", Day(10)},
             {{2, "hello", "", Day(10)}},
             {{DuplicateField::kTitle, 2}}},
        Case{"title with other spacing and case",
             {1, "Big  News", "", Day(10)},
             {{2, " big news ", "", Day(12)}},
             {{DuplicateField::kTitle, 2}}},
        Case{"exactly 30 days apart counts",
             {1, "A", "", Day(40)},
             {{2, "A", "", Day(10)}},
             {{DuplicateField::kTitle, 2}}},
        Case{"31 days apart does not", {1, "A", "", Day(41)}, {{2, "A", "", Day(10)}}, {}},
        Case{"later items count too",
             {1, "A", "", Day(10)},
             {{2, "A", "", Day(39)}},
             {{DuplicateField::kTitle, 2}}},
        Case{"the item itself is not its duplicate",
             {1, "A", "a", Day(10)},
             {{1, "A", "a", Day(10)}},
             {}},
        Case{"same slug, other title",
             {1, "A", "post-1", Day(10)},
             {{2, "B", "post-1", Day(11)}},
             {{DuplicateField::kSlug, 2}}},
        Case{"empty slugs never match", {1, "A", "", Day(10)}, {{2, "B", "", Day(10)}}, {}},
        Case{"slugs compare exactly",
             {1, "A", "post-1", Day(10)},
             {{2, "B", "post-10", Day(10)}},
             {}},
        Case{
            "title and slug of two others, ordered",
            {1, "A", "s", Day(10)},
            {{5, "B", "s", Day(10)}, {4, "a", "x", Day(10)}, {3, "A", "", Day(10)}},
            {{DuplicateField::kTitle, 3}, {DuplicateField::kTitle, 4}, {DuplicateField::kSlug, 5}}},
        Case{"both fields of one other",
             {1, "A", "s", Day(10)},
             {{2, "A", "s", Day(10)}},
             {{DuplicateField::kTitle, 2}, {DuplicateField::kSlug, 2}}}),
    [](const testing::TestParamInfo<Case>& info) { return "case" + std::to_string(info.index); });

TEST(DuplicateDate, ScheduledThenPublishedThenCreated) {
    Content c;
    c.created_at = Day(1);
    EXPECT_EQ(DuplicateDate(c), Day(1));
    c.published_at = Day(2);
    EXPECT_EQ(DuplicateDate(c), Day(2));
    c.scheduled_publish_at = Day(3);
    EXPECT_EQ(DuplicateDate(c), Day(3));
}

}  // namespace
}  // namespace herald::domain
