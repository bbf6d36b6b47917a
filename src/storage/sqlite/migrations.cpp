#include "storage/sqlite/migrations.hpp"

#include <algorithm>
#include <string>

#include "storage/store.hpp"

namespace herald::storage::sqlite {
namespace {

// Times are INTEGER unix milliseconds; enums are their API names (readable in the
// sqlite3 shell, and CHECKed so a bad write fails loudly instead of corrupting a list).
constexpr const char* kV1BaseTables = R"sql(
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    api_key_hash  TEXT    NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sites (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    name          TEXT    NOT NULL,
    platform_type TEXT    NOT NULL CHECK (platform_type IN ('wordpress', 'shopify', 'ghost', 'custom')),
    domain        TEXT    NOT NULL DEFAULT '',
    api_key       TEXT    NOT NULL DEFAULT '',
    username      TEXT    NOT NULL DEFAULT '',
    timezone      TEXT    NOT NULL DEFAULT 'UTC',
    is_active     INTEGER NOT NULL DEFAULT 1,
    options_json  TEXT    NOT NULL DEFAULT '{}',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX sites_account ON sites (account_id, id);

CREATE TABLE publishing_settings (
    site_id               INTEGER PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    auto_publish_enabled  INTEGER NOT NULL DEFAULT 0,
    publish_days          TEXT    NOT NULL,  -- JSON array of ISO weekday indices, Monday = 0
    publish_time_slots    TEXT    NOT NULL,  -- JSON array of minutes after local midnight
    daily_publish_limit   INTEGER,
    weekly_publish_limit  INTEGER,
    monthly_publish_limit INTEGER,
    updated_at            INTEGER NOT NULL
);

CREATE TABLE content (
    id                     INTEGER PRIMARY KEY,
    account_id             INTEGER NOT NULL,  -- the site's account, denormalized for filters
    -- No FOREIGN KEY: a cascade from sites would need an index on site_id alone, which
    -- every write would pay for; DeleteSite deletes a site's content itself.
    site_id                INTEGER NOT NULL,
    title                  TEXT    NOT NULL,
    content_html           TEXT    NOT NULL,
    excerpt                TEXT    NOT NULL DEFAULT '',
    slug                   TEXT    NOT NULL DEFAULT '',
    content_type           TEXT    NOT NULL DEFAULT 'post',
    cluster_id             INTEGER,
    categories             TEXT    NOT NULL DEFAULT '[]',  -- JSON array of names
    tags                   TEXT    NOT NULL DEFAULT '[]',  -- JSON array of names
    featured_image_url     TEXT    NOT NULL DEFAULT '',
    status                 TEXT    NOT NULL CHECK (status IN ('draft', 'review', 'approved')),
    approved_at            INTEGER,
    site_status            TEXT    NOT NULL CHECK (site_status IN
                               ('not_published', 'scheduled', 'publishing', 'published', 'failed')),
    site_status_updated_at INTEGER NOT NULL,
    scheduled_publish_at   INTEGER,
    published_at           INTEGER,
    external_id            TEXT    NOT NULL DEFAULT '',
    external_url           TEXT    NOT NULL DEFAULT '',
    last_error             TEXT    NOT NULL DEFAULT '',
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);
-- Every index here is paid for by every status change (ApplyAssignments moves 100k rows at
-- once), so the list filters get one general index and the scheduler's reads get partial
-- indexes that hold only the rows they ask about.
CREATE INDEX content_account_id   ON content (account_id, id);
CREATE INDEX content_account_site ON content (account_id, site_id, site_status, id);
CREATE INDEX content_queue ON content (site_id, approved_at, id)
    WHERE status = 'approved' AND site_status = 'not_published'
          AND scheduled_publish_at IS NULL;
CREATE INDEX content_calendar ON content (site_id, scheduled_publish_at)
    WHERE site_status IN ('scheduled', 'publishing');
CREATE INDEX content_published ON content (site_id, published_at)
    WHERE site_status = 'published';

CREATE TABLE publish_records (
    id           INTEGER PRIMARY KEY,
    content_id   INTEGER NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    site_id      INTEGER NOT NULL,
    account_id   INTEGER NOT NULL,
    attempt      INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL,
    outcome      TEXT    NOT NULL CHECK (outcome IN ('published', 'failed', 'retry')),
    http_status  INTEGER,
    error        TEXT    NOT NULL DEFAULT '',
    external_id  TEXT    NOT NULL DEFAULT '',
    external_url TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX records_content      ON publish_records (content_id, id);
CREATE INDEX records_account      ON publish_records (account_id, id);
CREATE INDEX records_account_site ON publish_records (account_id, site_id, id);
)sql";

// The dispatcher's bookkeeping: retries, claims with leases, a publication id stable
// across retries, and `due_at` (= Content::DueAt()) as an indexed generated column so it
// can never drift from the two columns it is computed from.
constexpr const char* kV2DispatchBookkeeping = R"sql(
ALTER TABLE content ADD COLUMN next_attempt_at INTEGER;
ALTER TABLE content ADD COLUMN attempts        INTEGER NOT NULL DEFAULT 0;
ALTER TABLE content ADD COLUMN publication_id  TEXT    NOT NULL DEFAULT '';
ALTER TABLE content ADD COLUMN claim_token     TEXT    NOT NULL DEFAULT '';
ALTER TABLE content ADD COLUMN lease_until     INTEGER;
ALTER TABLE content ADD COLUMN due_at INTEGER
    GENERATED ALWAYS AS (COALESCE(next_attempt_at, scheduled_publish_at, 0)) VIRTUAL;
CREATE INDEX content_due   ON content (due_at)      WHERE site_status = 'scheduled';
CREATE INDEX content_lease ON content (lease_until) WHERE site_status = 'publishing';

ALTER TABLE publish_records ADD COLUMN due_at INTEGER;

-- Items a v1 dispatcher left `publishing` have no lease: expire it so they are reclaimed.
UPDATE content SET lease_until = 0 WHERE site_status = 'publishing';
)sql";

// Write discipline (every acknowledged change kept): a `version` on sites and content that
// every write checks and bumps; the rule "one item per site per instant" in the schema; and
// AUTOINCREMENT ids, so an id of a deleted row is never given again (as on PostgreSQL,
// whose sequences never reuse). SQLite can only add AUTOINCREMENT by rebuilding a table;
// Migrate() runs this with foreign keys off, as SQLite's ALTER TABLE procedure requires.
constexpr const char* kV3WriteDiscipline = R"sql(
CREATE TABLE sites_v3 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    name          TEXT    NOT NULL,
    platform_type TEXT    NOT NULL CHECK (platform_type IN ('wordpress', 'shopify', 'ghost', 'custom')),
    domain        TEXT    NOT NULL DEFAULT '',
    api_key       TEXT    NOT NULL DEFAULT '',
    username      TEXT    NOT NULL DEFAULT '',
    timezone      TEXT    NOT NULL DEFAULT 'UTC',
    is_active     INTEGER NOT NULL DEFAULT 1,
    options_json  TEXT    NOT NULL DEFAULT '{}',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
INSERT INTO sites_v3 (id, account_id, name, platform_type, domain, api_key, username, timezone,
                      is_active, options_json, created_at, updated_at)
    SELECT id, account_id, name, platform_type, domain, api_key, username, timezone,
           is_active, options_json, created_at, updated_at FROM sites;
DROP TABLE sites;
ALTER TABLE sites_v3 RENAME TO sites;
CREATE INDEX sites_account ON sites (account_id, id);

CREATE TABLE content_v3 (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id             INTEGER NOT NULL,
    site_id                INTEGER NOT NULL,
    title                  TEXT    NOT NULL,
    content_html           TEXT    NOT NULL,
    excerpt                TEXT    NOT NULL DEFAULT '',
    slug                   TEXT    NOT NULL DEFAULT '',
    content_type           TEXT    NOT NULL DEFAULT 'post',
    cluster_id             INTEGER,
    categories             TEXT    NOT NULL DEFAULT '[]',
    tags                   TEXT    NOT NULL DEFAULT '[]',
    featured_image_url     TEXT    NOT NULL DEFAULT '',
    status                 TEXT    NOT NULL CHECK (status IN ('draft', 'review', 'approved')),
    approved_at            INTEGER,
    site_status            TEXT    NOT NULL CHECK (site_status IN
                               ('not_published', 'scheduled', 'publishing', 'published', 'failed')),
    site_status_updated_at INTEGER NOT NULL,
    scheduled_publish_at   INTEGER,
    published_at           INTEGER,
    external_id            TEXT    NOT NULL DEFAULT '',
    external_url           TEXT    NOT NULL DEFAULT '',
    last_error             TEXT    NOT NULL DEFAULT '',
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    next_attempt_at        INTEGER,
    attempts               INTEGER NOT NULL DEFAULT 0,
    publication_id         TEXT    NOT NULL DEFAULT '',
    claim_token            TEXT    NOT NULL DEFAULT '',
    lease_until            INTEGER,
    due_at INTEGER GENERATED ALWAYS AS (COALESCE(next_attempt_at, scheduled_publish_at, 0)) VIRTUAL,
    version                INTEGER NOT NULL DEFAULT 1
);
INSERT INTO content_v3 (id, account_id, site_id, title, content_html, excerpt, slug,
        content_type, cluster_id, categories, tags, featured_image_url, status, approved_at,
        site_status, site_status_updated_at, scheduled_publish_at, published_at, external_id,
        external_url, last_error, created_at, updated_at, next_attempt_at, attempts,
        publication_id, claim_token, lease_until)
    SELECT id, account_id, site_id, title, content_html, excerpt, slug,
        content_type, cluster_id, categories, tags, featured_image_url, status, approved_at,
        site_status, site_status_updated_at, scheduled_publish_at, published_at, external_id,
        external_url, last_error, created_at, updated_at, next_attempt_at, attempts,
        publication_id, claim_token, lease_until FROM content;
DROP TABLE content;
ALTER TABLE content_v3 RENAME TO content;
CREATE INDEX content_account_id   ON content (account_id, id);
CREATE INDEX content_account_site ON content (account_id, site_id, site_status, id);
CREATE INDEX content_queue ON content (site_id, approved_at, id)
    WHERE status = 'approved' AND site_status = 'not_published'
          AND scheduled_publish_at IS NULL;
CREATE INDEX content_published ON content (site_id, published_at)
    WHERE site_status = 'published';
CREATE INDEX content_due   ON content (due_at)      WHERE site_status = 'scheduled';
CREATE INDEX content_lease ON content (lease_until) WHERE site_status = 'publishing';

-- Earlier versions let two items of a site take one instant. Keep the first (a publishing
-- one before any scheduled one) and hand the others back to the slot scheduler.
UPDATE content SET site_status = 'not_published', scheduled_publish_at = NULL,
       next_attempt_at = NULL, attempts = 0, publication_id = '',
       last_error = 'Unscheduled by an upgrade: another item of the site was scheduled at '
                    || 'the same instant; the slot scheduler places it again.',
       site_status_updated_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
 WHERE site_status = 'scheduled' AND EXISTS (
       SELECT 1 FROM content o
        WHERE o.site_id = content.site_id
          AND o.scheduled_publish_at = content.scheduled_publish_at
          AND o.site_status IN ('scheduled', 'publishing')
          AND (o.site_status = 'publishing' OR o.id < content.id));
-- The calendar index becomes the rule itself: one item per site per instant.
CREATE UNIQUE INDEX content_site_instant ON content (site_id, scheduled_publish_at)
    WHERE site_status IN ('scheduled', 'publishing');

CREATE TABLE publish_records_v3 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    content_id   INTEGER NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    site_id      INTEGER NOT NULL,
    account_id   INTEGER NOT NULL,
    attempt      INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL,
    outcome      TEXT    NOT NULL CHECK (outcome IN ('published', 'failed', 'retry')),
    http_status  INTEGER,
    error        TEXT    NOT NULL DEFAULT '',
    external_id  TEXT    NOT NULL DEFAULT '',
    external_url TEXT    NOT NULL DEFAULT '',
    due_at       INTEGER
);
INSERT INTO publish_records_v3 SELECT id, content_id, site_id, account_id, attempt, started_at,
       finished_at, outcome, http_status, error, external_id, external_url, due_at
  FROM publish_records;
DROP TABLE publish_records;
ALTER TABLE publish_records_v3 RENAME TO publish_records;
CREATE INDEX records_content      ON publish_records (content_id, id);
CREATE INDEX records_account      ON publish_records (account_id, id);
CREATE INDEX records_account_site ON publish_records (account_id, site_id, id);
)sql";

