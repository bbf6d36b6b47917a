// Every (from, to, site_status) editorial move and every (status, site_status, action) site
// move, checked against literal tables written independently of the implementation's table.
#include "domain/status_machine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace herald::domain {
namespace {

constexpr std::array kEditorial = {EditorialStatus::kDraft, EditorialStatus::kReview,
                                   EditorialStatus::kApproved};
constexpr std::array kSiteStatuses = {SiteStatus::kNotPublished, SiteStatus::kScheduled,
                                      SiteStatus::kPublishing, SiteStatus::kPublished,
                                      SiteStatus::kFailed};
constexpr std::array kActions = {SiteAction::kSchedule,     SiteAction::kReschedule,
                                 SiteAction::kUnschedule,   SiteAction::kPublishNow,
                                 SiteAction::kClaim,        SiteAction::kSucceed,
                                 SiteAction::kFail,         SiteAction::kRetryLater,
                                 SiteAction::kLeaseExpired, SiteAction::kRecur};

// ---------------------------------------------------------------------------------------------
// Editorial moves.

// 'Y' allowed, 'N' refused, 'G' allowed only while site_status is not_published or failed.
// Rows: from draft, review, approved; columns: to draft, review, approved.
constexpr const char* kEditorialMatrix[3] = {
    "YYN",  // draft    → draft (no-op), review, (not approved directly)
    "YYY",  // review   → draft, review (no-op), approved
    "GNY",  // approved → draft (gated), (not back to review), approved (no-op)
};

struct EditorialCase {
    EditorialStatus from;
    EditorialStatus to;
    SiteStatus site_status;
    bool allowed;
};

std::vector<EditorialCase> AllEditorialCases() {
    std::vector<EditorialCase> cases;
    for (size_t f = 0; f < 3; ++f) {
        for (size_t t = 0; t < 3; ++t) {
            for (const SiteStatus ss : kSiteStatuses) {
                const char cell = kEditorialMatrix[f][t];
                const bool allowed =
                    cell == 'Y' ||
                    (cell == 'G' && (ss == SiteStatus::kNotPublished || ss == SiteStatus::kFailed));
                cases.push_back({kEditorial[f], kEditorial[t], ss, allowed});
            }
        }
    }
    return cases;
}

void PrintTo(const EditorialCase& c, std::ostream* os) {
    *os << ToString(c.from) << " -> " << ToString(c.to) << " while " << ToString(c.site_status);
}

class EditorialMoveTest : public testing::TestWithParam<EditorialCase> {};

TEST_P(EditorialMoveTest, MatchesTable) {
    const EditorialCase& c = GetParam();
    const Status result = CheckEditorialMove(c.from, c.to, c.site_status);
    EXPECT_EQ(result.ok(), c.allowed);
    if (!result.ok()) {
        EXPECT_EQ(result.error().kind, ErrorKind::kConflict);
        EXPECT_EQ(result.error().code, "illegal_status_transition");
        EXPECT_EQ(result.error().field, "status");
        // The message names both statuses so a user can tell what was refused.
        EXPECT_NE(result.error().message.find(std::string(ToString(c.from))), std::string::npos);
        EXPECT_NE(result.error().message.find(std::string(ToString(c.to))), std::string::npos);
    }
}

INSTANTIATE_TEST_SUITE_P(AllPairs, EditorialMoveTest, testing::ValuesIn(AllEditorialCases()),
                         [](const testing::TestParamInfo<EditorialCase>& info) {
                             return std::string(ToString(info.param.from)) + "_to_" +
                                    std::string(ToString(info.param.to)) + "_while_" +
                                    std::string(ToString(info.param.site_status));
                         });

TEST(CheckEditorialMove, ApprovedToDraftWhileScheduledNamesSiteStatus) {
    const Status s = CheckEditorialMove(EditorialStatus::kApproved, EditorialStatus::kDraft,
                                        SiteStatus::kScheduled);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("scheduled"), std::string::npos) << s.error().message;
}

