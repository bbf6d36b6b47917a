#pragma once
// The values the storage interface (storage/store.hpp) takes and returns: filters, pages,
// claims, write outcomes, change notices and the whole-database snapshot.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>
#include "domain/event_hooks.hpp"
#include "domain/model.hpp"
#include "domain/queue_plan.hpp"
#include "domain/slots.hpp"
#include "domain/unscheduled.hpp"
#include "storage/hook_outbox.hpp"
#include "storage/secret_box.hpp"

namespace herald::storage {

using namespace herald::domain;  // NOLINT: storage speaks the domain's vocabulary

/// The database is unreachable, corrupt, full, or a migration failed. Not for expected
/// outcomes (those are return values).
class StorageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// CreateAccount: another account already has this name (a unique index on both backends).
class AccountNameTaken : public StorageError {
public:
    explicit AccountNameTaken(std::string_view name)
        : StorageError("an account named '" + std::string(name) + "' already exists") {}
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

/// One settled attempt, for Store::FinishAttempts: the item's new state, its record, and
/// what the attempt says about its site's health.
struct FinishedAttempt {
    Content content;
    PublishRecord record;
    domain::HealthSignal signal = domain::HealthSignal::kNone;
    std::string signal_reason;                // the attempt's error, for the site's reason
    std::optional<Milliseconds> retry_after;  // the server's Retry-After
};

/// A site whose health changed (for event hooks, logs and the dispatcher's admission).
struct SiteHealthUpdate {
    SiteId site_id = 0;
    AccountId account_id = 0;
    std::string site_name;
    domain::HealthChange change;
};

struct FinishResult {
    /// Result i belongs to attempts[i]: the record id, or nullopt when the claim was lost.
    std::vector<std::optional<RecordId>> record_ids;
    /// Every site the batch touched whose stored health changed, in site id order.
    std::vector<SiteHealthUpdate> health;
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
    kContentText = 1u << 0,       // title, content_html, excerpt, slug, content_type, cluster_id,
                                  // categories, tags, featured_image_url
    kContentSite = 1u << 1,       // site_id
    kContentEditorial = 1u << 2,  // status, approved_at
    kContentSchedule = 1u << 3,   // site_status, site_status_updated_at, scheduled_publish_at,
                                  // published_at, external_id, external_url, last_error,
                                  // next_attempt_at, attempts, publication_id, claim_token,
                                  // lease_until
    // `held` is written with kContentSchedule or kContentEditorial (a hold starts or ends
    // there).
};

/// What the slot calculator needs of one site, read inside the transaction that holds it.
struct SiteSchedulingInput {
    const Site& site;
    const PublishingSettings& settings;
    std::span<const ContentId> queue;  // approved, not_published, unscheduled; approved_at, id
    const SiteCalendar& calendar;      // from `calendar_from`
    // The rest of the site's approved, unscheduled items: held (ScheduleRequest::release_hold
    // aside), so not in `queue` and never placed; read with it, only to be explained.
    std::span<const ContentId> held;
};

/// Places a site's queue (the pure slot calculator, wrapped by the caller).
using SlotPlanner = std::function<Result<std::vector<SlotAssignment>>(const SiteSchedulingInput&)>;

struct SiteScheduleOutcome {
    SiteId site_id = 0;
    std::string site_name;
    size_t queued = 0;                        // items waiting for a slot when the site was read
    size_t held = 0;                          // and items held for a person, not queued
    std::vector<SlotAssignment> assignments;  // what was (dry run: would be) set
    std::optional<Error> error;               // the site could not be planned (bad zone, …)
    bool skipped = false;                     // missing, inactive, or (if required) not auto
    /// The queue's items left unplaced, with why (filled by dispatch::ScheduleSites).
    std::vector<UnscheduledItem> unscheduled;
};

struct ScheduleRequest {
    std::vector<SiteId> sites;
    TimePoint now{};
    TimePoint calendar_from{};  // far enough back for the limits of now's month and week
    bool dry_run = false;
    bool require_auto_publish = true;  // background runs; an explicit per-site run is not
    // A person scheduling this one item into a free slot (domain::EndsHold): it is queued even
    // when held, and its hold ends with its assignment. 0: none (held items are skipped).
    ContentId release_hold = 0;
};

/// What a queue operation's planner sees of one site (Store::ReplanQueue), read inside the
/// transaction that holds the site.
struct QueueInput {
    const Site& site;
    const PublishingSettings& settings;
    std::span<const Content> items;        // its scheduled and publishing items
    std::span<const TimePoint> published;  // the calendar's published instants (limits)
};

/// Plans a queue operation (domain::PlanQueue, wrapped by the caller).
using QueuePlanner = std::function<Result<std::vector<domain::QueueMove>>(const QueueInput&)>;

struct QueueRequest {
    AccountId account = 0;
    SiteId site = 0;
    TimePoint now{};
    TimePoint calendar_from{};  // far enough back for the limits of now's month and week
    bool dry_run = false;
};

struct QueueOutcome {
    enum class Kind {
        kDone,      // planned (and, unless a dry run, written)
        kNotFound,  // no such site in the account
        kRefused,   // the planner refused: `error`
        kConflict,  // an item changed between the read and the write; nothing was written
    };
    Kind kind = Kind::kDone;
    std::optional<Error> error;
    std::vector<domain::QueueMove> moves;
};

/// One account row as stored.
struct AccountRow {
    Account account;
};

/// One row of `api_keys` (API keys and secrets section below). Only a hash of the key is
/// stored; `prefix` is its first characters, to tell keys apart in a list.
struct ApiKeyRecord {
    int64_t id = 0;
    AccountId account_id = 0;
    std::string name;
    std::string prefix;
    std::string key_hash;
    TimePoint created_at{};
    std::optional<TimePoint> last_used_at;
    std::optional<TimePoint> revoked_at;
};

/// A site's calendar feed token: only its hash is stored (the token itself was shown once).
struct FeedTokenRow {
    SiteId site_id = 0;
    std::string token_hash;
    TimePoint created_at{};
};

/// The whole database as plain rows, for `herald db copy`: every row of every table, ids,
/// versions and dispatch bookkeeping included, each table in id order. It holds the
/// database in memory, which suits the sizes herald targets (a million content rows are a
/// few hundred MB); a larger database would need a copy that streams table by table.
struct Snapshot {
    std::vector<AccountRow> accounts;
    std::vector<Site> sites;
    std::vector<PublishingSettings> settings;
    std::vector<Content> content;
    std::vector<PublishRecord> records;
    std::vector<ApiKeyRecord> api_keys;         // revoked ones too
    std::vector<EventHook> event_hooks;         // secrets in plaintext, sealed again on import
    std::vector<HookDelivery> hook_deliveries;  // the outbox; claims are not carried over
    std::vector<FeedTokenRow> feed_tokens;      // calendar subscriptions keep working
    /// The highest id each table has ever given (its sequence; >= the largest id present,
    /// larger when rows were deleted), so a copy never hands out a deleted row's id again.
    struct Sequences {
        int64_t accounts = 0;
        int64_t sites = 0;
        int64_t content = 0;
        int64_t records = 0;
        int64_t api_keys = 0;
        int64_t event_hooks = 0;
        int64_t hook_deliveries = 0;
    } sequences;
};

/// A claim by a dispatcher that may share the database with dispatchers of other processes
/// and other machines (Store::Claim).
struct ClaimRequest {
    /// Due-ness: `scheduled` items with DueAt() <= now are claimed (the caller's clock; a
    /// `--now` replay passes its own).
    TimePoint now{};
    int limit = 0;
    std::string_view claim_token;
    /// The lease's length. Its end is set, and "the lease ended" is checked, on the clock of
    /// the database (PostgreSQL: the server's now(); SQLite: this machine's clock, which every
    /// process sharing the file shares), never on the caller's.
    Milliseconds lease{};
    /// Sites whose queue in this dispatcher is full: left alone.
    std::span<const SiteId> skip_sites;
    /// At most this many items of one site are `publishing` under a live lease at once,
    /// counted over every process (a site's options_json "max_in_flight" overrides); the
    /// claim takes only the room left, race-free across processes. 0: no cap.
    int max_in_flight_per_site = 0;
};

/// What a change notice says (Store::SubscribeChanges).
struct ChangeNotice {
    enum Kind : unsigned {
        kDue = 1u << 0,      // an item may be due sooner, or claims were given back
        kQueue = 1u << 1,    // an approval or a settings/site change: the slot scheduler has work
        kContent = 1u << 2,  // content of `account`/`site` changed (live updates)
        kKeys = 1u << 3,     // an API key was revoked: cached authentications are void
        kAll = kDue | kQueue | kContent | kKeys,
    };
    unsigned kinds = kAll;
    AccountId account = 0;  // 0: unknown (a notice of kAll after a gap: anything may have changed)
    SiteId site = 0;
};
using ChangeCallback = std::function<void(const ChangeNotice&)>;

/// Ends its subscription when destroyed (waits for a callback still running).
class ChangeSubscription {
public:
    virtual ~ChangeSubscription() = default;
};

/// Held while this process leads a role (Store::TryLead); released when destroyed or when
/// the process dies.
class LeadershipLease {
public:
    virtual ~LeadershipLease() = default;
    /// Checks that the lock is still held (PostgreSQL: a round trip on the session that holds
    /// it). false: lost (the session died); drop the lease and try to lead again later.
    virtual bool StillHeld() = 0;
};

}  // namespace herald::storage
