#pragma once
// The one storage interface. Domain and API code talk only to this; SQLite (and later
// PostgreSQL) implement it. Every method is thread-safe and may be called from several
// processes sharing one database: state changes are compare-and-set, never blind writes.

#include <algorithm>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "domain/model.hpp"
#include "domain/slots.hpp"

namespace herald::storage {

using namespace herald::domain;  // NOLINT: storage speaks the domain's vocabulary

/// The database is unreachable, corrupt, full, or a migration failed. Not for expected
/// outcomes (those are return values).
class StorageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct PageRequest {
    int page = 1;        // from 1
    int page_size = 50;  // 1..500
};

template <typename T>
struct Page {
    int64_t count = 0;  // total matching, across all pages
    std::vector<T> items;
};

enum class ContentOrder { kIdAsc, kIdDesc, kScheduledAsc, kScheduledDesc };

struct ContentFilter {
    AccountId account_id = 0;  // always applied
    std::optional<SiteId> site_id;
    std::optional<EditorialStatus> status;
    std::optional<SiteStatus> site_status;
    std::optional<std::string> content_type;
    std::optional<int64_t> cluster_id;
    std::optional<TimePoint> scheduled_after;   // scheduled_publish_at >= this
    std::optional<TimePoint> scheduled_before;  // scheduled_publish_at <= this
    std::optional<TimePoint> published_after;   // published_at >= this
    std::optional<TimePoint> published_before;  // published_at <= this
    ContentOrder ordering = ContentOrder::kIdAsc;
    PageRequest page;
};

struct RecordFilter {
    AccountId account_id = 0;  // always applied
    std::optional<ContentId> content_id;
    std::optional<SiteId> site_id;
    PageRequest page;
};

struct SchedulableSite {
    Site site;
    PublishingSettings settings;
};

/// An item the dispatcher now holds: the content (already `publishing`, carrying the
/// claim token, attempts incremented, publication_id set) and its site.
struct ClaimedItem {
    Content content;
    Site site;
    TimePoint due_at{};  // DueAt() before the claim, to measure lateness
};

/// One settled attempt, for Store::FinishAttempts.
struct FinishedAttempt {
    Content content;
    PublishRecord record;
};

class Store {
public:
    virtual ~Store() = default;

    // --- accounts -------------------------------------------------------------------
    /// @returns the new account's id.
    virtual AccountId CreateAccount(std::string_view name, std::string_view api_key_hash,
                                    TimePoint now) = 0;
    virtual std::optional<Account> FindAccountByKeyHash(std::string_view api_key_hash) = 0;
    virtual int64_t CountAccounts() = 0;

    // --- sites and their publishing settings ------------------------------------------
    /// Inserts the site and its settings in one transaction; returns the site with its id.
    virtual Site CreateSite(const Site& site, const PublishingSettings& settings) = 0;
    /// nullopt when missing or another account's.
    virtual std::optional<Site> GetSite(AccountId account, SiteId id) = 0;
    virtual Page<Site> ListSites(AccountId account, PageRequest page) = 0;
    /// Writes every field of `site` (matched by id and account_id). false when missing.
    virtual bool UpdateSite(const Site& site) = 0;
    /// Deletes the site with its settings, content and records, unless one of its items is
    /// `publishing` (then nothing changes). nullopt = not found; false = refused.
    virtual std::optional<bool> DeleteSite(AccountId account, SiteId id) = 0;

    virtual std::optional<PublishingSettings> GetSettings(AccountId account, SiteId site) = 0;
    /// Replaces the settings of settings.site_id (which must belong to `account`).
    virtual bool PutSettings(AccountId account, const PublishingSettings& settings) = 0;

    // --- content ----------------------------------------------------------------------
    /// Inserts; returns it with id set. `content.account_id` must be the site's account.
    virtual Content CreateContent(const Content& content) = 0;
    virtual std::optional<Content> GetContent(AccountId account, ContentId id) = 0;
    virtual Page<Content> ListContent(const ContentFilter& filter) = 0;
    /// Writes every field of `content` only if the stored row (same id and account) still
    /// has site_status `expected` (compare-and-set: an API edit never clobbers the
    /// dispatcher's move). false when it changed or vanished.
    virtual bool UpdateContentIf(const Content& content, SiteStatus expected) = 0;
    /// Deletes content and its records only if site_status is still `expected`.
    virtual bool DeleteContentIf(AccountId account, ContentId id, SiteStatus expected) = 0;
    /// Up to `limit` of the site's items changed after the position (since, after_id): with
    /// updated_at > since, or == since and id > after_id; in (updated_at, id) order. Live
    /// updates poll this (every state change sets updated_at). The default pages through
    /// ListContent; a store may answer it with one query.
    virtual std::vector<Content> ListContentChangedSince(AccountId account, SiteId site,
                                                         TimePoint since, ContentId after_id,
                                                         int limit) {
        std::vector<Content> out;
        ContentFilter filter;
        filter.account_id = account;
        filter.site_id = site;
        filter.page.page_size = 500;
        for (;; ++filter.page.page) {
            Page<Content> page = ListContent(filter);
            for (auto& c : page.items) {
                if (c.updated_at > since || (c.updated_at == since && c.id > after_id))
                    out.push_back(std::move(c));
            }
            if (page.items.size() < 500) break;
        }
        std::sort(out.begin(), out.end(), [](const Content& a, const Content& b) {
            return a.updated_at != b.updated_at ? a.updated_at < b.updated_at : a.id < b.id;
        });
        if (static_cast<int>(out.size()) > limit) out.resize(limit);
        return out;
    }

