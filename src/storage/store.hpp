#pragma once
// The one storage interface. Domain and API code talk only to this; SQLite (and later
// PostgreSQL) implement it. Every method is thread-safe and may be called from several
// processes sharing one database: state changes are compare-and-set, never blind writes.

#include <functional>
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

/// How a conditional write ended. Every write of a row that carries `version` names the
/// version it was computed from; the store applies it only if the row still has it.
enum class WriteOutcome {
    kApplied,    // written; the row's version grew by one
    kNotFound,   // no such row in the account (or it was deleted meanwhile)
    kConflict,   // the row's version (or the claim/state it depended on) moved
    kSlotTaken,  // another item of the site is scheduled or publishing at that instant
    kBusy,       // refused by state (e.g. deleting a site with an item in flight)
};

struct WriteResult {
    WriteOutcome outcome = WriteOutcome::kNotFound;
    int64_t version = 0;  // the row's new version when applied
    bool applied() const { return outcome == WriteOutcome::kApplied; }
};

/// Column groups of a content row, for field-targeted writes: a write names the groups it
/// means to change and leaves every other column as it is in the database.
enum ContentFields : unsigned {
    kContentText = 1u << 0,      // title, content_html, excerpt, slug, content_type, cluster_id,
                                 // categories, tags, featured_image_url
    kContentSite = 1u << 1,      // site_id
    kContentEditorial = 1u << 2, // status, approved_at
    kContentSchedule = 1u << 3,  // site_status, site_status_updated_at, scheduled_publish_at,
                                 // published_at, external_id, external_url, last_error,
                                 // next_attempt_at, attempts, publication_id, claim_token,
                                 // lease_until
};

/// What the slot calculator needs of one site, read inside the transaction that holds it.
struct SiteSchedulingInput {
    const Site& site;
    const PublishingSettings& settings;
    std::span<const ContentId> queue;  // approved, not_published, unscheduled; approved_at, id
    const SiteCalendar& calendar;      // from `calendar_from`
};

/// Places a site's queue (the pure slot calculator, wrapped by the caller).
using SlotPlanner = std::function<Result<std::vector<SlotAssignment>>(const SiteSchedulingInput&)>;

struct SiteScheduleOutcome {
    SiteId site_id = 0;
    std::string site_name;
    size_t queued = 0;                        // items waiting for a slot when the site was read
    std::vector<SlotAssignment> assignments;  // what was (dry run: would be) set
    std::optional<Error> error;               // the site could not be planned (bad zone, …)
    bool skipped = false;                     // missing, inactive, or (if required) not auto
};

struct ScheduleRequest {
    std::vector<SiteId> sites;
    TimePoint now{};
    TimePoint calendar_from{};  // far enough back for the limits of now's month and week
    bool dry_run = false;
    bool require_auto_publish = true;  // background runs; an explicit per-site run is not
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
    /// Inserts the site and its settings in one transaction; returns the site with its id
    /// and version 1.
    virtual Site CreateSite(const Site& site, const PublishingSettings& settings) = 0;
    /// nullopt when missing or another account's.
    virtual std::optional<Site> GetSite(AccountId account, SiteId id) = 0;
    virtual Page<Site> ListSites(AccountId account, PageRequest page) = 0;
    /// Writes the site's own columns (matched by id and account_id) if its stored version
    /// is still `expected_version`.
    virtual WriteResult UpdateSite(const Site& site, int64_t expected_version) = 0;
    /// Deletes the site with its settings, content and records if its version is still
    /// `expected_version` (nullopt: any) and none of its items is `publishing` (kBusy).
    virtual WriteOutcome DeleteSite(AccountId account, SiteId id,
                                    std::optional<int64_t> expected_version) = 0;

    virtual std::optional<PublishingSettings> GetSettings(AccountId account, SiteId site) = 0;
    /// Replaces the settings of settings.site_id (which must belong to `account`) if the
    /// site's version is still `expected_site_version` (nullopt: any); the settings are part
    /// of the site, so the site's version grows. The result carries the site's new version.
    virtual WriteResult PutSettings(AccountId account, const PublishingSettings& settings,
                                    std::optional<int64_t> expected_site_version) = 0;