// Several named API keys per account (the account's one key becomes "default"; only hashes,
// as before), and secret_meta, whose key_check row (written at the first start with a key)
// tells whether a secret key is the one the stored credentials are sealed with.
constexpr const char* kV4ApiKeysAndSecrets = R"sql(
CREATE TABLE api_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    name          TEXT    NOT NULL,
    prefix        TEXT    NOT NULL DEFAULT '',
    key_hash      TEXT    NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
);
CREATE INDEX api_keys_account ON api_keys (account_id, id);
INSERT INTO api_keys (account_id, name, prefix, key_hash, created_at)
    SELECT id, 'default', '', api_key_hash, created_at FROM accounts ORDER BY id;

CREATE TABLE accounts_v4 (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
INSERT INTO accounts_v4 (id, name, created_at) SELECT id, name, created_at FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_v4 RENAME TO accounts;

CREATE TABLE secret_meta (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
)sql";

// Site health (docs/delivery.md): written by settles and resumes, never by site edits.
constexpr const char* kV5SiteHealth = R"sql(
ALTER TABLE sites ADD COLUMN health TEXT NOT NULL DEFAULT 'healthy'
    CHECK (health IN ('healthy', 'degraded', 'paused'));
ALTER TABLE sites ADD COLUMN health_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN health_since INTEGER;
ALTER TABLE sites ADD COLUMN health_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN probe_at INTEGER;
)sql";

