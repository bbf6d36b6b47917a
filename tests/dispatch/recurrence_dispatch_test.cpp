// Evergreen items through the real dispatcher, on every backend (API.md §9): a published
// recurring item comes back scheduled at the same New York wall-clock time across a DST
// change, is published again as an update of the same remote post, and stops after `count`.

#include <atomic>

#include <nlohmann/json.hpp>

#include "dispatch/dispatch_fixture.hpp"

namespace herald::dispatch::testing {
namespace {

/// The dispatcher's clock, moved by the test (settles are stamped with it).
class SteppedClock final : public TimeSource {
public:
    explicit SteppedClock(TimePoint t) : millis_(ToUnixMillis(t)) {}
    TimePoint Now() const override { return FromUnixMillis(millis_.load()); }
    void Set(TimePoint t) { millis_ = ToUnixMillis(t); }

private:
    std::atomic<int64_t> millis_;
};

TimePoint At(const char* iso) { return ParseIso(iso).value(); }

using RecurrenceDispatchTest = DispatchTest;
HERALD_ON_EVERY_BACKEND(RecurrenceDispatchTest);

TEST_P(RecurrenceDispatchTest, ComesBackAtTheSameLocalTimeAndStopsAfterCount) {
    // New York, every day at 09:00; DST starts on Sunday 8 March 2026.
    Site site = herald::testing::SiteRow(account_, "evergreen", receiver_.Url("/hooks/evergreen"),
                                         receiver_.secret(), now_);
    site.timezone = "America/New_York";
    site = store_->CreateSite(site, herald::testing::AutoPublishEveryDay({9 * 60}));
    Content item = herald::testing::Scheduled(herald::testing::DraftRow(site, "Evergreen", now_),
                                              now_, At("2026-03-07T14:00:00Z"));  // 09:00 EST
    item.recurrence = Recurrence{1, std::nullopt, 2};
    item = store_->CreateContent(item);

    SteppedClock clock(At("2026-03-07T14:00:01Z"));
    Dispatcher dispatcher = MakeDispatcher(clock);
    EXPECT_EQ(dispatcher.RunDueOnce(clock.Now()).published, 1);
    Content again = Get(item.id);
    EXPECT_EQ(again.site_status, SiteStatus::kScheduled);
    EXPECT_EQ(FormatIso(*again.scheduled_publish_at), "2026-03-08T13:00:00Z");  // 09:00 EDT
    EXPECT_EQ(again.publication_count, 1);
    const std::string first_post = again.external_id;
    ASSERT_FALSE(first_post.empty());

    // Nothing is due before its new time.
    EXPECT_EQ(dispatcher.RunDueOnce(At("2026-03-08T12:59:59Z")).published, 0);
    clock.Set(At("2026-03-08T13:00:01Z"));
    EXPECT_EQ(dispatcher.RunDueOnce(clock.Now()).published, 1);
    const Content last = Get(item.id);
    EXPECT_EQ(last.site_status, SiteStatus::kPublished);  // count 2 reached
    EXPECT_EQ(last.publication_count, 2);
    EXPECT_EQ(Records(item.id).size(), 2u);

    // The second publication named the first one's remote post (an update, not a copy), under
    // a webhook-id of its own.
    const auto requests = receiver_.Requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_TRUE(nlohmann::json::parse(requests[0].body)["external_id"].is_null());
    EXPECT_EQ(nlohmann::json::parse(requests[1].body)["external_id"], first_post);
    EXPECT_NE(requests[0].webhook_id, requests[1].webhook_id);

    clock.Set(At("2026-03-20T13:00:01Z"));
    EXPECT_EQ(dispatcher.RunDueOnce(clock.Now()).published, 0);
}

}  // namespace
}  // namespace herald::dispatch::testing
