#pragma once
// The SQL of the SQLite store, one named constant per statement; column order matches the
// readers in sqlite_rows.cpp. Short statements number their parameters (?N); the long
// content and site writes name them after their column (:title), so one binder (BindContent,
// BindSite) serves every statement that uses them.

namespace herald::storage::sqlite::sql {

// --- accounts ---------------------------------------------------------------------------
inline constexpr const char* kInsertAccount =
    "INSERT INTO accounts (name, created_at) VALUES (?1, ?2) RETURNING id";
inline constexpr const char* kFindAccountByKeyHash =
    "SELECT a.id, a.name, a.created_at, k.id, k.last_used_at FROM api_keys k"
    " JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = ?1 AND k.revoked_at IS NULL";
inline constexpr const char* kCountAccounts = "SELECT COUNT(*) FROM accounts";

// --- sites --------------------------------------------------------------------------------
#define HERALD_SITE_COLUMNS                                                                 \
    "id, account_id, name, platform_type, domain, api_key, username, timezone, is_active, " \
    "options_json, created_at, updated_at, version, health, health_reason, health_since, "  \
    "health_failures, probe_at"
#define HERALD_SITE_COLUMNS_S                                                          \
    "s.id, s.account_id, s.name, s.platform_type, s.domain, s.api_key, s.username, "   \
    "s.timezone, s.is_active, s.options_json, s.created_at, s.updated_at, s.version, " \
    "s.health, s.health_reason, s.health_since, s.health_failures, s.probe_at"

inline constexpr const char* kSiteColumnsList = HERALD_SITE_COLUMNS;
#define HERALD_SITE_INSERT_COLUMNS                                                      \
    "account_id, name, platform_type, domain, api_key, username, timezone, is_active, " \
    "options_json, created_at, updated_at"
#define HERALD_SITE_INSERT_VALUES                                                               \
    ":account_id, :name, :platform_type, :domain, :api_key, :username, :timezone, :is_active, " \
    ":options_json, :created_at, :updated_at"
inline constexpr const char* kSiteInsertColumns = HERALD_SITE_INSERT_COLUMNS;
inline constexpr const char* kSiteInsertValues = HERALD_SITE_INSERT_VALUES;
inline constexpr const char* kInsertSite = "INSERT INTO sites (" HERALD_SITE_INSERT_COLUMNS
                                           ") VALUES (" HERALD_SITE_INSERT_VALUES ") RETURNING id";
inline constexpr const char* kGetSite =
    "SELECT " HERALD_SITE_COLUMNS " FROM sites WHERE id = ?1 AND account_id = ?2";
inline constexpr const char* kGetSiteById =
    "SELECT " HERALD_SITE_COLUMNS " FROM sites WHERE id = ?1";
inline constexpr const char* kListSites = "SELECT " HERALD_SITE_COLUMNS
                                          " FROM sites WHERE account_id = ?1"
                                          " ORDER BY id LIMIT ?2 OFFSET ?3";
inline constexpr const char* kCountSites = "SELECT COUNT(*) FROM sites WHERE account_id = ?1";
// created_at is immutable. :expected the version the change was computed from.
inline constexpr const char* kUpdateSite =
    "UPDATE sites SET name = :name, platform_type = :platform_type, domain = :domain,"
    " api_key = :api_key, username = :username, timezone = :timezone, is_active = :is_active,"
    " options_json = :options_json, updated_at = :updated_at, version = version + 1"
    " WHERE id = :id AND account_id = :account_id AND version = :expected RETURNING version";
// A change of the site's settings is a change of the site. ?4 expected version or NULL.
inline constexpr const char* kBumpSiteVersion =
    "UPDATE sites SET version = version + 1, updated_at = ?3"
    " WHERE id = ?1 AND account_id = ?2 AND (?4 IS NULL OR version = ?4) RETURNING version";
inline constexpr const char* kSiteVersion =
    "SELECT version FROM sites WHERE id = ?1 AND account_id = ?2";
inline constexpr const char* kSiteExists = "SELECT 1 FROM sites WHERE id = ?1 AND account_id = ?2";
inline constexpr const char* kSiteHasPublishing =
    "SELECT EXISTS (SELECT 1 FROM content WHERE account_id = ?2 AND site_id = ?1"
    " AND site_status = 'publishing')";
// Content first (its records go by ON DELETE CASCADE), then the site (settings cascade).
inline constexpr const char* kDeleteSiteContent =
    "DELETE FROM content WHERE account_id = ?2 AND site_id = ?1";
inline constexpr const char* kDeleteSite = "DELETE FROM sites WHERE id = ?1 AND account_id = ?2";

// --- publishing settings ----------------------------------------------------------------
#define HERALD_SETTINGS_COLUMNS                                                              \
    "site_id, auto_publish_enabled, publish_days, publish_time_slots, daily_publish_limit, " \
    "weekly_publish_limit, monthly_publish_limit, updated_at, missed_slot_policy, "          \
    "max_lateness_minutes, blackout_dates, min_spacing_minutes"

inline constexpr const char* kSettingsColumnsList = HERALD_SETTINGS_COLUMNS;
inline constexpr const char* kUpsertSettings =
    "INSERT INTO publishing_settings (" HERALD_SETTINGS_COLUMNS
    ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    " ON CONFLICT (site_id) DO UPDATE SET auto_publish_enabled = excluded.auto_publish_enabled,"
    " publish_days = excluded.publish_days, publish_time_slots = excluded.publish_time_slots,"
    " daily_publish_limit = excluded.daily_publish_limit,"
    " weekly_publish_limit = excluded.weekly_publish_limit,"
    " monthly_publish_limit = excluded.monthly_publish_limit, updated_at = excluded.updated_at,"
    " missed_slot_policy = excluded.missed_slot_policy,"
    " max_lateness_minutes = excluded.max_lateness_minutes,"
    " blackout_dates = excluded.blackout_dates, min_spacing_minutes = excluded.min_spacing_minutes";
#define HERALD_SETTINGS_COLUMNS_P                                                            \
    "p.site_id, p.auto_publish_enabled, p.publish_days, p.publish_time_slots, "              \
    "p.daily_publish_limit, p.weekly_publish_limit, p.monthly_publish_limit, p.updated_at, " \
    "p.missed_slot_policy, p.max_lateness_minutes, p.blackout_dates, p.min_spacing_minutes"
inline constexpr int kSettingsColumnCount = 12;
inline constexpr const char* kGetSettings =
    "SELECT " HERALD_SETTINGS_COLUMNS_P
    " FROM publishing_settings p JOIN sites s ON s.id = p.site_id"
    " WHERE p.site_id = ?1 AND s.account_id = ?2";
inline constexpr const char* kListAutoPublishSiteIds =
    "SELECT s.id FROM sites s JOIN publishing_settings p ON p.site_id = s.id"
    " WHERE s.is_active = 1 AND p.auto_publish_enabled = 1 ORDER BY s.id";
// Settings columns first (kSettingsColumnCount), then the site's.
inline constexpr const char* kGetSchedulingSite =
    "SELECT " HERALD_SETTINGS_COLUMNS_P ", " HERALD_SITE_COLUMNS_S
    " FROM sites s JOIN publishing_settings p ON p.site_id = s.id WHERE s.id = ?1";

// --- content ------------------------------------------------------------------------------
#define HERALD_CONTENT_COLUMNS                                                                \
    "id, account_id, site_id, title, content_html, excerpt, slug, content_type, cluster_id, " \
    "categories, tags, featured_image_url, status, approved_at, site_status, "                \
    "site_status_updated_at, scheduled_publish_at, published_at, external_id, external_url, " \
    "last_error, next_attempt_at, attempts, publication_id, claim_token, lease_until, "       \
    "created_at, updated_at, version, pinned, recurrence_every_days, recurrence_until, "      \
    "recurrence_count, publication_count, held"

inline constexpr const char* kContentColumns = HERALD_CONTENT_COLUMNS;

// The writable columns (all but id, version and the generated due_at), and their values
// named after them as BindContent binds them.
#define HERALD_CONTENT_INSERT_COLUMNS                                                         \
    "account_id, site_id, title, content_html, excerpt, slug, content_type, cluster_id, "     \
    "categories, tags, featured_image_url, status, approved_at, site_status, "                \
    "site_status_updated_at, scheduled_publish_at, published_at, external_id, external_url, " \
    "last_error, next_attempt_at, attempts, publication_id, claim_token, lease_until, "       \
    "created_at, updated_at, pinned, recurrence_every_days, recurrence_until, "               \
    "recurrence_count, publication_count, held"
#define HERALD_CONTENT_INSERT_VALUES                                                              \
    ":account_id, :site_id, :title, :content_html, :excerpt, :slug, :content_type, :cluster_id, " \
    ":categories, :tags, :featured_image_url, :status, :approved_at, :site_status, "              \
    ":site_status_updated_at, :scheduled_publish_at, :published_at, :external_id, "               \
    ":external_url, :last_error, :next_attempt_at, :attempts, :publication_id, :claim_token, "    \
    ":lease_until, :created_at, :updated_at, :pinned, :recurrence_every_days, "                   \
    ":recurrence_until, :recurrence_count, :publication_count, :held"
inline constexpr const char* kContentInsertColumns = HERALD_CONTENT_INSERT_COLUMNS;
inline constexpr const char* kContentInsertValues = HERALD_CONTENT_INSERT_VALUES;
inline constexpr const char* kInsertContent =
    "INSERT INTO content (" HERALD_CONTENT_INSERT_COLUMNS ") SELECT " HERALD_CONTENT_INSERT_VALUES
    " WHERE EXISTS (SELECT 1 FROM sites WHERE id = :site_id AND account_id = :account_id)"
    " RETURNING id";

// Content updates are assembled from these per column group (ContentFields) by
// sqlite_content.cpp; the values are BindContent's, then :id and :expected (the expected
// version or claim token).
inline constexpr const char* kSetContentText =
    " title = :title, content_html = :content_html, excerpt = :excerpt, slug = :slug,"
    " content_type = :content_type, cluster_id = :cluster_id, categories = :categories,"
    " tags = :tags, featured_image_url = :featured_image_url, pinned = :pinned,"
    " recurrence_every_days = :recurrence_every_days, recurrence_until = :recurrence_until,"
    " recurrence_count = :recurrence_count,";
inline constexpr const char* kSetContentSite = " site_id = :site_id,";
inline constexpr const char* kSetContentEditorial =
    " status = :status, approved_at = :approved_at,";
inline constexpr const char* kSetContentSchedule =
    " site_status = :site_status, site_status_updated_at = :site_status_updated_at,"
    " scheduled_publish_at = :scheduled_publish_at, published_at = :published_at,"
    " external_id = :external_id, external_url = :external_url, last_error = :last_error,"
    " next_attempt_at = :next_attempt_at, attempts = :attempts,"
    " publication_id = :publication_id, claim_token = :claim_token,"
    " lease_until = :lease_until, publication_count = :publication_count,";
// Written with the schedule or the editorial group: both are where a hold starts or ends.
inline constexpr const char* kSetContentHeld = " held = :held,";
inline constexpr const char* kSetContentAlways = " updated_at = :updated_at, version = version + 1";
// The site must stay within the account.
inline constexpr const char* kWhereContentVersion =
    " WHERE id = :id AND account_id = :account_id AND version = :expected"
    " AND EXISTS (SELECT 1 FROM sites WHERE id = :site_id AND account_id = :account_id)"
    " RETURNING version";
inline constexpr const char* kWhereContentClaimed =
    " WHERE id = :id AND account_id = :account_id AND site_status = 'publishing'"
    " AND claim_token = :expected AND :expected <> ''";

inline constexpr const char* kGetContent =
    "SELECT " HERALD_CONTENT_COLUMNS " FROM content WHERE id = ?1 AND account_id = ?2";
inline constexpr const char* kGetContentById =
    "SELECT " HERALD_CONTENT_COLUMNS " FROM content WHERE id = ?1";
// Records go by ON DELETE CASCADE.
inline constexpr const char* kDeleteContent =
    "DELETE FROM content WHERE id = ?1 AND account_id = ?2 AND version = ?3";

// --- slot scheduler -------------------------------------------------------------------------
// Held items come too, flagged (column 1), so a run can say why it left them (?2 is
// ScheduleRequest::release_hold, queued even when held).
inline constexpr const char* kSchedulingQueue =
    "SELECT id, held <> 0 AND id <> ?2 FROM content WHERE site_id = ?1 AND status = 'approved'"
    " AND site_status = 'not_published' AND scheduled_publish_at IS NULL"
    " ORDER BY approved_at, id";
inline constexpr const char* kCalendarScheduled =
    "SELECT scheduled_publish_at FROM content WHERE site_id = ?1"
    " AND site_status IN ('scheduled', 'publishing') AND scheduled_publish_at >= ?2"
    " ORDER BY scheduled_publish_at";
// An evergreen item placed again still counts its last publication (each arm has its index).
inline constexpr const char* kCalendarPublished =
    "SELECT published_at FROM content WHERE site_id = ?1 AND site_status = 'published'"
    " AND published_at >= ?2"
    " UNION ALL SELECT published_at FROM content WHERE site_id = ?1"
    " AND site_status IN ('scheduled', 'publishing') AND recurrence_every_days IS NOT NULL"
    " AND published_at >= ?2 ORDER BY 1";
// ?1 scheduled_publish_at, ?2 now, ?3 id, ?4 ScheduleRequest::release_hold.
inline constexpr const char* kApplyAssignment =
    "UPDATE content SET scheduled_publish_at = ?1, site_status = 'scheduled', held = 0,"
    " site_status_updated_at = ?2, updated_at = ?2, version = version + 1"
    " WHERE id = ?3 AND status = 'approved' AND site_status = 'not_published'"
    " AND scheduled_publish_at IS NULL AND (held = 0 OR id = ?4)";

// --- dispatcher -----------------------------------------------------------------------------
// publication_id of a claimed row (Claim, ClaimOne): kept if set, else 32 random hex digits.
#define HERALD_NEW_PUBLICATION_ID \
    "CASE WHEN publication_id = '' THEN lower(hex(randomblob(16))) ELSE publication_id END"

// Store::Claim (sqlite_cluster.cpp), under the write lock: the live count per site, then the
// candidates in (due_at, id) order, then one claim by id for each taken. The candidates are
// read only as far as the claim needs them: the due arm streams from its partial index
// (content_due, already in (due_at, id) order) and is merged with the abandoned claims (the
// content_lease arm, few, sorted), rather than every due item being sorted first (an OR of
// the two arms sorts them all: 160 ms a claim with 17k items due). CROSS JOIN keeps the
// planner from starting at `sites`. due_at does not change with the claim, so the caller
// reads it afterwards as "due before the claim".
// ?1 the clock's now.
inline constexpr const char* kLiveBySite =
    "SELECT site_id, COUNT(*) FROM content"
    " WHERE site_status = 'publishing' AND lease_until >= ?1 GROUP BY site_id";
// ?1 now (due-ness), ?2 the clock's now (leases). Columns: id, site_id, options_json, due_at,
// health, probe_at. A scheduled item's site must admit calls (domain::AdmitsCall: not
// paused; degraded only once its probe is due; the claim checks the one-at-a-time part);
// an abandoned claim is taken over whatever the site's health, so nothing stays publishing.
inline constexpr const char* kClaimCandidates =
    "SELECT c.id, c.site_id, s.options_json, c.due_at, s.health, s.probe_at FROM content c"
    " CROSS JOIN sites s ON s.id = c.site_id"
    " WHERE c.site_status = 'scheduled' AND c.due_at <= ?1 AND s.is_active = 1"
    "   AND (s.health = 'healthy' OR (s.health = 'degraded' AND COALESCE(s.probe_at, 0) <= ?1))"
    " UNION ALL"
    " SELECT c.id, c.site_id, s.options_json, c.due_at, 'healthy', NULL FROM content c"
    " CROSS JOIN sites s ON s.id = c.site_id"
    " WHERE c.site_status = 'publishing' AND c.lease_until < ?2 AND s.is_active = 1"
    " ORDER BY 4, 1";
// The candidates above come only from active sites: once each of them is known to be at its
// cap (or skipped), no later candidate can be taken and the claim stops reading.
inline constexpr const char* kActiveSiteCount = "SELECT COUNT(*) FROM sites WHERE is_active = 1";
// ?1 id, ?2 claim token, ?3 lease end, ?4 now.
inline constexpr const char* kClaimById =
    "UPDATE content SET site_status = 'publishing', claim_token = ?2, lease_until = ?3,"
    " attempts = attempts + 1,"
    " publication_id = " HERALD_NEW_PUBLICATION_ID
    ","
    " site_status_updated_at = ?4, updated_at = ?4, version = version + 1"
    " WHERE id = ?1";
// ?1 id, ?2 claim token, ?3 lease end, ?4 now, ?5 site_status before the claim.
inline constexpr const char* kClaimOne =
    "UPDATE content SET site_status = 'publishing', claim_token = ?2, lease_until = ?3,"
    " attempts = attempts + 1,"
    " publication_id = " HERALD_NEW_PUBLICATION_ID
    ","
    " held = ?6, site_status_updated_at = ?4, updated_at = ?4, version = version + 1"
    " WHERE id = ?1 AND site_status = ?5";
inline constexpr const char* kNextDue =
    "SELECT c.due_at FROM content c CROSS JOIN sites s ON s.id = c.site_id"
    " WHERE c.site_status = 'scheduled' AND s.is_active = 1 AND s.health = 'healthy'"
    " ORDER BY c.due_at LIMIT 1";
// A degraded site's next work: its first due item, not before its next probe.
inline constexpr const char* kNextProbe =
    "SELECT MIN(MAX(COALESCE(s.probe_at, 0), (SELECT MIN(c.due_at) FROM content c"
    "  WHERE c.site_id = s.id AND c.site_status = 'scheduled')))"
    " FROM sites s WHERE s.health = 'degraded' AND s.is_active = 1";
inline constexpr const char* kNextLeaseEnd =
    "SELECT c.lease_until FROM content c CROSS JOIN sites s ON s.id = c.site_id"
    " WHERE c.site_status = 'publishing' AND c.lease_until IS NOT NULL AND s.is_active = 1"
    " ORDER BY c.lease_until LIMIT 1";
// ?1 id, ?2 claim token, ?3 lease end.
inline constexpr const char* kRenewLease =
    "UPDATE content SET lease_until = ?3, version = version + 1"
    " WHERE id = ?1 AND claim_token = ?2 AND ?2 <> '' AND site_status = 'publishing'";
// ?1 id, ?2 claim token, ?3 now.
inline constexpr const char* kReleaseClaim =
    "UPDATE content SET site_status = 'scheduled', attempts = MAX(attempts - 1, 0),"
    " claim_token = '', lease_until = NULL, site_status_updated_at = ?3, updated_at = ?3,"
    " version = version + 1"
    " WHERE id = ?1 AND claim_token = ?2 AND ?2 <> '' AND site_status = 'publishing'";
// --- site health ----------------------------------------------------------------------------
inline constexpr const char* kGetSiteHealth =
    "SELECT account_id, name, health, health_reason, health_since, health_failures, probe_at"
    " FROM sites WHERE id = ?1";
// ?1 id, ?2..?6 health, reason, since, failures, probe_at, ?7 version step (0 or 1).
inline constexpr const char* kSetSiteHealth =
    "UPDATE sites SET health = ?2, health_reason = ?3, health_since = ?4, health_failures = ?5,"
    " probe_at = ?6, version = version + ?7 WHERE id = ?1";
// ?1 site, ?2 the time it recovered.
inline constexpr const char* kBringRetriesForward =
    "UPDATE content SET next_attempt_at = ?2, updated_at = ?2, version = version + 1"
    " WHERE site_id = ?1 AND site_status = 'scheduled' AND next_attempt_at > ?2";
inline constexpr const char* kListClaimTokens =
    "SELECT DISTINCT claim_token FROM content"
    " WHERE site_status = 'publishing' AND claim_token <> ''";
// lease_until 0 is long past: the next Claim takes the item, NextWorkIn says "now".
inline constexpr const char* kExpireClaims =
    "UPDATE content SET lease_until = 0, version = version + 1"
    " WHERE site_status = 'publishing' AND claim_token = ?1 AND ?1 <> ''";
// ?1 id, ?2 claim token, ?3 now. Like kReleaseClaim but attempts stay counted.
inline constexpr const char* kAbandonClaim =
    "UPDATE content SET site_status = 'scheduled',"
    " claim_token = '', lease_until = NULL, site_status_updated_at = ?3, updated_at = ?3,"
    " version = version + 1"
    " WHERE id = ?1 AND claim_token = ?2 AND ?2 <> '' AND site_status = 'publishing'";
inline constexpr const char* kCountOverdue =
    "SELECT COUNT(*), MIN(c.due_at) FROM content c CROSS JOIN sites s ON s.id = c.site_id"
    " WHERE c.site_status = 'scheduled' AND c.due_at < ?1 AND s.is_active = 1";

// --- records --------------------------------------------------------------------------------
#define HERALD_RECORD_COLUMNS                                                          \
    "id, content_id, site_id, account_id, attempt, started_at, finished_at, outcome, " \
    "http_status, error, external_id, external_url, due_at"

inline constexpr const char* kRecordColumns = HERALD_RECORD_COLUMNS;
inline constexpr const char* kInsertRecord =
    "INSERT INTO publish_records (content_id, site_id, account_id, attempt, started_at,"
    " finished_at, outcome, http_status, error, external_id, external_url, due_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id";

#undef HERALD_SITE_COLUMNS
#undef HERALD_SITE_COLUMNS_S
#undef HERALD_CONTENT_COLUMNS
#undef HERALD_CONTENT_INSERT_COLUMNS
#undef HERALD_CONTENT_INSERT_VALUES
#undef HERALD_SITE_INSERT_COLUMNS
#undef HERALD_SITE_INSERT_VALUES
#undef HERALD_RECORD_COLUMNS
#undef HERALD_SETTINGS_COLUMNS
#undef HERALD_NEW_PUBLICATION_ID

}  // namespace herald::storage::sqlite::sql
