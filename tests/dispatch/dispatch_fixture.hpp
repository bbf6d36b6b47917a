#pragma once
// A real store (a fresh database of each backend: DispatchTest is parameterised by backend),
// a real loopback webhook receiver and the real curl client: the dispatcher tests run the
// whole outbound path without mocks.

#include <gtest/gtest.h>

#include "common/time.hpp"
#include "dispatch/dispatcher.hpp"
#include "domain/planner_settings.hpp"
#include "publishers/http_client.hpp"
#include "publishers/publisher.hpp"
#include "storage/store.hpp"
#include "support/backends.hpp"
#include "support/builders.hpp"
#include "support/claims.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::dispatch::testing {

using namespace herald::domain;  // NOLINT: test brevity
using herald::testing::ReceiverReply;
using herald::testing::TempDir;
using herald::testing::WebhookReceiver;

inline ReceiverReply Answer(int status, std::string retry_after = "") {
    ReceiverReply reply;
    reply.status = status;
    reply.body = "";
    if (!retry_after.empty()) reply.retry_after = retry_after;
    return reply;
}

inline ReceiverReply Slow(Milliseconds delay) {
    ReceiverReply reply;
    reply.delay = delay;
    return reply;
}

class DispatchTest : public ::testing::TestWithParam<std::string> {
protected:
    DispatchTest()
        : db_(GetParam()),
          store_(storage::OpenStore(db_.url())),
          http_(publishers::MakeCurlHttpClient()),
          registry_(publishers::MakeDefaultPublishers(*http_)) {
        now_ = SystemTimeSource().Now();
        account_ = store_->CreateAccount("acme", "hash-of-key", now_);
        site_ = AddSite("blog");
        settings_.max_in_flight = 8;
        settings_.max_in_flight_per_site = 4;
        settings_.retry.max_attempts = 3;
        settings_.retry.base_delay = std::chrono::seconds{5};
        settings_.retry.jitter_fraction = 0.1;
    }

    Site AddSite(const std::string& name, Platform platform = Platform::kCustom,
                 bool active = true) {
        Site site = herald::testing::SiteRow(account_, name, receiver_.Url("/hooks/" + name),
                                             receiver_.secret(), now_, active);
        site.platform_type = platform;
        // These tests are about delivery: an overdue item is published however late (the
        // missed-slot policies have their own tests, missed_slot_dispatch_test.cpp).
        PublishingSettings settings;
        settings.max_lateness_minutes = kMaxLatenessMinutes;
        return store_->CreateSite(site, settings);
    }

    /// Approved and scheduled at `at`. One item per site and instant: the store refuses a
    /// second at a taken one, so tests that want many "at once" spread them by milliseconds.
    Content AddScheduled(const Site& site, TimePoint at, const std::string& title = "Post") {
        return store_->CreateContent(herald::testing::Scheduled(
            herald::testing::DraftRow(site, title, now_), now_ - std::chrono::hours{1}, at));
    }

    Content Get(ContentId id) { return *store_->GetContent(account_, id); }

    std::vector<PublishRecord> Records(ContentId id) {
        storage::RecordFilter filter;
        filter.account_id = account_;
        filter.content_id = id;
        filter.page.page_size = 500;
        auto records = store_->ListRecords(filter).items;
        std::sort(records.begin(), records.end(),
                  [](const auto& a, const auto& b) { return a.id < b.id; });
        return records;
    }

    Dispatcher MakeDispatcher(const TimeSource& clock) {
        return Dispatcher(*store_, registry_, clock, settings_);
    }

    // The database outlives the store (its connections), the store outlives everything else.
    herald::testing::BackendDatabase db_;
    WebhookReceiver receiver_;
    storage::StorePtr store_;
    publishers::HttpClientPtr http_;
    publishers::PublisherRegistry registry_;
    SystemTimeSource clock_;
    TimePoint now_;
    AccountId account_ = 0;
    Site site_;
    DispatchSettings settings_;
};

}  // namespace herald::dispatch::testing
