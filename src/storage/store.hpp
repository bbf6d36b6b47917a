#pragma once
// The one storage interface. Domain and API code talk only to this; SQLite (and later
// PostgreSQL) implement it. Every method is thread-safe and may be called from several
// processes sharing one database: state changes are compare-and-set, never blind writes.

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "domain/duplicates.hpp"
#include "storage/store_types.hpp"

namespace herald::storage {

using namespace herald::domain;  // NOLINT: storage speaks the domain's vocabulary

class Store {
public:
    virtual ~Store() = default;

    /// The schema version of the open database (after the migrations opening it applied).
    virtual int SchemaVersion() = 0;

    // --- accounts -------------------------------------------------------------------
    /// Creates the account and its first API key, named "default" (prefix: the key's first
    /// characters), in one transaction. @returns the new account's id.
    virtual AccountId CreateAccount(std::string_view name, std::string_view api_key_hash,
                                    TimePoint now, std::string_view key_prefix = {}) = 0;
    /// The account of a live (not revoked) API key with this hash.
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
    /// The items of the filter's page, in its order, each handed to `visit` as it is read
    /// (one object reused from row to row, valid only during the call: the list API writes
    /// each straight into its answer); count and page come from one snapshot.
    /// @returns the count of all matching items, across all pages.
    virtual int64_t VisitContentPage(const ContentFilter& filter,
                                     const std::function<void(const Content&)>& visit) = 0;
    /// VisitContentPage, collected.
    Page<Content> ListContent(const ContentFilter& filter) {
        Page<Content> page;
        page.count = VisitContentPage(filter, [&](const Content& c) { page.items.push_back(c); });
        return page;
    }
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
    /// Queue operations (API.md §9). In one transaction that holds the account's site
    /// `request.site` as ScheduleSites does: reads its settings, its scheduled and publishing
    /// items and its published calendar (from request.calendar_from), asks `plan`, and writes
    /// each move (a new scheduled_publish_at; none: back to not_published, unscheduled), each
    /// only while its item is still scheduled, unpinned and at the version read. When one is
    /// not, nothing is written (kConflict: plan again). A dry run writes nothing.
    virtual QueueOutcome ReplanQueue(const QueueRequest& request, const QueuePlanner& plan) = 0;
    /// scheduled_publish_at of the site's scheduled/publishing items, and published_at of
    /// its published items, both limited to instants >= `from` (for the calendar's view).
    virtual SiteCalendar LoadCalendar(SiteId site, TimePoint from) = 0;

    // --- dispatcher -------------------------------------------------------------------
    // The claim of due items, lease renewal and the next wake-up are in the next section
    // (Claim, RenewLease, NextWorkIn): every dispatcher may share its database with others.
    /// Claims one item for "publish now": approved, not `publishing`, site active.
    /// nullopt when missing / another account's; the Error says why it is refused.
    virtual std::optional<Result<ClaimedItem>> ClaimOne(AccountId account, ContentId id,
                                                        std::string_view claim_token, TimePoint now,
                                                        TimePoint lease_until) = 0;
    /// For each attempt, in one transaction: inserts its record and writes its content's
    /// schedule columns (kContentSchedule) and updated_at, only if the stored row still
    /// carries `claim_token` (a lost claim writes nothing for that item); places each
    /// evergreen item it published again (domain::PlanNextOccurrence, over its site's
    /// settings and calendar read with the site held, as ScheduleSites holds it); then applies each
    /// written attempt's health signal to its site by domain::NextHealth (the site row
    /// locked meanwhile on PostgreSQL). A site that recovers has its items' retries brought
    /// forward to `now` of the recovering attempt, so they go at once, within the cap.
    virtual FinishResult FinishAttempts(std::span<const FinishedAttempt> attempts,
                                        std::string_view claim_token,
                                        const domain::HealthPolicy& policy) = 0;
    /// The owner resumes a degraded or paused site (domain::ResumeHealth): its waiting items
    /// go at once. nullopt: no such site in the account.
    virtual std::optional<SiteHealthUpdate> ResumeSite(AccountId account, SiteId site,
                                                       TimePoint now) = 0;
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
    /// next Claim takes them over (attempts kept). @returns how many.
    virtual int64_t ExpireClaims(std::span<const std::string> tokens) = 0;

