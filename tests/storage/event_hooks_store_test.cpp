// Event hooks and their outbox in the store, on every backend: CRUD under versions with
// account isolation, the secret sealed at rest (read raw: never the plaintext), one delivery
// per subscribed active hook, claims that two claimers never share, settling only under the
// claim, and hooks carried by db copy and secrets rotate.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "storage/copy.hpp"
#include "storage/secret_box.hpp"
#include "storage/store_fixture.hpp"
#include "support/pg_database.hpp"
#include "support/wait.hpp"

namespace herald::storage::test {
namespace {

using herald::testing::BackendDatabase;

constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::string RawQuery(const std::string& url, const std::string& sql) {
    if (url.starts_with("postgresql://")) return herald::testing::PgQuery(url, sql);
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(url.substr(7).c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    std::string value;
    if (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
        value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

class EventHooksStoreTest : public StoreTest {
protected:
    EventHook NewHook(AccountId account, std::vector<std::string> events,
                      std::string url = "https://hooks.example.com/in", bool active = true) {
        EventHook h;
        h.account_id = account;
        h.url = std::move(url);
        h.secret = kSecret;
        h.events = std::move(events);
        h.is_active = active;
        h.created_at = h.updated_at = kNow;
        return store().CreateEventHook(h);
    }

    HookClaimRequest Claim(std::string_view token, int limit = 10) {
        HookClaimRequest r;
        r.now = kNow + std::chrono::seconds{1};
        r.limit = limit;
        r.claim_token = token;
        r.lease = std::chrono::minutes{1};
        return r;
    }
};

TEST_P(EventHooksStoreTest, CreateGetListUpdateDeleteUnderVersions) {
    const AccountId alice = NewAccount("alice");
    const AccountId bob = NewAccount("bob");
    const EventHook hook = NewHook(alice, {"content.published", "site.paused"});
    EXPECT_GT(hook.id, 0);
    EXPECT_EQ(hook.version, 1);

    auto got = store().GetEventHook(alice, hook.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->url, "https://hooks.example.com/in");
    EXPECT_EQ(got->secret, kSecret);
    EXPECT_EQ(got->events, (std::vector<std::string>{"content.published", "site.paused"}));
    EXPECT_TRUE(got->is_active);
    EXPECT_FALSE(store().GetEventHook(bob, hook.id));  // another account's: as missing
    EXPECT_EQ(store().ListEventHooks(alice, {}).count, 1);
    EXPECT_EQ(store().ListEventHooks(bob, {}).count, 0);

    EventHook changed = *got;
    changed.url = "https://hooks.example.com/other";
    changed.is_active = false;
    const WriteResult written = store().UpdateEventHook(changed, 1);
    ASSERT_TRUE(written.applied());
    EXPECT_EQ(written.version, 2);
    EXPECT_EQ(store().UpdateEventHook(changed, 1).outcome, WriteOutcome::kConflict);
    EventHook foreign = changed;
    foreign.account_id = bob;
    EXPECT_EQ(store().UpdateEventHook(foreign, 2).outcome, WriteOutcome::kNotFound);
    EXPECT_EQ(store().GetEventHook(alice, hook.id)->url, "https://hooks.example.com/other");
    EXPECT_FALSE(store().GetEventHook(alice, hook.id)->is_active);

    EXPECT_EQ(store().DeleteEventHook(bob, hook.id, std::nullopt), WriteOutcome::kNotFound);
    EXPECT_EQ(store().DeleteEventHook(alice, hook.id, 1), WriteOutcome::kConflict);
    EXPECT_TRUE(store().GetEventHook(alice, hook.id));
    EXPECT_EQ(store().DeleteEventHook(alice, hook.id, 2), WriteOutcome::kApplied);
    EXPECT_FALSE(store().GetEventHook(alice, hook.id));
    EXPECT_THROW(NewHook(999999, {"content.failed"}), StorageError);
}

TEST_P(EventHooksStoreTest, SecretIsSealedAtRest) {
    const AccountId alice = NewAccount("alice");
    const EventHook hook = NewHook(alice, {"content.failed"});
    const std::string raw =
        RawQuery(url(), "SELECT secret FROM event_hooks WHERE id = " + std::to_string(hook.id));
    EXPECT_TRUE(raw.starts_with("enc:v1:")) << raw;
    EXPECT_EQ(raw.find("MfKQ9r8"), std::string::npos);
    EventHook changed = hook;
    changed.secret = "plain-new-secret";
    ASSERT_TRUE(store().UpdateEventHook(changed, 1).applied());
    const std::string raw2 =
        RawQuery(url(), "SELECT secret FROM event_hooks WHERE id = " + std::to_string(hook.id));
    EXPECT_TRUE(raw2.starts_with("enc:v1:")) << raw2;
    EXPECT_EQ(raw2.find("plain-new-secret"), std::string::npos);
    EXPECT_EQ(store().GetEventHook(alice, hook.id)->secret, "plain-new-secret");
}

TEST_P(EventHooksStoreTest, NoFileOfTheDatabaseHoldsTheSecret) {
    if (!url().starts_with("sqlite:"))
        GTEST_SKIP() << "SQLite's files; PostgreSQL is read raw above";
    const AccountId alice = NewAccount("alice");
    EventHook hook = NewHook(alice, {"content.failed"});
    hook.secret = "second-plain-secret";
    ASSERT_TRUE(store().UpdateEventHook(hook, 1).applied());
    const std::string path = url().substr(7);
    for (const std::string& file : {path, path + "-wal"}) {
        std::ifstream in(file, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), {});
        EXPECT_EQ(bytes.find("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), std::string::npos) << file;
        EXPECT_EQ(bytes.find("second-plain-secret"), std::string::npos) << file;
    }
}

TEST_P(EventHooksStoreTest, EnqueueGoesToEachActiveSubscribedHookOfTheAccount) {
    const AccountId alice = NewAccount("alice");
    const AccountId bob = NewAccount("bob");
    const EventHook published = NewHook(alice, {"content.published"});
    const EventHook both = NewHook(alice, {"content.published", "content.failed"});
    NewHook(alice, {"content.published"}, "https://hooks.example.com/off", /*active=*/false);
    NewHook(alice, {"site.paused"});
    const EventHook bobs = NewHook(bob, {"content.published"});

    EXPECT_EQ(store().EnqueueHookEvent(alice, "content.published", R"({"type":"x"})", kNow), 2);
    EXPECT_EQ(store().EnqueueHookEvent(alice, "content.failed", "{}", kNow), 1);
    EXPECT_EQ(store().EnqueueHookEvent(alice, "site.recovered", "{}", kNow), 0);
    // A name that is a part of a subscribed one matches nothing.
    EXPECT_EQ(store().EnqueueHookEvent(alice, "content", "{}", kNow), 0);

    const auto first = store().ListHookDeliveries(alice, published.id, 10);
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].event_type, "content.published");
    EXPECT_EQ(first[0].body, R"({"type":"x"})");
    EXPECT_EQ(first[0].state, DeliveryState::kPending);
    EXPECT_EQ(first[0].attempts, 0);
    EXPECT_TRUE(first[0].webhook_id.starts_with("msg_")) << first[0].webhook_id;
    EXPECT_EQ(store().ListHookDeliveries(alice, both.id, 10).size(), 2u);
    EXPECT_TRUE(store().ListHookDeliveries(bob, bobs.id, 10).empty());
    EXPECT_TRUE(store().ListHookDeliveries(bob, published.id, 10).empty());  // not bob's
}

TEST_P(EventHooksStoreTest, AccountsWithActiveHooksSeesEveryWriteAtOnce) {
    const AccountId alice = NewAccount("alice");
    const AccountId bob = NewAccount("bob");
    const AccountId carol = NewAccount("carol");
    const std::vector<AccountId> all = {carol, bob, alice, bob};
    EXPECT_TRUE(store().AccountsWithActiveHooks(all).empty());
    EXPECT_TRUE(store().AccountsWithActiveHooks({}).empty());

    NewHook(carol, {"site.paused"}, "https://hooks.example.com/in", /*active=*/false);
    EventHook bobs = NewHook(bob, {"site.paused"});  // any event counts
    EXPECT_EQ(store().AccountsWithActiveHooks(all), std::vector<AccountId>{bob});

    const EventHook alices = NewHook(alice, {"content.published"});
    bobs.is_active = false;
    ASSERT_TRUE(store().UpdateEventHook(bobs, bobs.version).applied());
    EXPECT_EQ(store().AccountsWithActiveHooks(all), std::vector<AccountId>{alice});

    ASSERT_EQ(store().DeleteEventHook(alice, alices.id, std::nullopt), WriteOutcome::kApplied);
    EXPECT_TRUE(store().AccountsWithActiveHooks(all).empty());
}

TEST_P(EventHooksStoreTest, ClaimSettleAndRetry) {
    const AccountId alice = NewAccount("alice");
    const EventHook hook = NewHook(alice, {"content.published"});
    ASSERT_EQ(store().EnqueueHookEvent(alice, "content.published", "{}", kNow), 1);
    EXPECT_LE(store().NextHookDeliveryIn(kNow + std::chrono::seconds{1}).value(), Milliseconds{0});

    auto claimed = store().ClaimHookDeliveries(Claim("a"));
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_EQ(claimed[0].url, hook.url);
    EXPECT_EQ(claimed[0].secret, kSecret);
    EXPECT_EQ(claimed[0].delivery.attempts, 1);
    const std::string webhook_id = claimed[0].delivery.webhook_id;
    EXPECT_TRUE(store().ClaimHookDeliveries(Claim("b")).empty());  // held by "a"

    HookAttemptResult retry;
    retry.id = claimed[0].delivery.id;
    retry.state = DeliveryState::kPending;
    retry.next_attempt_at = kNow + std::chrono::minutes{5};
    retry.status = 503;
    retry.error = "the hook's URL answered 503";
    EXPECT_FALSE(store().FinishHookDelivery(retry, "b"));  // not b's claim
    ASSERT_TRUE(store().FinishHookDelivery(retry, "a"));
    EXPECT_FALSE(store().FinishHookDelivery(retry, "a"));          // the claim is gone
    EXPECT_TRUE(store().ClaimHookDeliveries(Claim("b")).empty());  // not due yet
    const auto next = store().NextHookDeliveryIn(kNow);
    ASSERT_TRUE(next);
    EXPECT_EQ(*next, std::chrono::minutes{5});

    HookClaimRequest later = Claim("b");
    later.now = kNow + std::chrono::minutes{5};
    auto again = store().ClaimHookDeliveries(later);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].delivery.attempts, 2);
    EXPECT_EQ(again[0].delivery.webhook_id, webhook_id);  // the same for every attempt
    EXPECT_EQ(again[0].delivery.last_error, "the hook's URL answered 503");

    HookAttemptResult done;
    done.id = again[0].delivery.id;
    done.state = DeliveryState::kDelivered;
    done.finished_at = kNow + std::chrono::minutes{5};
    done.status = 204;
    ASSERT_TRUE(store().FinishHookDelivery(done, "b"));
    EXPECT_FALSE(store().NextHookDeliveryIn(kNow));
    const auto listed = store().ListHookDeliveries(alice, hook.id, 10);
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].state, DeliveryState::kDelivered);
    EXPECT_EQ(listed[0].last_status, 204);
    EXPECT_EQ(listed[0].finished_at, kNow + std::chrono::minutes{5});
}

