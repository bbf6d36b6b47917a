// Retry classification and backoff: exact delays, so a change of formula cannot pass unseen.
#include "domain/retry_policy.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace herald::domain {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kNow = FromUnixMillis(1'767'225'600'000);  // 2026-01-01T00:00:00Z
constexpr double kNoJitter = 0.5;                          // maps to a factor of exactly 1

// ---------------------------------------------------------------------------------------------

struct StatusCase {
    int http_status;
    FailureKind kind;
};

void PrintTo(const StatusCase& c, std::ostream* os) { *os << "HTTP " << c.http_status; }

class ClassifyHttpStatusTest : public testing::TestWithParam<StatusCase> {};

TEST_P(ClassifyHttpStatusTest, MatchesTable) {
    EXPECT_EQ(ClassifyHttpStatus(GetParam().http_status), GetParam().kind);
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, ClassifyHttpStatusTest,
    testing::Values(
        StatusCase{400, FailureKind::kPermanent}, StatusCase{401, FailureKind::kCredentialsRefused},
        StatusCase{403, FailureKind::kCredentialsRefused}, StatusCase{404, FailureKind::kPermanent},
        StatusCase{405, FailureKind::kPermanent}, StatusCase{407, FailureKind::kPermanent},
        StatusCase{408, FailureKind::kTransient}, StatusCase{409, FailureKind::kPermanent},
        StatusCase{410, FailureKind::kPermanent}, StatusCase{413, FailureKind::kPermanent},
        StatusCase{422, FailureKind::kPermanent}, StatusCase{424, FailureKind::kPermanent},
        StatusCase{425, FailureKind::kTransient}, StatusCase{428, FailureKind::kPermanent},
        StatusCase{429, FailureKind::kTransient}, StatusCase{430, FailureKind::kPermanent},
        StatusCase{451, FailureKind::kPermanent}, StatusCase{499, FailureKind::kPermanent},
        StatusCase{500, FailureKind::kTransient}, StatusCase{501, FailureKind::kTransient},
        StatusCase{502, FailureKind::kTransient}, StatusCase{503, FailureKind::kTransient},
        StatusCase{504, FailureKind::kTransient}, StatusCase{599, FailureKind::kTransient}),
    [](const testing::TestParamInfo<StatusCase>& info) {
        return "http_" + std::to_string(info.param.http_status);
    });

// ---------------------------------------------------------------------------------------------

RetryPolicy LongPolicy() {
    RetryPolicy p;
    p.max_attempts = 100;
    return p;
}

milliseconds DelayOf(const RetryDecision& d) { return d.next_attempt_at - kNow; }

struct BackoffCase {
    int attempt;
    milliseconds expected;
};

void PrintTo(const BackoffCase& c, std::ostream* os) { *os << "attempt " << c.attempt; }

class BackoffTest : public testing::TestWithParam<BackoffCase> {};