// Event hooks (API.md §8) and their durable outbox. A hook's events are stored as
// "content.published,site.paused" (matched with ',' || events || ',' LIKE '%,type,%'); its
// secret is sealed like sites.api_key. A delivery keeps the exact body it POSTs and one
// webhook-id for every attempt; claim_token/lease_until let several deliverers share it.
constexpr const char* kV6EventHooks = R"sql(
CREATE TABLE event_hooks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    url         TEXT    NOT NULL,
    secret      TEXT    NOT NULL DEFAULT '',
    events      TEXT    NOT NULL,
    is_active   INTEGER NOT NULL DEFAULT 1,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX event_hooks_account ON event_hooks (account_id, id);

CREATE TABLE hook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    hook_id          INTEGER NOT NULL REFERENCES event_hooks (id) ON DELETE CASCADE,
    account_id       INTEGER NOT NULL,
    event_type       TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    webhook_id       TEXT    NOT NULL UNIQUE,
    attempts         INTEGER NOT NULL DEFAULT 0,
    state            TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'delivered', 'failed')),
    created_at       INTEGER NOT NULL,
    next_attempt_at  INTEGER NOT NULL,
    claim_token      TEXT,
    lease_until      INTEGER,
    finished_at      INTEGER,
    last_status      INTEGER,
    last_error       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX hook_deliveries_due ON hook_deliveries (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX hook_deliveries_hook ON hook_deliveries (hook_id, id);
)sql";