// The matrix is only as complete as its lists of statuses: each status the API speaks of
// (docs/openapi.yaml, EditorialStatus and SiteStatus) must be in them, as parsed here.
TEST(CheckEditorialMove, MatrixCoversEveryStatusOfTheApi) {
    for (const char* name : {"draft", "review", "approved"}) {
        const auto status = ParseEditorialStatus(name);
        ASSERT_TRUE(status) << name;
        EXPECT_NE(std::find(kEditorial.begin(), kEditorial.end(), *status), kEditorial.end())
            << name;
    }
    for (const char* name : {"not_published", "scheduled", "publishing", "published", "failed"}) {
        const auto status = ParseSiteStatus(name);
        ASSERT_TRUE(status) << name;
        EXPECT_NE(std::find(kSiteStatuses.begin(), kSiteStatuses.end(), *status),
                  kSiteStatuses.end())
            << name;
    }
}

// ---------------------------------------------------------------------------------------------
// Site moves.

struct ActionExpectation {
    SiteAction action;
    bool needs_approved;
    // The resulting site_status for each from-status in kSiteStatuses order, or "-" if refused.
    std::array<const char*, 5> result;  // not_published, scheduled, publishing, published, failed
};

// Written from API.md §3/§5 and the header comments, not from the implementation.
const std::array<ActionExpectation, 10> kActionTable = {{
    {SiteAction::kSchedule, true, {"scheduled", "-", "-", "-", "-"}},
    {SiteAction::kReschedule, true, {"scheduled", "scheduled", "-", "scheduled", "scheduled"}},
    {SiteAction::kUnschedule, false, {"-", "not_published", "-", "-", "-"}},
    {SiteAction::kPublishNow, true, {"publishing", "publishing", "-", "publishing", "publishing"}},
    {SiteAction::kClaim, false, {"-", "publishing", "-", "-", "-"}},
    {SiteAction::kSucceed, false, {"-", "-", "published", "-", "-"}},
    {SiteAction::kFail, false, {"-", "-", "failed", "-", "-"}},
    {SiteAction::kRetryLater, false, {"-", "-", "scheduled", "-", "-"}},
    {SiteAction::kLeaseExpired, false, {"-", "-", "scheduled", "-", "-"}},
    // §9: an evergreen item comes back from published only, and only while approved.
    {SiteAction::kRecur, true, {"-", "-", "-", "scheduled", "-"}},
}};

struct SiteCase {
    EditorialStatus status;
    SiteStatus from;
    SiteAction action;
    std::string expected;  // a site_status name, or "-" for a conflict
};

std::vector<SiteCase> AllSiteCases() {
    std::vector<SiteCase> cases;
    for (const ActionExpectation& row : kActionTable) {
        for (const EditorialStatus status : kEditorial) {
            for (size_t i = 0; i < kSiteStatuses.size(); ++i) {
                std::string expected = row.result[i];
                if (row.needs_approved && status != EditorialStatus::kApproved) expected = "-";
                cases.push_back({status, kSiteStatuses[i], row.action, expected});
            }
        }
    }
    return cases;
}

void PrintTo(const SiteCase& c, std::ostream* os) {
    *os << ToString(c.action) << " on " << ToString(c.status) << "/" << ToString(c.from);
}

class SiteMoveTest : public testing::TestWithParam<SiteCase> {};

TEST_P(SiteMoveTest, MatchesTable) {
    const SiteCase& c = GetParam();
    const Result<SiteStatus> next = NextSiteStatus(c.status, c.from, c.action);
    if (c.expected == "-") {
        ASSERT_FALSE(next.ok()) << "unexpectedly allowed, gave " << ToString(*next);
        EXPECT_EQ(next.error().kind, ErrorKind::kConflict);
        EXPECT_FALSE(next.error().code.empty());
        EXPECT_FALSE(next.error().message.empty());
        // Every refusal names the current state that caused it.
        const bool names_status =
            next.error().message.find(std::string(ToString(c.status))) != std::string::npos;
        const bool names_site_status =
            next.error().message.find(std::string(ToString(c.from))) != std::string::npos;
        EXPECT_TRUE(names_status || names_site_status) << next.error().message;
    } else {
        ASSERT_TRUE(next.ok()) << next.error().message;
        EXPECT_EQ(ToString(*next), c.expected);
    }
}

