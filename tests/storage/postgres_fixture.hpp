#pragma once
// Shared setup for the PostgreSQL store tests: a fresh database per test on the server of
// HERALD_TEST_PG_URL (skipped when unset), a store on it, and small builders.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "common/time.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "support/claims.hpp"
#include "support/pg_database.hpp"

namespace herald::storage::test {

using herald::testing::ClaimBatch;
using herald::testing::ClaimOnceLeasesEnd;
using herald::testing::WaitForEndedLease;

inline TimePoint PgAt(const char* iso) { return ParseIso(iso).value(); }

class PgStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (herald::testing::PgServerUrl().empty())
            GTEST_SKIP() << "HERALD_TEST_PG_URL is not set (scripts/postgres/start.sh)";
        db_ = std::make_unique<herald::testing::TestDatabase>();
        store_ = std::make_unique<postgres::PostgresStore>(db_->url());
    }
    void TearDown() override {
        store_.reset();  // close the pool before the database goes
        db_.reset();
    }

    postgres::PostgresStore& store() { return *store_; }
    const std::string& url() const { return db_->url(); }

    AccountId NewAccount(const std::string& name = "acme") {
        return store_->CreateAccount(name, "hash-" + name + std::to_string(++serial_), kNow);
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
        return store_->CreateSite(site, settings);
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
        return store_->CreateContent(c);
    }

    /// Approved, scheduled at `at`.
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

    static inline const TimePoint kNow = PgAt("2026-01-20T12:00:00Z");

    std::unique_ptr<herald::testing::TestDatabase> db_;
    std::unique_ptr<postgres::PostgresStore> store_;
    int serial_ = 0;
};

}  // namespace herald::storage::test