// Evergreen items and pins (API.md §9). The recurrence is three columns, all NULL or
// every_days set; until is a real 'YYYY-MM-DD' (date() gives it back unchanged only then).
constexpr const char* kV7PinsAndRecurrence = R"sql(
ALTER TABLE content ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1));
ALTER TABLE content ADD COLUMN recurrence_every_days INTEGER
    CHECK (recurrence_every_days BETWEEN 1 AND 3660);
ALTER TABLE content ADD COLUMN recurrence_until TEXT
    CHECK (recurrence_until IS NULL OR (recurrence_every_days IS NOT NULL
           AND date(recurrence_until) IS recurrence_until));
ALTER TABLE content ADD COLUMN recurrence_count INTEGER
    CHECK (recurrence_count IS NULL OR (recurrence_every_days IS NOT NULL
           AND recurrence_count BETWEEN 1 AND 100000));
ALTER TABLE content ADD COLUMN publication_count INTEGER NOT NULL DEFAULT 0
    CHECK (publication_count >= 0);
UPDATE content SET publication_count = 1 WHERE published_at IS NOT NULL;
)sql";

// A site's calendar feed (GET /api/v1/sites/{id}/calendar.ics?token=…): one live token per site,
// only its SHA-256 stored; a new token replaces the row (revoking the old one), the site's deletion
// drops it.
constexpr const char* kV8CalendarFeedTokens = R"sql(
CREATE TABLE calendar_feed_tokens (
    site_id     INTEGER PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);
)sql";

// The planner's site rules (API.md §9): what the dispatcher does with a missed slot, dates
// without slots (a JSON array of {"from", "to", "reason"}, site-local YYYY-MM-DD), and the
// minimum distance between two items. The checks mirror domain::ValidatePlannerSettings.
constexpr const char* kV9PlannerSettings = R"sql(
ALTER TABLE publishing_settings ADD COLUMN missed_slot_policy TEXT NOT NULL
    DEFAULT 'publish_late' CHECK (missed_slot_policy IN ('publish_late', 'next_free_slot', 'hold'));
ALTER TABLE publishing_settings ADD COLUMN max_lateness_minutes INTEGER NOT NULL DEFAULT 60
    CHECK (max_lateness_minutes >= 0);