TEST_P(BackoffTest, DoublesFromBaseUntilCapped) {
    const RetryDecision d = DecideRetry(LongPolicy(), GetParam().attempt, FailureKind::kTransient,
                                        std::nullopt, kNow, kNoJitter);
    ASSERT_TRUE(d.retry);
    EXPECT_EQ(DelayOf(d), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Attempts, BackoffTest,
    testing::Values(BackoffCase{1, seconds{2}}, BackoffCase{2, seconds{4}},
                    BackoffCase{3, seconds{8}}, BackoffCase{4, seconds{16}},
                    BackoffCase{5, seconds{32}}, BackoffCase{8, seconds{256}},
                    BackoffCase{9, seconds{512}},
                    BackoffCase{10, minutes{10}},  // 1024 s capped at 600 s
                    BackoffCase{30, minutes{10}},
                    BackoffCase{99, minutes{10}}),  // no overflow however many attempts
    [](const testing::TestParamInfo<BackoffCase>& info) {
        return "attempt_" + std::to_string(info.param.attempt);
    });

TEST(DecideRetry, JitterEndpointsAndMidpoints) {
    RetryPolicy p;
    p.base_delay = seconds{10};
    // factor = 1 + 0.2 * (2u - 1)
    EXPECT_EQ(DelayOf(DecideRetry(p, 1, FailureKind::kTransient, {}, kNow, 0.0)),
              milliseconds{8000});
    EXPECT_EQ(DelayOf(DecideRetry(p, 1, FailureKind::kTransient, {}, kNow, 0.25)),
              milliseconds{9000});
    EXPECT_EQ(DelayOf(DecideRetry(p, 1, FailureKind::kTransient, {}, kNow, 0.75)),
              milliseconds{11000});
    EXPECT_EQ(DelayOf(DecideRetry(p, 1, FailureKind::kTransient, {}, kNow, 0.9999)),
              milliseconds{12000});  // 11999.6 ms, rounded to the nearest millisecond
}

TEST(DecideRetry, JitterStaysWithinFractionOfTheCappedDelay) {
    const RetryPolicy p = LongPolicy();
    for (const int attempt : {1, 3, 12}) {
        const double nominal_ms =
            attempt == 12 ? 600'000.0 : 2000.0 * static_cast<double>(1 << (attempt - 1));
        for (int i = 0; i < 1000; ++i) {
            const double unit = i / 1000.0;
            const RetryDecision d =
                DecideRetry(p, attempt, FailureKind::kTransient, {}, kNow, unit);
            ASSERT_TRUE(d.retry);
            const double ms = static_cast<double>(DelayOf(d).count());
            EXPECT_GE(ms, nominal_ms * 0.8 - 1) << attempt << " " << unit;
            EXPECT_LE(ms, nominal_ms * 1.2 + 1) << attempt << " " << unit;
        }
    }
}

TEST(DecideRetry, JitterIsMonotonicInTheUnit) {
    const RetryPolicy p = LongPolicy();
    milliseconds previous{0};
    for (int i = 0; i < 100; ++i) {
        const milliseconds d =
            DelayOf(DecideRetry(p, 2, FailureKind::kTransient, {}, kNow, i / 100.0));
        EXPECT_GE(d, previous);
        previous = d;
    }
}

TEST(DecideRetry, OutOfRangeJitterUnitIsClamped) {
    const RetryPolicy p;
    EXPECT_EQ(DelayOf(DecideRetry(p, 1, FailureKind::kTransient, {}, kNow, -5.0)),
              milliseconds{1600});
    EXPECT_EQ(DelayOf(DecideRetry(p, 1, FailureKind::kTransient, {}, kNow, 7.0)),
              milliseconds{2400});
}

TEST(DecideRetry, ZeroJitterFractionGivesExactBackoff) {
    RetryPolicy p;
    p.jitter_fraction = 0.0;
    EXPECT_EQ(DelayOf(DecideRetry(p, 3, FailureKind::kTransient, {}, kNow, 0.0)), seconds{8});
    EXPECT_EQ(DelayOf(DecideRetry(p, 3, FailureKind::kTransient, {}, kNow, 0.99)), seconds{8});
}

struct RetryAfterCase {
    const char* name;
    int attempt;
    std::optional<milliseconds> retry_after;
    milliseconds expected;
};

void PrintTo(const RetryAfterCase& c, std::ostream* os) { *os << c.name; }

class RetryAfterTest : public testing::TestWithParam<RetryAfterCase> {};

TEST_P(RetryAfterTest, HonouredWhenLongerAndCapped) {
    const RetryAfterCase& c = GetParam();
    const RetryDecision d = DecideRetry(RetryPolicy{}, c.attempt, FailureKind::kTransient,
                                        c.retry_after, kNow, kNoJitter);
    ASSERT_TRUE(d.retry);
    EXPECT_EQ(DelayOf(d), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RetryAfterTest,
    testing::Values(RetryAfterCase{"absent", 1, std::nullopt, seconds{2}},
                    RetryAfterCase{"longer_than_backoff", 1, seconds{30}, seconds{30}},
                    RetryAfterCase{"shorter_than_backoff", 3, seconds{1}, seconds{8}},
                    RetryAfterCase{"equal_to_backoff", 2, seconds{4}, seconds{4}},
                    RetryAfterCase{"capped_at_max_retry_after", 1, hours{2}, hours{1}},
                    RetryAfterCase{"exactly_the_cap", 1, hours{1}, hours{1}},
                    RetryAfterCase{"longer_than_max_delay_but_under_cap", 4, minutes{20},
                                   minutes{20}},
                    RetryAfterCase{"zero_is_ignored", 1, milliseconds{0}, seconds{2}},
                    RetryAfterCase{"negative_is_ignored", 1, milliseconds{-5000}, seconds{2}}),
    [](const testing::TestParamInfo<RetryAfterCase>& info) { return info.param.name; });

TEST(DecideRetry, PermanentNeverRetries) {
    const RetryDecision d =
        DecideRetry(RetryPolicy{}, 1, FailureKind::kPermanent, seconds{5}, kNow, kNoJitter);
    EXPECT_FALSE(d.retry);
}

TEST(DecideRetry, NoCountLimitByDefault) {
    const RetryPolicy p;  // max_attempts = 0: the window alone ends retries
    EXPECT_TRUE(DecideRetry(p, 500, FailureKind::kTransient, std::nullopt, kNow, kNoJitter).retry);
}

TEST(DecideRetry, StopsAtTheDeadline) {
    const RetryPolicy p;
    const TimePoint deadline = kNow + minutes{1};
    // Before the window closes: the backoff (2 s) fits.
    RetryDecision d =
        DecideRetry(p, 1, FailureKind::kTransient, std::nullopt, kNow, kNoJitter, deadline);
    ASSERT_TRUE(d.retry);
    EXPECT_EQ(d.next_attempt_at, kNow + seconds{2});
    // A backoff (or Retry-After) past the deadline is moved to it: one last try at the end.
    d = DecideRetry(p, 1, FailureKind::kTransient, minutes{30}, kNow, kNoJitter, deadline);
    ASSERT_TRUE(d.retry);
    EXPECT_EQ(d.next_attempt_at, deadline);
    // At or after the deadline: no more retries.
    EXPECT_FALSE(
        DecideRetry(p, 1, FailureKind::kTransient, std::nullopt, deadline, kNoJitter, deadline)
            .retry);
    EXPECT_FALSE(DecideRetry(p, 1, FailureKind::kTransient, std::nullopt, deadline + seconds{1},
                             kNoJitter, deadline)
                     .retry);
}

TEST(DecideRetry, StopsAtMaxAttempts) {
    RetryPolicy p;
    p.max_attempts = 5;  // first try included
    for (int attempt = 1; attempt <= 7; ++attempt) {
        const RetryDecision d =
            DecideRetry(p, attempt, FailureKind::kTransient, std::nullopt, kNow, kNoJitter);
        EXPECT_EQ(d.retry, attempt < 5) << "attempt " << attempt;
    }
}

TEST(DecideRetry, SingleAttemptPolicyNeverRetries) {
    RetryPolicy p;
    p.max_attempts = 1;
    EXPECT_FALSE(DecideRetry(p, 1, FailureKind::kTransient, seconds{1}, kNow, kNoJitter).retry);
}

TEST(DecideRetry, NextAttemptIsRelativeToNow) {
    const TimePoint later = kNow + hours{5};
    const RetryDecision d =
        DecideRetry(RetryPolicy{}, 1, FailureKind::kTransient, std::nullopt, later, kNoJitter);
    ASSERT_TRUE(d.retry);
    EXPECT_EQ(d.next_attempt_at, later + seconds{2});
}

}  // namespace
}  // namespace herald::domain