    // --- several processes on one database --------------------------------------------
    /// Atomically claims up to request.limit items of active sites, for dispatchers that may
    /// share the database (ClaimRequest says how leases, the per-site cap and due-ness are
    /// measured), leaving alone the items of request.skip_sites: `scheduled` items with
    /// DueAt() <= request.now, and `publishing` items whose lease ended (database clock;
    /// abandoned by a dead or frozen dispatcher). Oldest due first, each site only up to its
    /// cap. Each claimed item becomes `publishing` with the token, a lease of request.lease,
    /// attempts + 1 and a publication_id (kept if already set; else 32 random hex digits).
    virtual std::vector<ClaimedItem> Claim(const ClaimRequest& request) = 0;
    /// Sets the lease of a claim still held to end `lease` from the database's now (longer
    /// or shorter than before). false when lost.
    virtual bool RenewLease(ContentId id, std::string_view claim_token, Milliseconds lease) = 0;
    /// How long until the dispatcher has work: min(first DueAt() of a scheduled item of an
    /// active site - now, first lease end of a publishing item - the database's now). May be
    /// negative (work is due). nullopt: nothing scheduled or claimed.
    virtual std::optional<Milliseconds> NextWorkIn(TimePoint now) = 0;
    /// Tries to become the one process running `role` (e.g. "slot-scheduler") among all that
    /// share the database. nullptr: another process leads it. PostgreSQL: a session advisory
    /// lock on a connection of its own, released when the lease or the process (its session)
    /// ends. SQLite: an exclusive flock on a lock file beside the database file.
    /// @throws StorageError when the database cannot be reached.
    virtual std::unique_ptr<LeadershipLease> TryLead(std::string_view role) = 0;
    /// Calls `on_change` (on a thread of the store's; it must be quick and must not subscribe
    /// or unsubscribe) for changes made by any process sharing the database, until the
    /// subscription is destroyed. PostgreSQL: LISTEN on a connection of its own to what the
    /// schema's triggers send with pg_notify in each writing transaction; after the listening
    /// connection was lost and is back, one kAll notice (anything may have changed meanwhile).
    /// SQLite: see SqliteStore::SubscribeChanges.
    virtual std::unique_ptr<ChangeSubscription> SubscribeChanges(ChangeCallback on_change) = 0;

    // --- records and health ---------------------------------------------------------------
    virtual Page<PublishRecord> ListRecords(const RecordFilter& filter) = 0;
    /// Scheduled items of active sites due before `now`: how many, and the oldest due time.
    struct Overdue {
        int64_t count = 0;
        std::optional<TimePoint> oldest_due_at;
    };
    virtual Overdue CountOverdue(TimePoint now) = 0;
    /// Active sites by delivery health (all accounts), for /readyz and /metrics.
    struct SiteHealthCounts {
        int64_t healthy = 0;
        int64_t degraded = 0;
        int64_t paused = 0;
    };
    virtual SiteHealthCounts CountSiteHealth() = 0;

    // --- whole-database copy (herald db copy) ---------------------------------------------
    /// Every row of every table, read from one consistent snapshot of the database.
    virtual Snapshot ExportSnapshot() = 0;
    /// Inserts every row of `snapshot` with its own id (and version) in one transaction,
    /// advances each id sequence past max(snapshot.sequences, the largest id copied), and
    /// checks the row count of every table against the snapshot before committing.
    /// @throws StorageError, writing nothing, when the database already holds any account,
    /// site, settings, content or record, or when anything fails.
    virtual void ImportSnapshot(const Snapshot& snapshot) = 0;

    // === API keys and credentials at rest (keys/secrets work: sqlite_keys.cpp, pg_keys.cpp) ===
    // Site api_keys are sealed by storage::SecretBox (secret_box.hpp) on write and opened on
    // read inside the stores; callers see plaintext. A store opens only with the key its
    // database's credentials were sealed with (a key check in table secret_meta), and seals
    // plaintext rows of an older herald on its first start with a key.

