#include "storage/postgres/pg_rows.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <span>

#include "storage/planner_columns.hpp"

namespace herald::storage::postgres {
namespace {

constexpr std::array<const char*, kSiteColumnCount> kSiteColumns = {
    "id",       "account_id", "name",          "platform_type", "domain",          "api_key",
    "username", "timezone",   "is_active",     "options_json",  "created_at",      "updated_at",
    "version",  "health",     "health_reason", "health_since",  "health_failures", "probe_at"};
constexpr std::array<const char*, kSettingsColumnCount> kSettingsColumns = {"site_id",
                                                                            "auto_publish_enabled",
                                                                            "publish_days",
                                                                            "publish_time_slots",
                                                                            "daily_publish_limit",
                                                                            "weekly_publish_limit",
                                                                            "monthly_publish_limit",
                                                                            "updated_at",
                                                                            "missed_slot_policy",
                                                                            "max_lateness_minutes",
                                                                            "blackout_dates",
                                                                            "min_spacing_minutes"};
constexpr std::array<const char*, kContentColumnCount> kContentColumns = {"id",
                                                                          "account_id",
                                                                          "site_id",
                                                                          "title",
                                                                          "content_html",
                                                                          "excerpt",
                                                                          "slug",
                                                                          "content_type",
                                                                          "cluster_id",
                                                                          "categories",
                                                                          "tags",
                                                                          "featured_image_url",
                                                                          "status",
                                                                          "approved_at",
                                                                          "site_status",
                                                                          "site_status_updated_at",
                                                                          "scheduled_publish_at",
                                                                          "published_at",
                                                                          "external_id",
                                                                          "external_url",
                                                                          "last_error",
                                                                          "next_attempt_at",
                                                                          "attempts",
                                                                          "publication_id",
                                                                          "claim_token",
                                                                          "lease_until",
                                                                          "pinned",
                                                                          "recurrence_every_days",
                                                                          "recurrence_until",
                                                                          "recurrence_count",
                                                                          "publication_count",
                                                                          "held",
                                                                          "created_at",
                                                                          "updated_at",
                                                                          "version"};

std::string Join(std::span<const char* const> names, std::string_view alias) {
    std::string text;
    for (const char* name : names) {
        if (!text.empty()) text += ", ";
        if (!alias.empty()) {
            text += alias;
            text += '.';
        }
        text += name;
    }
    return text;
}

template <typename T>
T ParseOrThrow(std::optional<T> parsed, std::string_view column, const std::string& text) {
    if (!parsed) throw StorageError("unexpected " + std::string(column) + " '" + text + "'");
    return *parsed;
}

template <typename T>
std::vector<T> FromJsonArray(const std::string& text, std::string_view column) {
    try {
        return nlohmann::json::parse(text).get<std::vector<T>>();
    } catch (const nlohmann::json::exception& e) {
        throw StorageError("corrupt " + std::string(column) + ": " + e.what());
    }
}

std::string JoinPlaceholders(std::initializer_list<std::string> placeholders) {
    std::string text;
    for (const std::string& placeholder : placeholders) {
        if (!text.empty()) text += ", ";
        text += placeholder;
    }
    return text;
}

std::optional<int> ToOptInt(std::optional<int64_t> v) {
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

std::optional<int64_t> ToOptInt64(std::optional<int> v) {
    return v ? std::optional<int64_t>(*v) : std::nullopt;
}

std::optional<int64_t> RecurrenceEvery(const Content& c) {
    return c.recurrence ? std::optional<int64_t>(c.recurrence->every_days) : std::nullopt;
}

std::optional<int64_t> RecurrenceCount(const Content& c) {
    return c.recurrence ? ToOptInt64(c.recurrence->count) : std::nullopt;
}

std::string RecurrenceUntil(Params& p, const Content& c) {
    return c.recurrence && c.recurrence->until ? p.Text(*c.recurrence->until) : p.Null();
}

}  // namespace

std::string SiteColumns(std::string_view alias) { return Join(kSiteColumns, alias); }
std::string SettingsColumns(std::string_view alias) { return Join(kSettingsColumns, alias); }
std::string ContentColumns(std::string_view alias) { return Join(kContentColumns, alias); }
std::string RecordColumns() {
    return "id, content_id, site_id, account_id, attempt, started_at, finished_at, outcome,"
           " http_status, error, external_id, external_url, due_at";
}

Site ReadSite(const Row& r) {
    Site s;
    s.id = r.Int(0);
    s.account_id = r.Int(1);
    s.name = r.Text(2);
    const std::string platform = r.Text(3);
    s.platform_type = ParseOrThrow(ParsePlatform(platform), "platform_type", platform);
    s.domain = r.Text(4);
    s.api_key = OpenColumn(kSiteApiKey, s.id, r.Text(5));
    s.username = r.Text(6);
    s.timezone = r.Text(7);
    s.is_active = r.Bool(8);
    s.options_json = r.Text(9);
    s.created_at = r.Time(10);
    s.updated_at = r.Time(11);
    s.version = r.Int(12);
    const std::string health = r.Text(13);
    s.health.health = ParseOrThrow(domain::ParseSiteHealth(health), "health", health);
    s.health.reason = r.Text(14);
    s.health.since = r.OptTime(15);
    s.health.transient_failures = static_cast<int>(r.Int(16));
    s.health.probe_at = r.OptTime(17);
    return s;
}

PublishingSettings ReadSettings(const Row& r) {
    PublishingSettings p;
    p.site_id = r.Int(0);
    p.auto_publish_enabled = r.Bool(1);
    p.publish_days = FromJsonArray<int>(r.Text(2), "publish_days");
    p.publish_time_slots = FromJsonArray<int>(r.Text(3), "publish_time_slots");
    p.daily_publish_limit = ToOptInt(r.OptInt(4));
    p.weekly_publish_limit = ToOptInt(r.OptInt(5));
    p.monthly_publish_limit = ToOptInt(r.OptInt(6));
    p.updated_at = r.Time(7);
    p.missed_slot_policy = PolicyFromColumn(r.Text(8));
    p.max_lateness_minutes = static_cast<int>(r.Int(9));
    p.blackout_dates = BlackoutsFromJson(r.Text(10));
    p.min_spacing_minutes = static_cast<int>(r.Int(11));
    return p;
}

Content ReadContent(const Row& r) {
    Content c;
    c.id = r.Int(0);
    c.account_id = r.Int(1);
    c.site_id = r.Int(2);
    c.title = r.Text(3);
    c.content_html = r.Text(4);
    c.excerpt = r.Text(5);
    c.slug = r.Text(6);
    c.content_type = r.Text(7);
    c.cluster_id = r.OptInt(8);
    c.categories = FromJsonArray<std::string>(r.Text(9), "categories");
    c.tags = FromJsonArray<std::string>(r.Text(10), "tags");
    c.featured_image_url = r.Text(11);
    const std::string status = r.Text(12);
    c.status = ParseOrThrow(ParseEditorialStatus(status), "status", status);
    c.approved_at = r.OptTime(13);
    const std::string site_status = r.Text(14);
    c.site_status = ParseOrThrow(ParseSiteStatus(site_status), "site_status", site_status);
    c.site_status_updated_at = r.Time(15);
    c.scheduled_publish_at = r.OptTime(16);
    c.published_at = r.OptTime(17);
    c.external_id = r.Text(18);
    c.external_url = r.Text(19);
    c.last_error = r.Text(20);
    c.next_attempt_at = r.OptTime(21);
    c.attempts = static_cast<int>(r.Int(22));
    c.publication_id = r.Text(23);
    c.claim_token = r.Text(24);
    c.lease_until = r.OptTime(25);
    c.pinned = r.Bool(26);
    if (const auto every = r.OptInt(27)) {
        c.recurrence = Recurrence{static_cast<int>(*every), std::nullopt, ToOptInt(r.OptInt(29))};
        if (!r.IsNull(28)) c.recurrence->until = r.Text(28);
    }
    c.publication_count = static_cast<int>(r.Int(30));
    c.held = r.Bool(31);
    c.created_at = r.Time(32);
    c.updated_at = r.Time(33);
    c.version = r.Int(34);
    return c;
}

PublishRecord ReadRecord(const Row& r) {
    PublishRecord rec;
    rec.id = r.Int(0);
    rec.content_id = r.Int(1);
    rec.site_id = r.Int(2);
    rec.account_id = r.Int(3);
    rec.attempt = static_cast<int>(r.Int(4));
    rec.started_at = r.Time(5);
    rec.finished_at = r.Time(6);
    const std::string outcome = r.Text(7);
    rec.outcome = ParseOrThrow(ParseAttemptOutcome(outcome), "outcome", outcome);
    rec.http_status = ToOptInt(r.OptInt(8));
    rec.error = r.Text(9);
    rec.external_id = r.Text(10);
    rec.external_url = r.Text(11);
    rec.due_at = r.OptTime(12);
    return rec;
}

std::string SiteInsert(Params& p, const Site& s) {
    // Braced lists evaluate in order, so the placeholders are numbered as listed.
    return "(account_id, name, platform_type, domain, api_key, username, timezone, is_active,"
           " options_json, created_at, updated_at) VALUES (" +
           JoinPlaceholders(
               {p.Int(s.account_id), p.Text(s.name), p.Text(ToString(s.platform_type)),
                p.Text(s.domain),
                // sealed for the row s.id; a new site (id 0) gets it once it has one
                p.Text(s.id == 0 ? std::string() : SealColumn(kSiteApiKey, s.id, s.api_key)),
                p.Text(s.username), p.Text(s.timezone), p.Bool(s.is_active), p.Text(s.options_json),
                p.Time(s.created_at), p.Time(s.updated_at)}) +
           ")";
}

std::string SettingsInsert(Params& p, SiteId site, const PublishingSettings& s) {
    return "(" + SettingsColumns() + ") VALUES (" +
           JoinPlaceholders(
               {p.Int(site), p.Bool(s.auto_publish_enabled), p.Text(ToJson(s.publish_days)),
                p.Text(ToJson(s.publish_time_slots)), p.OptInt(ToOptInt64(s.daily_publish_limit)),
                p.OptInt(ToOptInt64(s.weekly_publish_limit)),
                p.OptInt(ToOptInt64(s.monthly_publish_limit)), p.Time(s.updated_at),
                p.Text(std::string(ToString(s.missed_slot_policy))), p.Int(s.max_lateness_minutes),
                p.Text(BlackoutsToJson(s.blackout_dates)), p.Int(s.min_spacing_minutes)}) +
           ")";
}

std::string ContentInsertColumns() {
    // Every column but id, version (defaults) and due_at (generated).
    return Join(std::span(kContentColumns).subspan(1, kContentColumnCount - 2), {});
}

std::string ContentInsertValues(Params& p, const Content& c) {
    return JoinPlaceholders({p.Int(c.account_id),
                             p.Int(c.site_id),
                             p.Text(c.title),
                             p.Text(c.content_html),
                             p.Text(c.excerpt),
                             p.Text(c.slug),
                             p.Text(c.content_type),
                             p.OptInt(c.cluster_id),
                             p.Text(ToJson(c.categories)),
                             p.Text(ToJson(c.tags)),
                             p.Text(c.featured_image_url),
                             p.Text(ToString(c.status)),
                             p.OptTime(c.approved_at),
                             p.Text(ToString(c.site_status)),
                             p.Time(c.site_status_updated_at),
                             p.OptTime(c.scheduled_publish_at),
                             p.OptTime(c.published_at),
                             p.Text(c.external_id),
                             p.Text(c.external_url),
                             p.Text(c.last_error),
                             p.OptTime(c.next_attempt_at),
                             p.Int(c.attempts),
                             p.Text(c.publication_id),
                             p.Text(c.claim_token),
                             p.OptTime(c.lease_until),
                             p.Bool(c.pinned),
                             p.OptInt(RecurrenceEvery(c)),
                             RecurrenceUntil(p, c),
                             p.OptInt(RecurrenceCount(c)),
                             p.Int(c.publication_count),
                             p.Bool(c.held),
                             p.Time(c.created_at),
                             p.Time(c.updated_at)});
}

std::string RecordInsert(Params& p, const Content& c, const PublishRecord& r) {
    return "(content_id, site_id, account_id, attempt, started_at, finished_at, outcome,"
           " http_status, error, external_id, external_url, due_at) VALUES (" +
           JoinPlaceholders({p.Int(c.id), p.Int(c.site_id), p.Int(c.account_id), p.Int(r.attempt),
                             p.Time(r.started_at), p.Time(r.finished_at),
                             p.Text(ToString(r.outcome)), p.OptInt(ToOptInt64(r.http_status)),
                             p.Text(r.error), p.Text(r.external_id), p.Text(r.external_url),
                             p.OptTime(r.due_at)}) +
           ")";
}

std::string ContentSet(Params& p, const Content& c, unsigned fields) {
    std::string set;
    auto add = [&set](const char* column, const std::string& placeholder) {
        if (!set.empty()) set += ", ";
        set += column;
        set += " = ";
        set += placeholder;
    };
    if (fields & kContentText) {
        add("title", p.Text(c.title));
        add("content_html", p.Text(c.content_html));
        add("excerpt", p.Text(c.excerpt));
        add("slug", p.Text(c.slug));
        add("content_type", p.Text(c.content_type));
        add("cluster_id", p.OptInt(c.cluster_id));
        add("categories", p.Text(ToJson(c.categories)));
        add("tags", p.Text(ToJson(c.tags)));
        add("featured_image_url", p.Text(c.featured_image_url));
        add("pinned", p.Bool(c.pinned));
        add("recurrence_every_days", p.OptInt(RecurrenceEvery(c)));
        add("recurrence_until", RecurrenceUntil(p, c));
        add("recurrence_count", p.OptInt(RecurrenceCount(c)));
    }
    if (fields & kContentSite) add("site_id", p.Int(c.site_id));
    if (fields & kContentEditorial) {
        add("status", p.Text(ToString(c.status)));
        add("approved_at", p.OptTime(c.approved_at));
    }
    if (fields & kContentSchedule) {
        add("site_status", p.Text(ToString(c.site_status)));
        add("site_status_updated_at", p.Time(c.site_status_updated_at));
        add("scheduled_publish_at", p.OptTime(c.scheduled_publish_at));
        add("published_at", p.OptTime(c.published_at));
        add("external_id", p.Text(c.external_id));
        add("external_url", p.Text(c.external_url));
        add("last_error", p.Text(c.last_error));
        add("next_attempt_at", p.OptTime(c.next_attempt_at));
        add("attempts", p.Int(c.attempts));
        add("publication_id", p.Text(c.publication_id));
        add("claim_token", p.Text(c.claim_token));
        add("lease_until", p.OptTime(c.lease_until));
        add("publication_count", p.Int(c.publication_count));
    }
    // Both groups are where a hold starts or ends.
    if (fields & (kContentSchedule | kContentEditorial)) add("held", p.Bool(c.held));
    add("updated_at", p.Time(c.updated_at));
    return set + ", version = version + 1";
}

std::string ToJson(const std::vector<std::string>& names) { return nlohmann::json(names).dump(); }
std::string ToJson(const std::vector<int>& numbers) { return nlohmann::json(numbers).dump(); }

void LockSites(Connection& conn, AccountId account, std::span<const SiteId> ids,
               std::optional<ContentId> content) {
    Params p;
    p.Int(account);
    p.IntArray(ids);
    p.OptInt(content);
    conn.Exec(
        "SELECT id FROM sites WHERE account_id = $1 AND (id = ANY($2::bigint[])"
        " OR id = (SELECT site_id FROM content WHERE id = $3::bigint AND account_id = $1))"
        " ORDER BY id FOR UPDATE",
        p);
}

WriteOutcome MissOutcome(Connection& conn, std::string_view table, AccountId account, int64_t id) {
    Params p;
    p.Int(id);
    p.Int(account);
    const std::string sql =
        "SELECT 1 FROM " + std::string(table) + " WHERE id = $1 AND account_id = $2";
    return conn.Exec(sql, p).empty() ? WriteOutcome::kNotFound : WriteOutcome::kConflict;
}

PageWindow Window(PageRequest request) {
    const int page = std::max(request.page, 1);
    const int size = std::clamp(request.page_size, 1, kMaxPageSize);
    return {size, static_cast<int64_t>(page - 1) * size};
}

}  // namespace herald::storage::postgres
