// The pure rules of event hooks: event names, their stored form, validation, and when a
// failed delivery is tried again.

#include <gtest/gtest.h>

#include "domain/event_hooks.hpp"

namespace herald::domain {
namespace {

using namespace std::chrono_literals;

TEST(EventHooksTest, EventsAreNormalizedIntoApiOrder) {
    struct Case {
        std::vector<std::string> in;
        std::vector<std::string> out;  // empty: refused
        const char* code;
    };
    const Case cases[] = {
        {{"site.paused", "content.published"}, {"content.published", "site.paused"}, ""},
        {{"site.recovered"}, {"site.recovered"}, ""},
        {{"site.recovered", "site.paused", "site.degraded", "content.failed", "content.published"},
         {"content.published", "content.failed", "site.degraded", "site.paused", "site.recovered"},
         ""},
        {{}, {}, "required"},
        {{"content.deleted"}, {}, "invalid_choice"},
        {{"Content.Published"}, {}, "invalid_choice"},
        {{""}, {}, "invalid_choice"},
        {{"site.paused", "site.paused"}, {}, "duplicate_event"},
    };
    for (const Case& c : cases) {
        const auto got = NormalizeHookEvents(c.in);
        if (c.out.empty()) {
            ASSERT_FALSE(got.ok());
            EXPECT_EQ(got.error().code, c.code);
            EXPECT_EQ(got.error().field, "events");
            EXPECT_EQ(got.error().kind, ErrorKind::kInvalid);
        } else {
            ASSERT_TRUE(got.ok()) << got.error().message;
            EXPECT_EQ(*got, c.out);
        }
    }
}

TEST(EventHooksTest, StoredFormRoundTrips) {
    const std::vector<std::string> events = {"content.published", "site.paused"};
    EXPECT_EQ(JoinHookEvents(events), "content.published,site.paused");
    EXPECT_EQ(SplitHookEvents("content.published,site.paused"), events);
    EXPECT_TRUE(SplitHookEvents("").empty());
    EXPECT_TRUE(IsHookEvent("site.degraded"));
    EXPECT_FALSE(IsHookEvent("site"));
    EXPECT_EQ(ParseDeliveryState(ToString(DeliveryState::kFailed)), DeliveryState::kFailed);
    EXPECT_FALSE(ParseDeliveryState("sent"));
}

TEST(EventHooksTest, ValidationNamesTheField) {
    EventHook ok;
    ok.url = "https://hooks.example.com/x";
    ok.events = {"content.failed"};
    ok.secret = "s";
    EXPECT_TRUE(ValidateEventHook(ok).ok());
    struct Case {
        std::string url;
        std::string secret;
        const char* code;
        const char* field;
    };
    const Case cases[] = {
        {"", "s", "required", "url"},
        {"mailto:a@example.com", "s", "invalid_url", "url"},
        {"https://", "s", "invalid_url", "url"},
        {"https://h.example/ space", "s", "invalid_url", "url"},
        {"https://h.example/" + std::string(3000, 'a'), "s", "too_long", "url"},
        {"https://h.example/", std::string(257, 's'), "too_long", "secret"},
    };
    for (const Case& c : cases) {
        EventHook h = ok;
        h.url = c.url;
        h.secret = c.secret;
        const Status s = ValidateEventHook(h);
        ASSERT_FALSE(s.ok()) << c.url;
        EXPECT_EQ(s.error().code, c.code);
        EXPECT_EQ(s.error().field, c.field);
    }
    EventHook no_events = ok;
    no_events.events.clear();
    EXPECT_EQ(ValidateEventHook(no_events).error().field, "events");
}

TEST(EventHooksTest, RetriesGrowWithinTheWindowThenGiveUp) {
    HookRetryPolicy policy;
    policy.backoff.base_delay = 10s;
    policy.backoff.max_delay = 1h;
    policy.backoff.jitter_fraction = 0;
    policy.window = 1h;
    const TimePoint created = *ParseIso("2026-01-20T12:00:00Z");
    struct Case {
        int attempt;
        FailureKind kind;
        std::optional<Milliseconds> retry_after;
        Milliseconds since_created;
        std::optional<Milliseconds> delay;  // nullopt: give up
    };
    const Case cases[] = {
        {1, FailureKind::kTransient, std::nullopt, 0s, 10s},
        {2, FailureKind::kTransient, std::nullopt, 10s, 20s},
        {4, FailureKind::kTransient, std::nullopt, 2min, 80s},
        {1, FailureKind::kTransient, 120s, 0s, 120s},  // Retry-After honoured
        {1, FailureKind::kPermanent, std::nullopt, 0s, std::nullopt},
        {3, FailureKind::kTransient, std::nullopt, 59min + 30s, std::nullopt},  // past the window
        {3, FailureKind::kTransient, std::nullopt, 59min, 40s},                 // still inside it
        {12, FailureKind::kTransient, std::nullopt, 30min, std::nullopt},       // capped 1 h: past
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.attempt);
        const TimePoint now = created + c.since_created;
        const auto next =
            NextHookAttempt(policy, c.attempt, c.kind, c.retry_after, created, now, 0.5);
        if (!c.delay) {
            EXPECT_FALSE(next);
        } else {
            ASSERT_TRUE(next);
            EXPECT_EQ(*next - now, *c.delay);
        }
    }
}

}  // namespace
}  // namespace herald::domain
