#pragma once
// Builders for the rows tests put straight into a store (accounts, sites, content, publishing
// settings), so each fixture does not spell out its own copy of the same defaults. Header
// only: postgres_tests, which does not link herald_test_support, uses them too.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/time.hpp"
#include "domain/model.hpp"
#include "storage/store.hpp"

namespace herald::testing {

/// An unsaved, active site of `account` on the custom (webhook) platform, calling
/// `endpoint` and signing with `secret`.
inline domain::Site SiteRow(domain::AccountId account, std::string name, std::string endpoint,
                            std::string secret, TimePoint now, bool active = true) {
    domain::Site site;
    site.account_id = account;
    site.name = std::move(name);
    site.platform_type = domain::Platform::kCustom;
    site.domain = std::move(endpoint);
    site.api_key = std::move(secret);
    site.is_active = active;
    site.created_at = site.updated_at = now;
    return site;
}

/// An unsaved draft of `site`, its body the title in a paragraph.
inline domain::Content DraftRow(const domain::Site& site, const std::string& title, TimePoint now) {
    domain::Content c;
    c.account_id = site.account_id;
    c.site_id = site.id;
    c.title = title;
    c.content_html = "<p>" + title + "</p>";
    c.site_status_updated_at = now;
    c.created_at = c.updated_at = now;
    return c;
}

/// `c` approved at `approved_at`, not scheduled: what the slot scheduler picks up.
inline domain::Content Approved(domain::Content c, TimePoint approved_at) {
    c.status = domain::EditorialStatus::kApproved;
    c.approved_at = approved_at;
    return c;
}

/// `c` approved at `approved_at` and scheduled at `at` (one item per site and instant: the
/// store refuses a second at a taken one).
inline domain::Content Scheduled(domain::Content c, TimePoint approved_at, TimePoint at) {
    c = Approved(std::move(c), approved_at);
    c.site_status = domain::SiteStatus::kScheduled;
    c.scheduled_publish_at = at;
    return c;
}

/// Settings under which the slot scheduler fills `slots` (minutes after midnight) every day.
inline domain::PublishingSettings AutoPublishEveryDay(std::vector<int> slots,
                                                      domain::PublishingSettings settings = {}) {
    settings.auto_publish_enabled = true;
    settings.publish_days = {0, 1, 2, 3, 4, 5, 6};
    settings.publish_time_slots = std::move(slots);
    return settings;
}

/// The store tests' builders (both store fixtures and any fixture opening a store of its
/// own): rows at kNow, names made unique by a serial number.
class StoreBuilders {
protected:
    virtual ~StoreBuilders() = default;
    virtual storage::Store& store() = 0;

    /// Account names are unique: a second "acme" becomes "acme-N".
    domain::AccountId NewAccount(const std::string& name = "acme") {
        const std::string hash = "hash-" + name + std::to_string(++serial_);
        try {
            return store().CreateAccount(name, hash, kNow);
        } catch (const storage::AccountNameTaken&) {
            return store().CreateAccount(name + "-" + std::to_string(serial_), hash, kNow);
        }
    }

    domain::Site NewSite(domain::AccountId account, const std::string& name = "blog",
                         bool active = true, domain::PublishingSettings settings = {}) {
        return store().CreateSite(
            SiteRow(account, name, "https://example.com/hook", "whsec_secret", kNow, active),
            settings);
    }

    domain::Content MakeContent(const domain::Site& site, const std::string& title = "Hello") {
        return DraftRow(site, title, kNow);
    }

    domain::Content NewContent(const domain::Site& site,
                               const std::function<void(domain::Content&)>& edit = {}) {
        domain::Content c = MakeContent(site, "post " + std::to_string(++serial_));
        if (edit) edit(c);
        return store().CreateContent(c);
    }

    /// Approved, scheduled at `at`.
    domain::Content NewScheduled(const domain::Site& site, TimePoint at) {
        return NewContent(site, [at](domain::Content& c) { c = Scheduled(c, kNow, at); });
    }

    /// Approved, not published, unscheduled: what the slot scheduler picks up.
    domain::Content NewApproved(const domain::Site& site, TimePoint approved_at) {
        return NewContent(site,
                          [approved_at](domain::Content& c) { c = Approved(c, approved_at); });
    }

    static inline const TimePoint kNow = ParseIso("2026-01-20T12:00:00Z").value();

    int serial_ = 0;
};

}  // namespace herald::testing