    /// A key lookup for authentication.
    struct ApiKeyMatch {
        Account account;
        int64_t key_id = 0;
        std::optional<TimePoint> last_used_at;
    };
    /// The live (not revoked) key with this hash and its account.
    virtual std::optional<ApiKeyMatch> FindApiKey(std::string_view key_hash) = 0;
    /// Sets last_used_at = now unless it is already within `min_interval` of now.
    virtual void TouchApiKey(int64_t key_id, TimePoint now, Milliseconds min_interval) = 0;
    /// Adds a key to the account. @throws StorageError when the account does not exist.
    virtual ApiKeyRecord CreateApiKey(AccountId account, std::string_view name,
                                      std::string_view prefix, std::string_view key_hash,
                                      TimePoint now) = 0;
    /// The account's live keys, in id order.
    virtual std::vector<ApiKeyRecord> ListApiKeys(AccountId account) = 0;
    /// Revokes a live key (of `account` when given). false: no such live key (or another
    /// account's).
    virtual bool RevokeApiKey(std::optional<AccountId> account, int64_t key_id, TimePoint now) = 0;
    /// Accounts with this name, in id order.
    virtual std::vector<Account> FindAccountsByName(std::string_view name) = 0;
    /// Every account, in id order (the command line acts for all of them).
    virtual std::vector<Account> ListAccounts() = 0;
    /// Re-seals every secret column (kSecretColumns) and the key check under `next`, in one
    /// transaction. @returns how many values were re-sealed.
    virtual int64_t RotateSecrets(const SecretBox& next) = 0;

    // === event hooks and their outbox (sqlite_hooks.cpp, pg_hooks.cpp) ===
    // A hook's secret is sealed like a site's api_key (kHookSecret); callers see plaintext.

    /// Inserts; returns it with id set and version 1. @throws StorageError when the account
    /// does not exist.
    virtual EventHook CreateEventHook(const EventHook& hook) = 0;
    /// nullopt when missing or another account's.
    virtual std::optional<EventHook> GetEventHook(AccountId account, EventHookId id) = 0;
    virtual Page<EventHook> ListEventHooks(AccountId account, PageRequest page) = 0;
    /// Writes url, secret, events, is_active and updated_at (matched by id and account_id) if
    /// the stored version is still `expected_version`.
    virtual WriteResult UpdateEventHook(const EventHook& hook, int64_t expected_version) = 0;
    /// Deletes the hook and its deliveries if its version is still `expected_version`
    /// (nullopt: any).
    virtual WriteOutcome DeleteEventHook(AccountId account, EventHookId id,
                                         std::optional<int64_t> expected_version) = 0;

    /// Which of `accounts` have at least one active hook now (any event), ascending: an
    /// emitter skips building the events of the others. A hook that commits before this
    /// read is seen by it.
    virtual std::vector<AccountId> AccountsWithActiveHooks(std::span<const AccountId> accounts) = 0;
    /// In one transaction: one pending delivery of `body` (the JSON to POST), due at `now`,
    /// with a fresh webhook-id, for each active hook of `account` subscribed to `event_type`.
    /// @returns how many deliveries were queued.
    virtual int64_t EnqueueHookEvent(AccountId account, std::string_view event_type,
                                     std::string_view body, TimePoint now) = 0;
    /// One pending delivery of `body` to the account's hook `hook` alone, due at `now`, whatever
    /// it subscribes to (a test event). nullopt when the hook is missing or another account's.
    virtual std::optional<HookDelivery> EnqueueHookDelivery(AccountId account, EventHookId hook,
                                                            std::string_view event_type,
                                                            std::string_view body,
                                                            TimePoint now) = 0;
    /// Atomically claims up to request.limit due deliveries of active hooks, oldest due first:
    /// pending with next_attempt_at <= request.now and no live lease (a lease that ended was
    /// left by a dead or stuck deliverer and is taken over). Each gets the token, a lease and
    /// attempts + 1. Two deliverers never hold one delivery at once.
    virtual std::vector<ClaimedDelivery> ClaimHookDeliveries(const HookClaimRequest& request) = 0;
    /// Settles a claimed delivery (state, next attempt, status, error; the claim is dropped)
    /// only if it still carries `claim_token`. false: the claim was lost.
    virtual bool FinishHookDelivery(const HookAttemptResult& result,
                                    std::string_view claim_token) = 0;
    /// How long until a delivery is due: min(next_attempt_at of a pending delivery of an
    /// active hook - now, first lease end - the database's now). nullopt: none pending.
    virtual std::optional<Milliseconds> NextHookDeliveryIn(TimePoint now) = 0;
    /// Deletes up to `limit` delivered or failed deliveries that finished before `before`
    /// (the outbox keeps a window of history, not all of it). @returns how many.
    virtual int64_t PruneHookDeliveries(TimePoint before, int limit) = 0;
    /// The hook's most recent deliveries, newest first (at most `limit`).
    virtual std::vector<HookDelivery> ListHookDeliveries(AccountId account, EventHookId hook,
                                                         int limit) = 0;

