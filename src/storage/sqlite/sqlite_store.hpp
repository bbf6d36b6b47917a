#pragma once
// The SQLite implementation of Store: one database file shared by every thread of this
// process (through a connection pool) and by other herald processes (through SQLite locks).

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "storage/store.hpp"

namespace herald::storage::sqlite {

class ConnectionPool;
}  // namespace herald::storage::sqlite

namespace herald::storage {
class ChangeFeed;
}  // namespace herald::storage

namespace herald::storage::sqlite {

class SqliteStore final : public Store {
public:
    struct Options {
        /// Test hook: stop migrating at this schema version (to build an old database).
        /// A store opened this way is only good for reading the schema version; use it
        /// to create fixtures, then reopen normally.
        std::optional<int> migrate_up_to;
        /// Where the key of the stored credentials comes from; with none given (and no
        /// HERALD_SECRET_KEY), "<path>.key", created 0600 on first use.
        SecretKeySource secrets;
    };

    /// Opens (creating and migrating as needed) the database file at `path`.
    /// @throws StorageError when it cannot be opened, is newer than this code, or a
    /// migration fails.
    explicit SqliteStore(const std::string& path) : SqliteStore(path, Options{}) {}
    SqliteStore(const std::string& path, const Options& options);
    ~SqliteStore() override;

    /// The schema version this code migrates to.
    static int LatestSchemaVersion();
    /// PRAGMA user_version of the open database.
    int SchemaVersion() override;

    AccountId CreateAccount(std::string_view name, std::string_view api_key_hash, TimePoint now,
                            std::string_view key_prefix = {}) override;
    std::optional<Account> FindAccountByKeyHash(std::string_view api_key_hash) override;
    int64_t CountAccounts() override;

    Site CreateSite(const Site& site, const PublishingSettings& settings) override;
    std::optional<Site> GetSite(AccountId account, SiteId id) override;
    Page<Site> ListSites(AccountId account, PageRequest page) override;
    WriteResult UpdateSite(const Site& site, int64_t expected_version) override;
    WriteOutcome DeleteSite(AccountId account, SiteId id,
                            std::optional<int64_t> expected_version) override;
    std::optional<PublishingSettings> GetSettings(AccountId account, SiteId site) override;
    WriteResult PutSettings(AccountId account, const PublishingSettings& settings,
                            std::optional<int64_t> expected_site_version) override;

    Content CreateContent(const Content& content) override;
    std::optional<Content> GetContent(AccountId account, ContentId id) override;
    int64_t VisitContentPage(const ContentFilter& filter,
                             const std::function<void(const Content&)>& visit) override;
    WriteResult UpdateContent(const Content& content, int64_t expected_version,
                              unsigned fields) override;
    WriteOutcome DeleteContent(AccountId account, ContentId id, int64_t expected_version) override;
    std::vector<Content> ListContentChangedSince(AccountId account, SiteId site, TimePoint since,
                                                 ContentId after_id, int limit) override;

    std::vector<SiteId> ListAutoPublishSiteIds() override;
    std::vector<SiteScheduleOutcome> ScheduleSites(const ScheduleRequest& request,
                                                   const SlotPlanner& plan) override;
    SiteCalendar LoadCalendar(SiteId site, TimePoint from) override;
    QueueOutcome ReplanQueue(const QueueRequest& request, const QueuePlanner& plan) override;

    std::optional<Result<ClaimedItem>> ClaimOne(AccountId account, ContentId id,
                                                std::string_view claim_token, TimePoint now,
                                                TimePoint lease_until) override;
    FinishResult FinishAttempts(std::span<const FinishedAttempt> attempts,
                                std::string_view claim_token,
                                const domain::HealthPolicy& policy) override;
    std::optional<SiteHealthUpdate> ResumeSite(AccountId account, SiteId site,
                                               TimePoint now) override;
    void ReleaseClaims(std::span<const ContentId> ids, std::string_view claim_token,
                       TimePoint now) override;
    void AbandonClaims(std::span<const ContentId> ids, std::string_view claim_token,
                       TimePoint now) override;
    std::vector<std::string> ListClaimTokens() override;
    int64_t ExpireClaims(std::span<const std::string> tokens) override;