    // --- content ----------------------------------------------------------------------
    /// Inserts; returns it with id set and version 1. `content.account_id` must be the
    /// site's account. @throws StorageError when it names another account's site or is
    /// created scheduled at an instant another item of the site holds.
    virtual Content CreateContent(const Content& content) = 0;
    virtual std::optional<Content> GetContent(AccountId account, ContentId id) = 0;
    virtual Page<Content> ListContent(const ContentFilter& filter) = 0;
    /// Writes the column groups `fields` (ContentFields) of `content` (matched by id and
    /// account_id) and updated_at, only if the stored version is still `expected_version`.
    virtual WriteResult UpdateContent(const Content& content, int64_t expected_version,
                                      unsigned fields) = 0;
    /// Deletes content and its records only if its version is still `expected_version`.
    virtual WriteOutcome DeleteContent(AccountId account, ContentId id,
                                       int64_t expected_version) = 0;
    /// Up to `limit` of the site's items changed after the position (since, after_id): with
    /// updated_at > since, or == since and id > after_id; in (updated_at, id) order. Live
    /// updates poll this (every state change sets updated_at).
    virtual std::vector<Content> ListContentChangedSince(AccountId account, SiteId site,
                                                         TimePoint since, ContentId after_id,
                                                         int limit) = 0;

    // --- slot scheduler ---------------------------------------------------------------
    /// Ids of the active sites with auto_publish_enabled, in id order.
    virtual std::vector<SiteId> ListAutoPublishSiteIds() = 0;
    /// The one way slots are given (API.md §4). For each site of the request, in a
    /// transaction that holds the site against every other scheduler and manual schedule
    /// (SQLite: the write lock; PostgreSQL: the site's row lock): reads its settings, queue
    /// and calendar, asks `plan`, and sets each assignment (scheduled_publish_at, site_status
    /// `scheduled`) while the item is still approved, not_published and unscheduled. A dry
    /// run rolls back. Several sites may share one transaction; no site is split.
    virtual std::vector<SiteScheduleOutcome> ScheduleSites(const ScheduleRequest& request,
                                                           const SlotPlanner& plan) = 0;
    /// scheduled_publish_at of the site's scheduled/publishing items, and published_at of
    /// its published items, both limited to instants >= `from` (for the calendar's view).
    virtual SiteCalendar LoadCalendar(SiteId site, TimePoint from) = 0;

    // --- dispatcher -------------------------------------------------------------------
    /// Atomically claims up to `limit` items of active sites, leaving alone the items of
    /// `skip_sites` (sites whose queue in this dispatcher is full): `scheduled` ones with
    /// DueAt() <= now, and `publishing` ones whose lease ended before now (abandoned by a
    /// dead dispatcher). Each becomes `publishing` with `claim_token`, `lease_until`,
    /// attempts + 1 and a publication_id (kept if already set; else 32 random hex digits).
    /// Oldest due first.
    virtual std::vector<ClaimedItem> ClaimDue(TimePoint now, int limit,
                                              std::string_view claim_token,
                                              TimePoint lease_until,
                                              std::span<const SiteId> skip_sites) = 0;
    /// Claims one item for "publish now": approved, not `publishing`, site active.
    /// nullopt when missing / another account's; the Error says why it is refused.
    virtual std::optional<Result<ClaimedItem>> ClaimOne(AccountId account, ContentId id,
                                                        std::string_view claim_token,
                                                        TimePoint now,
                                                        TimePoint lease_until) = 0;
    /// Earliest instant the dispatcher has work: the first DueAt() of a scheduled item
    /// of an active site, or the first lease end of a publishing item.
    virtual std::optional<TimePoint> NextWakeAt() = 0;
    /// For each attempt, in one transaction: inserts its record and writes its content's
    /// schedule columns (kContentSchedule) and updated_at, only if the stored row still
    /// carries `claim_token` (a lost claim writes nothing for that item). Result i belongs
    /// to attempts[i]: the record id, or nullopt when the claim was lost.
    virtual std::vector<std::optional<RecordId>> FinishAttempts(
        std::span<const FinishedAttempt> attempts, std::string_view claim_token) = 0;
    /// Extends the lease of a claim still held. false when lost.
    virtual bool ExtendLease(ContentId id, std::string_view claim_token,
                             TimePoint lease_until) = 0;
    /// Puts claimed items back to `scheduled` (graceful shutdown), attempts - 1.
    virtual void ReleaseClaims(std::span<const ContentId> ids, std::string_view claim_token,
                               TimePoint now) = 0;
    /// Puts claimed items whose call may still be in flight back to `scheduled` (shutdown
    /// deadline). Unlike ReleaseClaims, attempts are kept, so the next attempt knows an
    /// earlier one may have reached the target.
    virtual void AbandonClaims(std::span<const ContentId> ids, std::string_view claim_token,
                               TimePoint now) = 0;
    /// The distinct claim tokens of `publishing` items (the dispatcher spots the claims of
    /// dead processes on its own host by them).
    virtual std::vector<std::string> ListClaimTokens() = 0;
    /// Ends now the lease of every `publishing` item claimed under one of `tokens`, so the
    /// next ClaimDue takes them over (attempts kept). @returns how many.
    virtual int64_t ExpireClaims(std::span<const std::string> tokens) = 0;

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