INSTANTIATE_TEST_SUITE_P(AllCombinations, SiteMoveTest, testing::ValuesIn(AllSiteCases()),
                         [](const testing::TestParamInfo<SiteCase>& info) {
                             return std::string(ToString(info.param.action)) + "_" +
                                    std::string(ToString(info.param.status)) + "_from_" +
                                    std::string(ToString(info.param.from));
                         });

// A row for each action status_machine.hpp declares, known by the names the implementation
// gives them (its rule table, which NextSiteStatus reads, holds those names).
TEST(NextSiteStatus, TableHasARowForEveryAction) {
    const std::set<std::string_view> declared = {
        "schedule", "reschedule", "unschedule",  "publish_now",   "claim",
        "succeed",  "fail",       "retry_later", "lease_expired", "recur"};
    std::set<std::string_view> in_table;
    for (const ActionExpectation& row : kActionTable) in_table.insert(ToString(row.action));
    EXPECT_EQ(in_table, declared);
}

TEST(NextSiteStatus, ScheduleDraftMessageNamesStatus) {
    const Result<SiteStatus> r =
        NextSiteStatus(EditorialStatus::kDraft, SiteStatus::kNotPublished, SiteAction::kSchedule);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "not_approved");
    EXPECT_EQ(r.error().field, "status");
    EXPECT_EQ(r.error().message,
              "content must be approved before it can be scheduled (status is draft)");
}

TEST(NextSiteStatus, ApprovalIsCheckedBeforeSiteStatus) {
    // Both are wrong; the editorial reason is the more useful one to report.
    const Result<SiteStatus> r =
        NextSiteStatus(EditorialStatus::kReview, SiteStatus::kPublishing, SiteAction::kPublishNow);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "not_approved");
    EXPECT_NE(r.error().message.find("(status is review)"), std::string::npos);
}

TEST(NextSiteStatus, InFlightPublishHasItsOwnCode) {
    const Result<SiteStatus> r = NextSiteStatus(EditorialStatus::kApproved, SiteStatus::kPublishing,
                                                SiteAction::kReschedule);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "already_publishing");
    EXPECT_EQ(r.error().field, "site_status");
    EXPECT_NE(r.error().message.find("(site status is publishing)"), std::string::npos);
}

TEST(NextSiteStatus, ScheduleTwiceSuggestsReschedule) {
    const Result<SiteStatus> r =
        NextSiteStatus(EditorialStatus::kApproved, SiteStatus::kScheduled, SiteAction::kSchedule);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "illegal_status_transition");
    EXPECT_NE(r.error().message.find("reschedule"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("(site status is scheduled)"), std::string::npos);
}

TEST(SiteActionNames, AreDistinctSnakeCase) {
    std::vector<std::string> names;
    for (const SiteAction a : kActions) {
        const std::string name(ToString(a));
        EXPECT_FALSE(name.empty());
        for (const char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << name;
        for (const std::string& other : names) EXPECT_NE(name, other);
        names.push_back(name);
    }
}

TEST(CheckDelete, RefusedOnlyWhilePublishing) {
    for (const SiteStatus ss : kSiteStatuses) {
        const Status s = CheckDelete(ss);
        EXPECT_EQ(s.ok(), ss != SiteStatus::kPublishing) << ToString(ss);
        if (!s.ok()) {
            EXPECT_EQ(s.error().kind, ErrorKind::kConflict);
            EXPECT_EQ(s.error().code, "already_publishing");
        }
    }
}

}  // namespace
}  // namespace herald::domain
