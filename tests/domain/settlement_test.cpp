// What a finished attempt does to its item: table-tested against every kind of ending.

#include "domain/settlement.hpp"

#include <gtest/gtest.h>

namespace herald::domain {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kScheduled = FromUnixMillis(1'800'000'000'000);

Content Claimed(int attempts) {
    Content c;
    c.id = 7;
    c.site_id = 3;
    c.account_id = 1;
    c.status = EditorialStatus::kApproved;
    c.site_status = SiteStatus::kPublishing;
    c.scheduled_publish_at = kScheduled;
    c.attempts = attempts;
    c.publication_id = "pub";
    c.claim_token = "token";
    c.lease_until = kScheduled + minutes{2};
    return c;
}

AttemptReport Report(AttemptResult result, TimePoint finished) {
    AttemptReport r;
    r.result = result;
    r.started = finished - seconds{1};
    r.finished = finished;
    if (result == AttemptResult::kPublished) {
        r.external_id = "42";
        r.external_url = "https://example.test/42";
    } else {
        r.error = "the endpoint failed (HTTP 503)";
        r.http_status = 503;
    }
    return r;
}

struct Case {
    const char* name;
    AttemptResult result;
    int attempts;
    Milliseconds after_schedule;  // when the attempt finished
    bool one_shot;
    Settled kind;
    SiteStatus site_status;
    AttemptOutcome outcome;
    HealthSignal signal;
    bool keeps_publication;
};

TEST(Settle, Table) {
    const Milliseconds day = hours{24};
    const Case cases[] = {
        {"published", AttemptResult::kPublished, 1, seconds{1}, false, Settled::kPublished,
         SiteStatus::kPublished, AttemptOutcome::kPublished, HealthSignal::kSuccess, false},
        {"transient, window open", AttemptResult::kTransient, 1, seconds{1}, false, Settled::kRetry,
         SiteStatus::kScheduled, AttemptOutcome::kRetry, HealthSignal::kTransient, true},
        {"transient, 40th attempt, window open", AttemptResult::kTransient, 40, hours{20}, false,
         Settled::kRetry, SiteStatus::kScheduled, AttemptOutcome::kRetry, HealthSignal::kTransient,
         true},
        {"transient, window closed", AttemptResult::kTransient, 12, day, false, Settled::kFailed,
         SiteStatus::kFailed, AttemptOutcome::kFailed, HealthSignal::kTransient, true},
        {"transient, publish now", AttemptResult::kTransient, 1, seconds{1}, true, Settled::kFailed,
         SiteStatus::kFailed, AttemptOutcome::kFailed, HealthSignal::kTransient, true},
        {"credentials refused: held", AttemptResult::kCredentialsRefused, 1, seconds{1}, false,
         Settled::kHeld, SiteStatus::kScheduled, AttemptOutcome::kRetry,
         HealthSignal::kCredentialsRefused, true},
        {"credentials refused, publish now", AttemptResult::kCredentialsRefused, 1, seconds{1},
         true, Settled::kFailed, SiteStatus::kFailed, AttemptOutcome::kFailed,
         HealthSignal::kCredentialsRefused, false},
        {"item rejected", AttemptResult::kRejected, 1, seconds{1}, false, Settled::kFailed,
         SiteStatus::kFailed, AttemptOutcome::kFailed, HealthSignal::kNone, false},
    };
    for (const Case& c : cases) {
        SettlementRules rules;
        rules.one_shot = c.one_shot;
        const Settlement s = Settle(Claimed(c.attempts), kScheduled,
                                    Report(c.result, kScheduled + c.after_schedule), rules, 0.5);
        EXPECT_EQ(s.kind, c.kind) << c.name;
        EXPECT_EQ(s.content.site_status, c.site_status) << c.name;
        EXPECT_EQ(s.record.outcome, c.outcome) << c.name;
        EXPECT_EQ(s.signal, c.signal) << c.name;
        EXPECT_EQ(!s.content.publication_id.empty(), c.keeps_publication) << c.name;
        // Every settle gives the claim up and keeps the owner's time.
        EXPECT_TRUE(s.content.claim_token.empty()) << c.name;
        EXPECT_FALSE(s.content.lease_until) << c.name;
        EXPECT_EQ(s.content.scheduled_publish_at, kScheduled) << c.name;
        EXPECT_EQ(s.record.attempt, c.attempts) << c.name;
        EXPECT_EQ(s.record.due_at, kScheduled) << c.name;
        if (c.kind == Settled::kRetry) {
            ASSERT_TRUE(s.content.next_attempt_at) << c.name;
            EXPECT_GT(*s.content.next_attempt_at, kScheduled + c.after_schedule) << c.name;
            EXPECT_LE(*s.content.next_attempt_at, kScheduled + day) << c.name;
            EXPECT_EQ(s.content.attempts, c.attempts) << c.name;
        } else {
            EXPECT_FALSE(s.content.next_attempt_at) << c.name;
        }
        if (c.kind == Settled::kPublished) {
            EXPECT_EQ(s.content.external_id, "42");
            EXPECT_EQ(s.content.published_at, kScheduled + c.after_schedule);
            EXPECT_TRUE(s.content.last_error.empty());
            EXPECT_EQ(s.content.attempts, 0);
        } else {
            EXPECT_FALSE(s.content.last_error.empty()) << c.name;
            EXPECT_EQ(s.record.error, "the endpoint failed (HTTP 503)") << c.name;
        }
    }
}

TEST(Settle, GivingUpSaysHowManyAttempts) {
    const Settlement s =
        Settle(Claimed(9), kScheduled, Report(AttemptResult::kTransient, kScheduled + hours{25}),
               SettlementRules{}, 0.5);
    EXPECT_EQ(s.content.last_error, "the endpoint failed (HTTP 503) (gave up after 9 attempts)");
}

TEST(Settle, TheLastRetryFallsOnTheWindowsEnd) {
    SettlementRules rules;
    rules.retry_window = minutes{10};
    AttemptReport report = Report(AttemptResult::kTransient, kScheduled + minutes{9});
    report.retry_after = hours{1};
    const Settlement s = Settle(Claimed(3), kScheduled, report, rules, 0.5);
    ASSERT_EQ(s.kind, Settled::kRetry);
    EXPECT_EQ(s.content.next_attempt_at, kScheduled + minutes{10});
}

TEST(Settle, AnUnscheduledItemCountsItsWindowFromWhenItWasDue) {
    Content item = Claimed(1);
    item.scheduled_publish_at.reset();
    const TimePoint due = kScheduled + hours{2};
    EXPECT_EQ(RetryDeadline(item, due, hours{24}), due + hours{24});
    EXPECT_EQ(RetryDeadline(Claimed(1), due, hours{24}), kScheduled + hours{24});
}

TEST(Settle, AnAttemptThatServedNoDueTimeRecordsNone) {
    Content item = Claimed(1);
    item.scheduled_publish_at.reset();  // "publish now" of an item that was never scheduled
    const Settlement s = Settle(item, item.DueAt(), Report(AttemptResult::kPublished, kScheduled),
                                SettlementRules{}, 0.5);
    EXPECT_FALSE(s.record.due_at.has_value());
    const Settlement scheduled =
        Settle(Claimed(1), kScheduled, Report(AttemptResult::kPublished, kScheduled),
               SettlementRules{}, 0.5);
    EXPECT_EQ(scheduled.record.due_at, kScheduled);
}

}  // namespace
}  // namespace herald::domain
