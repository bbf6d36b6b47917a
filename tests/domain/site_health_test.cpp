// Site health rules (API.md §8 in the project's docs): table-tested, no I/O.

#include "domain/site_health.hpp"

#include "domain/model.hpp"

#include <gtest/gtest.h>

namespace herald::domain {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kNow = FromUnixMillis(1'800'000'000'000);

/// The tables below are written for three failures in a row.
HealthPolicy ThreeInARow() {
    HealthPolicy policy;
    policy.degrade_after = 3;
    return policy;
}

SiteHealthState Healthy(int failures = 0) {
    SiteHealthState s;
    s.transient_failures = failures;
    return s;
}
SiteHealthState Degraded(int failures, TimePoint probe_at) {
    SiteHealthState s;
    s.health = SiteHealth::kDegraded;
    s.reason = "old";
    s.since = kNow - minutes{5};
    s.transient_failures = failures;
    s.probe_at = probe_at;
    return s;
}
SiteHealthState Paused() {
    SiteHealthState s;
    s.health = SiteHealth::kPaused;
    s.reason = "refused";
    s.since = kNow - minutes{5};
    return s;
}

struct Case {
    const char* name;
    SiteHealthState before;
    HealthSignal signal;
    SiteHealth health_after;
    int failures_after;
    HealthEvent event;
};

TEST(NextHealth, Table) {
    const Case cases[] = {
        {"healthy success", Healthy(), HealthSignal::kSuccess, SiteHealth::kHealthy, 0,
         HealthEvent::kNone},
        {"success resets the run", Healthy(2), HealthSignal::kSuccess, SiteHealth::kHealthy, 0,
         HealthEvent::kNone},
        {"first transient", Healthy(), HealthSignal::kTransient, SiteHealth::kHealthy, 1,
         HealthEvent::kNone},
        {"second transient", Healthy(1), HealthSignal::kTransient, SiteHealth::kHealthy, 2,
         HealthEvent::kNone},
        {"third transient degrades", Healthy(2), HealthSignal::kTransient, SiteHealth::kDegraded, 3,
         HealthEvent::kDegraded},
        {"degraded probe fails", Degraded(3, kNow), HealthSignal::kTransient, SiteHealth::kDegraded,
         4, HealthEvent::kNone},
        {"degraded probe succeeds", Degraded(7, kNow), HealthSignal::kSuccess, SiteHealth::kHealthy,
         0, HealthEvent::kRecovered},
        {"item error says nothing", Healthy(2), HealthSignal::kNone, SiteHealth::kHealthy, 2,
         HealthEvent::kNone},
        {"item error while degraded", Degraded(3, kNow), HealthSignal::kNone, SiteHealth::kDegraded,
         3, HealthEvent::kNone},
        {"refusal pauses a healthy site", Healthy(1), HealthSignal::kCredentialsRefused,
         SiteHealth::kPaused, 1, HealthEvent::kPaused},
        {"refusal pauses a degraded site", Degraded(4, kNow), HealthSignal::kCredentialsRefused,
         SiteHealth::kPaused, 4, HealthEvent::kPaused},
        {"refusal while paused: no new event", Paused(), HealthSignal::kCredentialsRefused,
         SiteHealth::kPaused, 0, HealthEvent::kNone},
        {"late success does not resume", Paused(), HealthSignal::kSuccess, SiteHealth::kPaused, 0,
         HealthEvent::kNone},
        {"late transient stays paused", Paused(), HealthSignal::kTransient, SiteHealth::kPaused, 1,
         HealthEvent::kNone},
    };
    const HealthPolicy policy = ThreeInARow();
    for (const Case& c : cases) {
        const HealthChange change =
            NextHealth(policy, c.before, c.signal, "WordPress failed (HTTP 503)", kNow);
        EXPECT_EQ(change.state.health, c.health_after) << c.name;
        EXPECT_EQ(change.state.transient_failures, c.failures_after) << c.name;
        EXPECT_EQ(change.event, c.event) << c.name;
        if (change.event != HealthEvent::kNone) {
            EXPECT_EQ(change.state.since, kNow) << c.name;
        }
        if (change.state.health == SiteHealth::kHealthy) {
            EXPECT_TRUE(change.state.reason.empty()) << c.name;
            EXPECT_FALSE(change.state.probe_at) << c.name;
        } else {
            EXPECT_FALSE(change.state.reason.empty()) << c.name;
        }
    }
}

TEST(NextHealth, ProbesSpaceOutWithTheOutageToAtMostAMinute) {
    const HealthPolicy policy = ThreeInARow();  // 5 s first, at most 60 s
    SiteHealthState state =
        NextHealth(policy, Healthy(2), HealthSignal::kTransient, "down", kNow).state;
    ASSERT_EQ(state.health, SiteHealth::kDegraded);
    EXPECT_EQ(*state.probe_at - kNow, seconds{5});
    // Each probe fails when it is due: the next waits as long as the outage has lasted.
    const Milliseconds expected[] = {seconds{5},  seconds{10}, seconds{20},
                                     seconds{40}, seconds{60}, seconds{60}};
    for (Milliseconds interval : expected) {
        const TimePoint probe = *state.probe_at;
        state = NextHealth(policy, state, HealthSignal::kTransient, "down", probe).state;
        EXPECT_EQ(*state.probe_at - probe, interval) << (probe - kNow).count();
    }
}

TEST(NextHealth, CallsInFlightWhenTheSiteDegradedDoNotPushTheProbeOut) {
    const HealthPolicy policy = ThreeInARow();
    SiteHealthState state =
        NextHealth(policy, Healthy(2), HealthSignal::kTransient, "down", kNow).state;
    const TimePoint probe = *state.probe_at;
    for (int i = 0; i < 16; ++i)  // the other calls of a busy site, failing one by one
        state = NextHealth(policy, state, HealthSignal::kTransient, "down",
                           kNow + milliseconds{100 * i})
                    .state;
    EXPECT_EQ(state.probe_at, probe);
    EXPECT_EQ(state.transient_failures, 19);
}

TEST(NextHealth, RetryAfterStretchesTheProbeWithinTheMinute) {
    const HealthPolicy policy = ThreeInARow();
    auto probe = [&](std::optional<Milliseconds> retry_after) {
        return *NextHealth(policy, Healthy(2), HealthSignal::kTransient, "429", kNow, retry_after)
                    .state.probe_at -
               kNow;
    };
    EXPECT_EQ(probe(std::nullopt), seconds{5});
    EXPECT_EQ(probe(seconds{30}), seconds{30});
    EXPECT_EQ(probe(minutes{10}), seconds{60});  // at least once a minute
    EXPECT_EQ(probe(seconds{1}), seconds{5});    // never sooner than the backoff
}

TEST(NextHealth, ReasonsNameTheCause) {
    const HealthPolicy policy = ThreeInARow();
    const auto degraded = NextHealth(policy, Healthy(2), HealthSignal::kTransient,
                                     "the endpoint failed (HTTP 503)", kNow);
    EXPECT_EQ(degraded.state.reason,
              "3 failures in a row; the last: the endpoint failed (HTTP 503)");
    const auto paused = NextHealth(policy, Healthy(), HealthSignal::kCredentialsRefused,
                                   "WordPress refused herald's credentials (HTTP 401)", kNow);
    EXPECT_EQ(paused.state.reason, "WordPress refused herald's credentials (HTTP 401)");
}

TEST(ResumeHealth, Table) {
    const auto from_paused = ResumeHealth(Paused(), kNow);
    EXPECT_EQ(from_paused.state.health, SiteHealth::kHealthy);
    EXPECT_EQ(from_paused.event, HealthEvent::kRecovered);
    EXPECT_EQ(from_paused.state.since, kNow);
    EXPECT_TRUE(from_paused.state.reason.empty());

    const auto from_degraded = ResumeHealth(Degraded(5, kNow + minutes{1}), kNow);
    EXPECT_EQ(from_degraded.state.health, SiteHealth::kHealthy);
    EXPECT_EQ(from_degraded.event, HealthEvent::kRecovered);
    EXPECT_FALSE(from_degraded.state.probe_at);

    const auto from_healthy = ResumeHealth(Healthy(2), kNow);
    EXPECT_EQ(from_healthy.event, HealthEvent::kNone);
    EXPECT_EQ(from_healthy.state.transient_failures, 0);
}

TEST(AdmitsCall, Table) {
    struct AdmitCase {
        const char* name;
        SiteHealthState state;
        int in_flight;
        bool admits;
    };
    const AdmitCase cases[] = {
        {"healthy idle", Healthy(), 0, true},
        {"healthy busy (the cap decides)", Healthy(), 5, true},
        {"paused", Paused(), 0, false},
        {"degraded, probe due", Degraded(3, kNow), 0, true},
        {"degraded, probe due, one out", Degraded(3, kNow), 1, false},
        {"degraded, probe later", Degraded(3, kNow + seconds{1}), 0, false},
        {"degraded, probe long past", Degraded(3, kNow - minutes{3}), 0, true},
    };
    for (const AdmitCase& c : cases)
        EXPECT_EQ(AdmitsCall(c.state, c.in_flight, kNow), c.admits) << c.name;
}

TEST(ChangeResumesSite, Table) {
    Site before;
    before.api_key = "k";
    before.username = "u";
    before.domain = "https://a.example";
    before.options_json = "{}";
    before.name = "A";
    struct Edit {
        const char* name;
        void (*apply)(Site&);
        bool resumes;
    };
    const Edit edits[] = {
        {"api key", [](Site& s) { s.api_key = "k2"; }, true},
        {"username", [](Site& s) { s.username = "v"; }, true},
        {"domain", [](Site& s) { s.domain = "https://b.example"; }, true},
        {"options", [](Site& s) { s.options_json = R"({"blog_id":1})"; }, true},
        {"name only", [](Site& s) { s.name = "B"; }, false},
        {"time zone only", [](Site& s) { s.timezone = "Europe/Berlin"; }, false},
        {"nothing", [](Site&) {}, false},
    };
    for (const Edit& e : edits) {
        Site after = before;
        e.apply(after);
        EXPECT_EQ(ChangeResumesSite(before, after), e.resumes) << e.name;
    }
}

TEST(SiteHealth, NamesRoundTrip) {
    for (SiteHealth h : {SiteHealth::kHealthy, SiteHealth::kDegraded, SiteHealth::kPaused})
        EXPECT_EQ(ParseSiteHealth(ToString(h)), h);
    EXPECT_FALSE(ParseSiteHealth("sick"));
    EXPECT_EQ(ToString(HealthEvent::kDegraded), "site.degraded");
    EXPECT_EQ(ToString(HealthEvent::kPaused), "site.paused");
    EXPECT_EQ(ToString(HealthEvent::kRecovered), "site.recovered");
}

}  // namespace
}  // namespace herald::domain