    // === planner I/O: bulk import, duplicate warnings, calendar feed (sqlite_planner_io.cpp,
    // pg_planner_io.cpp) ===

    struct BatchCreateResult {
        std::vector<ContentId> ids;  // the new ids, in the order of the items (when written)
        /// Set: nothing was written, because the item at this index is scheduled at an
        /// instant another item of the site holds (or an earlier item of the batch does).
        std::optional<size_t> slot_taken;
    };
    /// Inserts every item (each of `account`'s site `site`, version 1) in one transaction
    /// through one prepared statement: all or nothing. Items that take an instant hold the
    /// site like every manual schedule. @throws StorageError, writing nothing, when the site
    /// is not the account's or anything fails.
    virtual BatchCreateResult CreateContentBatch(AccountId account, SiteId site,
                                                 std::span<const Content> items) = 0;
    /// Id, title, slug and domain::DuplicateDate of the site's items dated within [from, to],
    /// in id order (the duplicate rule's candidates).
    virtual std::vector<DuplicateCandidate> ListDuplicateCandidates(AccountId account, SiteId site,
                                                                    TimePoint from,
                                                                    TimePoint to) = 0;
    /// Makes `token_hash` the site's one calendar feed token (the old one stops working).
    /// false: no such site in the account.
    virtual bool SetCalendarToken(AccountId account, SiteId site, std::string_view token_hash,
                                  TimePoint now) = 0;
    /// Revokes the site's feed token. false: the site has none (or is not the account's).
    virtual bool DeleteCalendarToken(AccountId account, SiteId site) = 0;
    /// The site `site` if its live feed token has this hash.
    virtual std::optional<Site> FindSiteByCalendarToken(SiteId site,
                                                        std::string_view token_hash) = 0;
};

using StorePtr = std::unique_ptr<Store>;

/// Opens (creating and migrating as needed) the database named by `url`:
/// "sqlite:PATH" (or a bare path) or "postgresql://…".
/// @throws StorageError when it cannot be opened or the URL is not understood.
StorePtr OpenStore(std::string_view url);

/// How OpenStore opens a database.
struct StoreOptions {
    /// PostgreSQL: connections in the pool (0: the store's default). SQLite ignores it.
    size_t pool_size = 0;
    /// Where the key of the stored credentials comes from (secret_box.hpp).
    SecretKeySource secrets;
    /// SQLite: create the file when it is missing. Off, a missing file is refused ("no herald
    /// database at PATH") instead of leaving an empty database behind a typo.
    bool create_if_missing = true;
};

/// The file a SQLite URL names ("sqlite:PATH", "sqlite://PATH" or a bare path); nullopt for
/// a PostgreSQL URL. @throws StorageError for another scheme or no file.
std::optional<std::string> SqlitePathOf(std::string_view url);

/// Writes a consistent copy of the SQLite database `url` names to the new file `file`
/// (mode 0600) while other connections keep writing (SQLite's online backup, in steps).
/// @throws StorageError for a PostgreSQL URL (use pg_dump), an existing `file`, or a failure.
void BackupDatabase(std::string_view url, const std::string& file);
StorePtr OpenStore(std::string_view url, const StoreOptions& options);

}  // namespace herald::storage