    // Several processes on this machine (sqlite_cluster.cpp): the write lock makes claims
    // and their per-site caps atomic; leases run on this machine's clock; TryLead takes an
    // flock on "<database file>.lead-<role>.lock". SubscribeChanges polls PRAGMA data_version
    // every 250 ms on a connection of its own and announces any commit by another connection
    // (this process's others included) as kDue | kContent with no account: SQLite cannot say
    // what changed, and approvals reach the slot scheduler by in-process wake-ups instead.
    std::vector<ClaimedItem> Claim(const ClaimRequest& request) override;
    bool RenewLease(ContentId id, std::string_view claim_token, Milliseconds lease) override;
    std::optional<Milliseconds> NextWorkIn(TimePoint now) override;
    std::unique_ptr<LeadershipLease> TryLead(std::string_view role) override;
    std::unique_ptr<ChangeSubscription> SubscribeChanges(ChangeCallback on_change) override;

    Page<PublishRecord> ListRecords(const RecordFilter& filter) override;
    Overdue CountOverdue(TimePoint now) override;
    SiteHealthCounts CountSiteHealth() override;

    Snapshot ExportSnapshot() override;
    void ImportSnapshot(const Snapshot& snapshot) override;

    // === API keys and credentials at rest (sqlite_keys.cpp) ===
    std::optional<ApiKeyMatch> FindApiKey(std::string_view key_hash) override;
    void TouchApiKey(int64_t key_id, TimePoint now, Milliseconds min_interval) override;
    ApiKeyRecord CreateApiKey(AccountId account, std::string_view name, std::string_view prefix,
                              std::string_view key_hash, TimePoint now) override;
    std::vector<ApiKeyRecord> ListApiKeys(AccountId account) override;
    bool RevokeApiKey(std::optional<AccountId> account, int64_t key_id, TimePoint now) override;
    std::vector<Account> FindAccountsByName(std::string_view name) override;
    std::vector<Account> ListAccounts() override;
    int64_t RotateSecrets(const SecretBox& next) override;

    // === event hooks and their outbox (sqlite_hooks.cpp) ===
    EventHook CreateEventHook(const EventHook& hook) override;
    std::optional<EventHook> GetEventHook(AccountId account, EventHookId id) override;
    Page<EventHook> ListEventHooks(AccountId account, PageRequest page) override;
    WriteResult UpdateEventHook(const EventHook& hook, int64_t expected_version) override;
    WriteOutcome DeleteEventHook(AccountId account, EventHookId id,
                                 std::optional<int64_t> expected_version) override;
    std::vector<AccountId> AccountsWithActiveHooks(std::span<const AccountId> accounts) override;
    int64_t EnqueueHookEvent(AccountId account, std::string_view event_type, std::string_view body,
                             TimePoint now) override;
    std::optional<HookDelivery> EnqueueHookDelivery(AccountId account, EventHookId hook,
                                                    std::string_view event_type,
                                                    std::string_view body, TimePoint now) override;
    std::vector<ClaimedDelivery> ClaimHookDeliveries(const HookClaimRequest& request) override;
    bool FinishHookDelivery(const HookAttemptResult& result, std::string_view claim_token) override;
    std::optional<Milliseconds> NextHookDeliveryIn(TimePoint now) override;
    int64_t PruneHookDeliveries(TimePoint before, int limit) override;
    std::vector<HookDelivery> ListHookDeliveries(AccountId account, EventHookId hook,
                                                 int limit) override;

    // === planner I/O (sqlite_planner_io.cpp) ===
    BatchCreateResult CreateContentBatch(AccountId account, SiteId site,
                                         std::span<const Content> items) override;
    std::vector<DuplicateCandidate> ListDuplicateCandidates(AccountId account, SiteId site,
                                                            TimePoint from, TimePoint to) override;
    bool SetCalendarToken(AccountId account, SiteId site, std::string_view token_hash,
                          TimePoint now) override;
    bool DeleteCalendarToken(AccountId account, SiteId site) override;
    std::optional<Site> FindSiteByCalendarToken(SiteId site, std::string_view token_hash) override;
    /// Whether the key came from "<path>.key" (secrets rotate then rewrites that file).
    bool KeyFromDefaultFile() const { return key_from_default_file_; }

private:
    // sqlite_keys.cpp: before migrating, finds the key and checks it against the database's
    // key check; after, seals plaintext credentials and writes the key check if missing.
    void ResolveSecrets(const SecretKeySource& source);
    void SealPlaintextSecrets();
    bool key_from_default_file_ = false;
    std::string db_file_;  // the database file ("<file>.key" is its default key file)

    std::unique_ptr<ConnectionPool> pool_;
    std::string path_;
    std::mutex feed_mu_;
    std::unique_ptr<ChangeFeed>
        feed_;  // PRAGMA data_version watcher, started by the first subscriber
};

}  // namespace herald::storage::sqlite
