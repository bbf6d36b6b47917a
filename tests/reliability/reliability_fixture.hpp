#pragma once
// Binary-level reliability tests: a real `herald serve` on a real database of each backend, seeded
// directly through the store before it starts, publishing to a real loopback receiver.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "storage/store.hpp"
#include "support/backends.hpp"
#include "support/builders.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::reliability {

using namespace herald::domain;  // NOLINT: test brevity
using namespace std::chrono_literals;
using herald::testing::ReceivedRequest;
using herald::testing::ReceiverReply;
using herald::testing::TempDir;
using herald::testing::WebhookReceiver;

class ReliabilityTest : public ::testing::TestWithParam<std::string> {
protected:
    ReliabilityTest() : db_(GetParam()), db_url_(db_.url()), store_(storage::OpenStore(db_url_)) {
        now_ = SystemTimeSource().Now();
        account_ = store_->CreateAccount("acme", "hash-of-key", now_);
    }

    Site AddSite(const std::string& name, const std::string& options_json = "{}") {
        Site site = herald::testing::SiteRow(account_, name, receiver_.Url("/hooks/" + name),
                                             receiver_.secret(), now_);
        site.options_json = options_json;
        return store_->CreateSite(site, PublishingSettings{});
    }

    Content AddScheduled(const Site& site, TimePoint at, const std::string& title) {
        return store_->CreateContent(herald::testing::Scheduled(
            herald::testing::DraftRow(site, title, now_), now_ - std::chrono::hours{1}, at));
    }

    int64_t CountStatus(SiteStatus status, std::optional<SiteId> site = std::nullopt) {
        storage::ContentFilter filter;
        filter.account_id = account_;
        filter.site_status = status;
        filter.site_id = site;
        filter.page.page_size = 1;
        return store_->ListContent(filter).count;
    }

    /// Polls until `n` items are published or `timeout` passes.
    ::testing::AssertionResult WaitPublished(int64_t n, Milliseconds timeout,
                                             std::optional<SiteId> site = std::nullopt) {
        return herald::testing::WaitUntil(
            [&] { return CountStatus(SiteStatus::kPublished, site) >= n; }, timeout, 50ms);
    }

    std::vector<Content> AllContent() {
        storage::ContentFilter filter;
        filter.account_id = account_;
        filter.page.page_size = 500;
        std::vector<Content> all;
        for (filter.page.page = 1;; ++filter.page.page) {
            auto page = store_->ListContent(filter);
            all.insert(all.end(), page.items.begin(), page.items.end());
            if (page.items.empty() || static_cast<int64_t>(all.size()) >= page.count) break;
        }
        return all;
    }

    /// Every record, by content id, in attempt order.
    std::map<ContentId, std::vector<PublishRecord>> RecordsByContent() {
        storage::RecordFilter filter;
        filter.account_id = account_;
        filter.page.page_size = 500;
        std::map<ContentId, std::vector<PublishRecord>> by_content;
        int64_t seen = 0;
        for (filter.page.page = 1;; ++filter.page.page) {
            auto page = store_->ListRecords(filter);
            for (auto& r : page.items) by_content[r.content_id].push_back(std::move(r));
            seen += static_cast<int64_t>(page.items.size());
            if (page.items.empty() || seen >= page.count) break;
        }
        return by_content;
    }

    /// content id (from the delivered document) of one request.
    static ContentId DeliveredContentId(const ReceivedRequest& r) {
        const auto doc = nlohmann::json::parse(r.body, nullptr, false);
        if (!doc.is_object() || !doc.contains("content")) return 0;
        return doc["content"].value("id", ContentId{0});
    }

    TempDir dir_;
    herald::testing::BackendDatabase db_;
    WebhookReceiver receiver_;
    std::string db_url_;
    storage::StorePtr store_;
    TimePoint now_;
    AccountId account_ = 0;
};

}  // namespace herald::reliability