ALTER TABLE publishing_settings ADD COLUMN blackout_dates TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(blackout_dates) AND json_type(blackout_dates) = 'array');
ALTER TABLE publishing_settings ADD COLUMN min_spacing_minutes INTEGER NOT NULL DEFAULT 0
    CHECK (min_spacing_minutes >= 0);
)sql";

// One account per name (the CLI names accounts: `keys create NAME`, `sites list --account
// NAME`). Older databases may hold duplicates: every one but the first gets its id appended.
constexpr const char* kV10UniqueAccountNames = R"sql(
UPDATE accounts SET name = name || ' (' || id || ')'
 WHERE id NOT IN (SELECT MIN(id) FROM accounts GROUP BY name);
CREATE UNIQUE INDEX accounts_name ON accounts (name);
)sql";

// An item held after a missed slot (missed_slot_policy hold) until a person acts on it; the
// slot scheduler skips it. Held only while approved, not_published and unscheduled: every
// move out of that state is a person's or the dispatcher's, and must end the hold.
constexpr const char* kV11HeldAfterMissedSlot = R"sql(
ALTER TABLE content ADD COLUMN held INTEGER NOT NULL DEFAULT 0
    CHECK (held = 0 OR (held = 1 AND status = 'approved' AND site_status = 'not_published'
                        AND scheduled_publish_at IS NULL));
)sql";

constexpr Migration kMigrations[] = {
    {1, "base tables", kV1BaseTables},
    {2, "dispatch bookkeeping", kV2DispatchBookkeeping},
    {3, "write discipline", kV3WriteDiscipline},
    {4, "api keys and secrets at rest", kV4ApiKeysAndSecrets},
    {5, "site health", kV5SiteHealth},
    {6, "event hooks", kV6EventHooks},
    {7, "pins and evergreen recurrence", kV7PinsAndRecurrence},
    {8, "calendar feed tokens", kV8CalendarFeedTokens},
    {9, "planner settings", kV9PlannerSettings},
    {10, "unique account names", kV10UniqueAccountNames},
    {11, "held after a missed slot", kV11HeldAfterMissedSlot},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return Migrations().back().version; }

int SchemaVersion(sqlite3* db) {
    StmtHandle stmt(db, "PRAGMA user_version");
    Query query(stmt.get());
    if (!query.Step()) throw StorageError("cannot read the schema version");
    return static_cast<int>(query.Int(0));
}

void Migrate(sqlite3* db, int up_to) {
    const int latest = LatestSchemaVersion();
    const int found = SchemaVersion(db);
    if (found > latest)
        throw StorageError("database schema version " + std::to_string(found) +
                           " is newer than this herald supports (" + std::to_string(latest) +
                           "); upgrade herald");
    if (found >= std::min(up_to, latest)) return;
    // Rebuilding a table (migration 3) must not fire the ON DELETE CASCADEs of the old one;
    // the pragma is a no-op inside a transaction, so it is set around them, and the
    // references are checked before each commit instead.
    sqlite3_exec(db, "PRAGMA foreign_keys = OFF", nullptr, nullptr, nullptr);
    struct RestoreForeignKeys {
        sqlite3* db;
        ~RestoreForeignKeys() {
            sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
        }
    } restore{db};
    for (const Migration& migration : Migrations()) {
        if (migration.version > up_to) break;
        if (migration.version <= found) continue;
        Transaction txn(db, Transaction::Mode::kImmediate);
        // Another process may have migrated while we waited for the write lock.
        if (SchemaVersion(db) >= migration.version) continue;
        try {
            char* error = nullptr;
            const int rc = sqlite3_exec(db, migration.sql, nullptr, nullptr, &error);
            if (rc != SQLITE_OK) {
                std::string message = error != nullptr ? error : sqlite3_errstr(rc);
                sqlite3_free(error);
                throw StorageError(message);
            }
            {
                StmtHandle check(db, "PRAGMA foreign_key_check");
                Query violations(check.get());
                if (violations.Step())
                    throw StorageError("a reference points to a missing row in table '" +
                                       violations.Text(0) + "'");
            }
            const std::string set_version =
                "PRAGMA user_version = " + std::to_string(migration.version);
            if (sqlite3_exec(db, set_version.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
                throw StorageError(sqlite3_errmsg(db));
        } catch (const StorageError& e) {
            throw StorageError("migration " + std::to_string(migration.version) + " (" +
                               migration.description + ") failed: " + e.what());
        }
        txn.Commit();
    }
}

}  // namespace herald::storage::sqlite
