#pragma once
// Shared setup for the store tests: a fresh database per test and small builders for
// accounts, sites and content. StoreTest runs on every backend (TEST_P plus one
// HERALD_ON_EVERY_BACKEND per fixture); SqliteOnlyTest is for what only SQLite has (its
// file, its query plans, its raw schema).

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "common/time.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"
#include "support/backends.hpp"
#include "support/claims.hpp"
#include "support/temp_dir.hpp"

namespace herald::storage::test {

using herald::testing::ClaimBatch;
using herald::testing::ClaimOnceLeasesEnd;
using herald::testing::WaitForEndedLease;

/// Parses a literal ISO time; a typo throws (and fails the test) rather than passing silently.
inline TimePoint At(const char* iso) { return ParseIso(iso).value(); }

/// The builders, over whichever store the fixture opened.
class StoreBuilders {
protected:
    virtual ~StoreBuilders() = default;
    virtual Store& store() = 0;

    AccountId NewAccount(const std::string& name = "acme") {
        return store().CreateAccount(name, "hash-" + name + std::to_string(++serial_), kNow);
    }

    Site NewSite(AccountId account, const std::string& name = "blog", bool active = true,
                 PublishingSettings settings = {}) {
        Site site;
        site.account_id = account;
        site.name = name;
        site.platform_type = Platform::kCustom;
        site.domain = "https://example.com/hook";
        site.api_key = "whsec_secret";
        site.is_active = active;
        site.created_at = kNow;
        site.updated_at = kNow;
        return store().CreateSite(site, settings);
    }

    Content MakeContent(const Site& site, const std::string& title = "Hello") {
        Content c;
        c.account_id = site.account_id;
        c.site_id = site.id;
        c.title = title;
        c.content_html = "<p>" + title + "</p>";
        c.site_status_updated_at = kNow;
        c.created_at = kNow;
        c.updated_at = kNow;
        return c;
    }

    Content NewContent(const Site& site, const std::function<void(Content&)>& edit = {}) {
        Content c = MakeContent(site, "post " + std::to_string(++serial_));
        if (edit) edit(c);
        return store().CreateContent(c);
    }

    /// Approved, scheduled at `at` (one item per site and instant: the store refuses more).
    Content NewScheduled(const Site& site, TimePoint at) {
        return NewContent(site, [at](Content& c) {
            c.status = EditorialStatus::kApproved;
            c.approved_at = kNow;
            c.site_status = SiteStatus::kScheduled;
            c.scheduled_publish_at = at;
        });
    }

    /// Approved, not published, unscheduled: what the slot scheduler picks up.
    Content NewApproved(const Site& site, TimePoint approved_at) {
        return NewContent(site, [approved_at](Content& c) {
            c.status = EditorialStatus::kApproved;
            c.approved_at = approved_at;
        });
    }

    /// One settled attempt through the batch call, as the dispatcher settles them.
    std::optional<RecordId> Finish(const Content& content, std::string_view token,
                                   const PublishRecord& record) {
        const std::vector<FinishedAttempt> attempts = {{content, record}};
        return store().FinishAttempts(attempts, token, domain::HealthPolicy{}).record_ids.at(0);
    }

    static inline const TimePoint kNow = At("2026-01-20T12:00:00Z");

    int serial_ = 0;
};

/// A fresh database of the backend named by the test's parameter.
class StoreTest : public ::testing::TestWithParam<std::string>, public StoreBuilders {
protected:
    StoreTest() : db_(GetParam()), store_(OpenStore(db_.url())) {}

    Store& store() override { return *store_; }
    const std::string& url() const { return db_.url(); }

    void Reopen() {
        store_.reset();
        store_ = OpenStore(db_.url());
    }

    // Declared first, so the store (and its connections) goes before the database.
    herald::testing::BackendDatabase db_;
    StorePtr store_;
};

/// SQLite only: a database file the test may also open raw.
class SqliteOnlyTest : public ::testing::Test, public StoreBuilders {
protected:
    SqliteOnlyTest()
        : path_(dir_.File("herald.db")), store_(std::make_unique<sqlite::SqliteStore>(path_)) {}

    sqlite::SqliteStore& store() override { return *store_; }

    void Reopen() {
        store_.reset();
        store_ = std::make_unique<sqlite::SqliteStore>(path_);
    }

    herald::testing::TempDir dir_;
    std::string path_;
    std::unique_ptr<sqlite::SqliteStore> store_;
};

}  // namespace herald::storage::test