    // --- slot scheduler ---------------------------------------------------------------
    /// Active sites with auto_publish_enabled, with their settings, by id.
    virtual std::vector<SchedulableSite> ListAutoPublishSites() = 0;
    /// The site's content that is approved, not_published and has no scheduled time,
    /// ordered by approved_at, then id.
    virtual std::vector<ContentId> ListSchedulingQueue(SiteId site) = 0;
    /// scheduled_publish_at of the site's scheduled/publishing items, and published_at of
    /// its published items, both limited to instants >= `from`.
    virtual SiteCalendar LoadCalendar(SiteId site, TimePoint from) = 0;
    /// In one transaction: each assignment sets scheduled_publish_at and site_status
    /// `scheduled`, only if the item is still approved, not_published and unscheduled.
    /// @returns how many were applied.
    virtual int ApplyAssignments(std::span<const SlotAssignment> assignments, TimePoint now) = 0;

    // --- dispatcher -------------------------------------------------------------------
    /// Atomically claims up to `limit` items of active sites: `scheduled` ones with
    /// DueAt() <= now, and `publishing` ones whose lease ended before now (abandoned by a
    /// dead dispatcher). Each becomes `publishing` with `claim_token`, `lease_until`,
    /// attempts + 1 and a publication_id (kept if already set). Oldest due first.
    virtual std::vector<ClaimedItem> ClaimDue(TimePoint now, int limit,
                                              std::string_view claim_token,
                                              TimePoint lease_until) = 0;
    /// ClaimDue, leaving alone the items of `skip_sites` (sites whose queue in this
    /// dispatcher is full, so a slow site's backlog cannot take the room of other sites).
    /// The default ignores `skip_sites`.
    virtual std::vector<ClaimedItem> ClaimDueExcept(TimePoint now, int limit,
                                                    std::string_view claim_token,
                                                    TimePoint lease_until,
                                                    std::span<const SiteId> skip_sites) {
        return ClaimDue(now, limit, claim_token, lease_until);
    }
    /// Claims one item for "publish now": approved, not `publishing`, site active.
    /// nullopt when missing / another account's; the Error says why it is refused.
    virtual std::optional<Result<ClaimedItem>> ClaimOne(AccountId account, ContentId id,
                                                        std::string_view claim_token,
                                                        TimePoint now,
                                                        TimePoint lease_until) = 0;
    /// Earliest instant the dispatcher has work: the first DueAt() of a scheduled item
    /// of an active site, or the first lease end of a publishing item.
    virtual std::optional<TimePoint> NextWakeAt() = 0;
    /// In one transaction: inserts `record` and writes `content` (by id), only if the
    /// stored row still carries `claim_token`. @returns the record id, or nullopt when
    /// the claim was lost (lease expired and taken over) and nothing was written.
    virtual std::optional<RecordId> FinishAttempt(const Content& content,
                                                  std::string_view claim_token,
                                                  const PublishRecord& record) = 0;
    /// Extends the lease of a claim still held. false when lost.
    virtual bool ExtendLease(ContentId id, std::string_view claim_token,
                             TimePoint lease_until) = 0;
    /// Puts claimed items back to `scheduled` (graceful shutdown), attempts - 1.
    virtual void ReleaseClaims(std::span<const ContentId> ids, std::string_view claim_token) = 0;

    /// FinishAttempt for many items held under one claim token, each on its own (a lost claim
    /// writes nothing for that item); result i belongs to attempts[i]. The default calls
    /// FinishAttempt in turn; a store may do them all in one transaction.
    virtual std::vector<std::optional<RecordId>> FinishAttempts(
        std::span<const FinishedAttempt> attempts, std::string_view claim_token) {
        std::vector<std::optional<RecordId>> ids;
        ids.reserve(attempts.size());
        for (const auto& a : attempts) ids.push_back(FinishAttempt(a.content, claim_token, a.record));
        return ids;
    }
    /// The distinct claim tokens of `publishing` items (the dispatcher spots the claims of
    /// dead processes on its own host by them). The default knows none: leases decide.
    virtual std::vector<std::string> ListClaimTokens() { return {}; }
    /// Ends now the lease of every `publishing` item claimed under one of `tokens`, so the
    /// next ClaimDue takes them over (attempts kept). @returns how many.
    virtual int64_t ExpireClaims(std::span<const std::string> tokens) { return 0; }
    /// Puts claimed items whose call may still be in flight back to `scheduled` (shutdown
    /// deadline). Unlike ReleaseClaims, attempts are kept, so the next attempt knows an
    /// earlier one may have reached the target. The default leaves them to their lease.
    virtual void AbandonClaims(std::span<const ContentId> ids, std::string_view claim_token) {}

    // --- records and health ---------------------------------------------------------------
    virtual Page<PublishRecord> ListRecords(const RecordFilter& filter) = 0;
    /// Scheduled items of active sites due before `now`: how many, and the oldest due time.
    struct Overdue {
        int64_t count = 0;
        std::optional<TimePoint> oldest_due_at;
    };
    virtual Overdue CountOverdue(TimePoint now) = 0;
};

using StorePtr = std::unique_ptr<Store>;

/// Opens (creating and migrating as needed) the database named by `url`:
/// "sqlite:PATH" (or a bare path) or "postgresql://…".
/// @throws StorageError when it cannot be opened or the URL is not understood.
StorePtr OpenStore(std::string_view url);

}  // namespace herald::storage