TEST_P(EventHooksStoreTest, ALeaseThatEndedIsTakenOver) {
    const AccountId alice = NewAccount("alice");
    NewHook(alice, {"site.degraded"});
    ASSERT_EQ(store().EnqueueHookEvent(alice, "site.degraded", "{}", kNow), 1);
    HookClaimRequest shortlived = Claim("dead");
    shortlived.lease = Milliseconds{1};
    ASSERT_EQ(store().ClaimHookDeliveries(shortlived).size(), 1u);
    // Wait for the lease to end on the database's clock, by asking (no sleep to synchronise).
    std::vector<ClaimedDelivery> taken;
    ASSERT_TRUE(herald::testing::WaitUntil([&] {
        taken = store().ClaimHookDeliveries(Claim("alive"));
        return !taken.empty();
    }));
    ASSERT_EQ(taken.size(), 1u);
    EXPECT_EQ(taken[0].delivery.attempts, 2);
    HookAttemptResult done;
    done.id = taken[0].delivery.id;
    done.state = DeliveryState::kDelivered;
    EXPECT_FALSE(store().FinishHookDelivery(done, "dead"));
    EXPECT_TRUE(store().FinishHookDelivery(done, "alive"));
}

TEST_P(EventHooksStoreTest, InactiveHooksAreNotClaimedAndDeletingDropsDeliveries) {
    const AccountId alice = NewAccount("alice");
    EventHook hook = NewHook(alice, {"content.failed"});
    ASSERT_EQ(store().EnqueueHookEvent(alice, "content.failed", "{}", kNow), 1);
    hook.is_active = false;
    ASSERT_TRUE(store().UpdateEventHook(hook, 1).applied());
    EXPECT_TRUE(store().ClaimHookDeliveries(Claim("a")).empty());
    EXPECT_FALSE(store().NextHookDeliveryIn(kNow));
    ASSERT_EQ(store().DeleteEventHook(alice, hook.id, std::nullopt), WriteOutcome::kApplied);
    EXPECT_EQ(RawQuery(url(), "SELECT COUNT(*) FROM hook_deliveries"), "0");
}

TEST_P(EventHooksStoreTest, PruneDeletesOnlyOldSettledDeliveries) {
    const AccountId alice = NewAccount("alice");
    const EventHook hook = NewHook(alice, {"content.published"});
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(store().EnqueueHookEvent(alice, "content.published", "{}", kNow), 1);
    auto claimed = store().ClaimHookDeliveries(Claim("a", 2));
    ASSERT_EQ(claimed.size(), 2u);
    HookAttemptResult delivered;
    delivered.id = claimed[0].delivery.id;
    delivered.state = DeliveryState::kDelivered;
    delivered.finished_at = kNow;
    ASSERT_TRUE(store().FinishHookDelivery(delivered, "a"));
    HookAttemptResult failed = delivered;
    failed.id = claimed[1].delivery.id;
    failed.state = DeliveryState::kFailed;
    failed.finished_at = kNow + std::chrono::hours{1};
    ASSERT_TRUE(store().FinishHookDelivery(failed, "a"));

    EXPECT_EQ(store().PruneHookDeliveries(kNow, 10), 0);  // strictly before
    EXPECT_EQ(store().PruneHookDeliveries(kNow + std::chrono::minutes{1}, 10), 1);
    EXPECT_EQ(store().PruneHookDeliveries(kNow + std::chrono::hours{48}, 10), 1);
    const auto left = store().ListHookDeliveries(alice, hook.id, 10);
    ASSERT_EQ(left.size(), 1u);  // the pending one stays, however old
    EXPECT_EQ(left[0].state, DeliveryState::kPending);
}

TEST_P(EventHooksStoreTest, ConcurrentClaimersNeverShareADelivery) {
    const AccountId alice = NewAccount("alice");
    NewHook(alice, {"content.published"});
    constexpr int kEvents = 60;
    for (int i = 0; i < kEvents; ++i)
        ASSERT_EQ(store().EnqueueHookEvent(alice, "content.published", "{}", kNow), 1);
    std::vector<std::vector<HookDeliveryId>> got(4);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < got.size(); ++t) {
        threads.emplace_back([&, t] {
            const std::string token = "t" + std::to_string(t);
            for (int round = 0; round < kEvents; ++round) {  // bounded: a broken claim repeats
                auto claimed = store().ClaimHookDeliveries(Claim(token, 3));
                if (claimed.empty()) break;
                for (const auto& c : claimed) got[t].push_back(c.delivery.id);
            }
        });
    }
    for (auto& t : threads) t.join();
    std::set<HookDeliveryId> all;
    size_t total = 0;
    for (const auto& ids : got) {
        total += ids.size();
        all.insert(ids.begin(), ids.end());
    }
    EXPECT_EQ(total, static_cast<size_t>(kEvents));
    EXPECT_EQ(all.size(), static_cast<size_t>(kEvents));
}

TEST_P(EventHooksStoreTest, DbCopyCarriesHooksAndRotationReseals) {
    const AccountId alice = NewAccount("alice");
    const EventHook hook = NewHook(alice, {"content.published", "site.recovered"});
    ASSERT_EQ(store().EnqueueHookEvent(alice, "site.recovered", R"({"a":1})", kNow), 1);

    // Into a SQLite file with a key of its own: the secret is sealed again under it.
    herald::testing::BackendDatabase target("sqlite");
    StoreOptions options;
    options.secrets.box = std::make_shared<SecretBox>(SecretBox::GenerateKey());
    StorePtr copy = OpenStore(target.url(), options);
    CopyDatabase(store(), *copy);
    auto copied = copy->GetEventHook(alice, hook.id);
    ASSERT_TRUE(copied);
    EXPECT_EQ(copied->secret, kSecret);
    EXPECT_EQ(copied->events, hook.events);
    const auto deliveries = copy->ListHookDeliveries(alice, hook.id, 10);
    ASSERT_EQ(deliveries.size(), 1u);
    EXPECT_EQ(deliveries[0].body, R"({"a":1})");
    const std::string raw = RawQuery(target.url(), "SELECT secret FROM event_hooks");
    EXPECT_TRUE(raw.starts_with("enc:v1:")) << raw;

    // Rotation re-seals the hook's secret with the site keys.
    NewSite(alice);
    const SecretBox next(SecretBox::GenerateKey());
    EXPECT_EQ(copy->RotateSecrets(next), 1);  // the copied hook's secret
    const std::string before = RawQuery(url(), "SELECT secret FROM event_hooks");
    EXPECT_EQ(store().RotateSecrets(next), 2);  // the site's api_key and the hook's secret
    EXPECT_NE(RawQuery(url(), "SELECT secret FROM event_hooks"), before);
}

HERALD_ON_EVERY_BACKEND(EventHooksStoreTest);

}  // namespace
}  // namespace herald::storage::test
