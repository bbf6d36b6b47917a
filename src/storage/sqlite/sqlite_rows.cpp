// Row readers and binders shared by the SQLite store's files (column order: queries.hpp).

#include "storage/sqlite/sqlite_rows.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "storage/planner_columns.hpp"
#include "storage/sqlite/queries.hpp"

namespace herald::storage::sqlite {
namespace {

constexpr int kMaxPageSize = 500;

// --- value conversions ------------------------------------------------------------------

template <typename T>
T ParseOrThrow(std::optional<T> parsed, std::string_view column, std::string_view text) {
    if (!parsed) {
        throw StorageError("unexpected " + std::string(column) + " '" + std::string(text) + "'");
    }
    return *parsed;
}

std::string ToJson(const std::vector<std::string>& names) { return nlohmann::json(names).dump(); }
std::string ToJson(const std::vector<int>& numbers) { return nlohmann::json(numbers).dump(); }

template <typename T>
std::vector<T> FromJsonArray(const std::string& text, std::string_view column) {
    try {
        return nlohmann::json::parse(text).get<std::vector<T>>();
    } catch (const nlohmann::json::exception& e) {
        throw StorageError("corrupt " + std::string(column) + ": " + e.what());
    }
}

// Decodes the compact form nlohmann's dump() writes for plain names (`[]`, `["a","b"]`)
// without building a json tree: list reads decode two of these per row, and the tree
// dominated the row cost. Fills `names` (reusing its storage); anything else (escapes,
// non-ASCII, spaces, corruption) answers false so the full parser decides, with its
// validation and error messages.
bool ParseSimpleNameArray(std::string_view text, std::vector<std::string>& names) {
    if (text.size() < 2 || text.front() != '[' || text.back() != ']') return false;
    names.clear();
    size_t i = 1;
    const size_t end = text.size() - 1;
    if (i == end) return true;
    while (true) {
        if (text[i] != '"') return false;
        const size_t start = ++i;
        while (i < end && text[i] != '"') {
            const auto ch = static_cast<unsigned char>(text[i]);
            if (ch < 0x20 || ch > 0x7e || ch == '\\') return false;
            ++i;
        }
        if (i == end) return false;  // unterminated string
        names.emplace_back(text.substr(start, i - start));
        ++i;  // closing quote
        if (i == end) return true;
        if (text[i] != ',') return false;
        ++i;
    }
}

void ReadNames(std::string_view text, std::vector<std::string>& names, std::string_view column) {
    if (!ParseSimpleNameArray(text, names)) {
        names = FromJsonArray<std::string>(std::string(text), column);
    }
}

}  // namespace

std::optional<int> ToOptInt(std::optional<int64_t> v) {
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

PageWindow Window(PageRequest request) {
    const int page = std::max(request.page, 1);
    const int size = std::clamp(request.page_size, 1, kMaxPageSize);
    return {page, size, static_cast<int64_t>(page - 1) * size};
}

// --- row readers (column order: queries.hpp) ----------------------------------------------

Site ReadSite(const Query& q, int base) {
    Site s;
    s.id = q.Int(base + 0);
    s.account_id = q.Int(base + 1);
    s.name = q.Text(base + 2);
    const std::string platform = q.Text(base + 3);
    s.platform_type = ParseOrThrow(ParsePlatform(platform), "platform_type", platform);
    s.domain = q.Text(base + 4);
    s.api_key = OpenColumn(kSiteApiKey, s.id, q.Text(base + 5));
    s.username = q.Text(base + 6);
    s.timezone = q.Text(base + 7);
    s.is_active = q.Bool(base + 8);
    s.options_json = q.Text(base + 9);
    s.created_at = q.Time(base + 10);
    s.updated_at = q.Time(base + 11);
    s.version = q.Int(base + 12);
    const std::string health = q.Text(base + 13);
    s.health.health = ParseOrThrow(domain::ParseSiteHealth(health), "health", health);
    s.health.reason = q.Text(base + 14);
    s.health.since = q.OptTime(base + 15);
    s.health.transient_failures = static_cast<int>(q.Int(base + 16));
    s.health.probe_at = q.OptTime(base + 17);
    return s;
}

PublishingSettings ReadSettings(const Query& q, int base) {
    PublishingSettings p;
    p.site_id = q.Int(base + 0);
    p.auto_publish_enabled = q.Bool(base + 1);
    p.publish_days = FromJsonArray<int>(q.Text(base + 2), "publish_days");
    p.publish_time_slots = FromJsonArray<int>(q.Text(base + 3), "publish_time_slots");
    p.daily_publish_limit = ToOptInt(q.OptInt(base + 4));
    p.weekly_publish_limit = ToOptInt(q.OptInt(base + 5));
    p.monthly_publish_limit = ToOptInt(q.OptInt(base + 6));
    p.updated_at = q.Time(base + 7);
    p.missed_slot_policy = PolicyFromColumn(q.Text(base + 8));
    p.max_lateness_minutes = static_cast<int>(q.Int(base + 9));
    p.blackout_dates = BlackoutsFromJson(q.Text(base + 10));
    p.min_spacing_minutes = static_cast<int>(q.Int(base + 11));
    return p;
}

Content ReadContent(const Query& q) {
    Content c;
    ReadContentInto(q, c);
    return c;
}

void ReadContentInto(const Query& q, Content& c) {
    c.id = q.Int(0);
    c.account_id = q.Int(1);
    c.site_id = q.Int(2);
    // assign() keeps each string's storage from the previous row.
    c.title.assign(q.TextView(3));
    c.content_html.assign(q.TextView(4));
    c.excerpt.assign(q.TextView(5));
    c.slug.assign(q.TextView(6));
    c.content_type.assign(q.TextView(7));
    c.cluster_id = q.OptInt(8);
    ReadNames(q.TextView(9), c.categories, "categories");
    ReadNames(q.TextView(10), c.tags, "tags");
    c.featured_image_url.assign(q.TextView(11));
    const std::string_view status = q.TextView(12);
    c.status = ParseOrThrow(ParseEditorialStatus(status), "status", status);
    c.approved_at = q.OptTime(13);
    const std::string_view site_status = q.TextView(14);
    c.site_status = ParseOrThrow(ParseSiteStatus(site_status), "site_status", site_status);
    c.site_status_updated_at = q.Time(15);
    c.scheduled_publish_at = q.OptTime(16);
    c.published_at = q.OptTime(17);
    c.external_id.assign(q.TextView(18));
    c.external_url.assign(q.TextView(19));
    c.last_error.assign(q.TextView(20));
    c.next_attempt_at = q.OptTime(21);
    c.attempts = static_cast<int>(q.Int(22));
    c.publication_id.assign(q.TextView(23));
    c.claim_token.assign(q.TextView(24));
    c.lease_until = q.OptTime(25);
    c.created_at = q.Time(26);
    c.updated_at = q.Time(27);
    c.version = q.Int(28);
    c.pinned = q.Int(29) != 0;
    // The row object is reused across a page: a null recurrence must clear the last one.
    c.recurrence.reset();
    if (const auto every = q.OptInt(30)) {
        c.recurrence = Recurrence{static_cast<int>(*every), std::nullopt, ToOptInt(q.OptInt(32))};
        if (!q.IsNull(31)) c.recurrence->until = q.Text(31);
    }
    c.publication_count = static_cast<int>(q.Int(33));
    c.held = q.Int(34) != 0;
}

PublishRecord ReadRecord(const Query& q) {
    PublishRecord r;
    r.id = q.Int(0);
    r.content_id = q.Int(1);
    r.site_id = q.Int(2);
    r.account_id = q.Int(3);
    r.attempt = static_cast<int>(q.Int(4));
    r.started_at = q.Time(5);
    r.finished_at = q.Time(6);
    const std::string outcome = q.Text(7);
    r.outcome = ParseOrThrow(ParseAttemptOutcome(outcome), "outcome", outcome);
    r.http_status = ToOptInt(q.OptInt(8));
    r.error = q.Text(9);
    r.external_id = q.Text(10);
    r.external_url = q.Text(11);
    r.due_at = q.OptTime(12);
    return r;
}

// --- binders --------------------------------------------------------------------------------

// Every statement names only the columns it writes (an update, a group of them), so the
// names it lacks are skipped; each it has must still be bound (Query checks at Step).
void BindContent(Query& q, const Content& c) {
    q.SkipAbsentNames()
        .BindInt(":account_id", c.account_id)
        .BindInt(":site_id", c.site_id)
        .BindText(":title", c.title)
        .BindText(":content_html", c.content_html)
        .BindText(":excerpt", c.excerpt)
        .BindText(":slug", c.slug)
        .BindText(":content_type", c.content_type)
        .BindOptInt(":cluster_id", c.cluster_id)
        .BindText(":categories", ToJson(c.categories))
        .BindText(":tags", ToJson(c.tags))
        .BindText(":featured_image_url", c.featured_image_url)
        .BindText(":status", ToString(c.status))
        .BindOptTime(":approved_at", c.approved_at)
        .BindText(":site_status", ToString(c.site_status))
        .BindTime(":site_status_updated_at", c.site_status_updated_at)
        .BindOptTime(":scheduled_publish_at", c.scheduled_publish_at)
        .BindOptTime(":published_at", c.published_at)
        .BindText(":external_id", c.external_id)
        .BindText(":external_url", c.external_url)
        .BindText(":last_error", c.last_error)
        .BindOptTime(":next_attempt_at", c.next_attempt_at)
        .BindInt(":attempts", c.attempts)
        .BindText(":publication_id", c.publication_id)
        .BindText(":claim_token", c.claim_token)
        .BindOptTime(":lease_until", c.lease_until)
        .BindTime(":created_at", c.created_at)
        .BindTime(":updated_at", c.updated_at)
        .BindInt(":pinned", c.pinned ? 1 : 0)
        .BindOptInt(":recurrence_every_days",
                    c.recurrence ? std::optional<int64_t>(c.recurrence->every_days) : std::nullopt)
        .BindOptText(":recurrence_until", c.recurrence ? c.recurrence->until : std::nullopt)
        .BindOptInt(":recurrence_count", c.recurrence && c.recurrence->count
                                             ? std::optional<int64_t>(*c.recurrence->count)
                                             : std::nullopt)
        .BindInt(":publication_count", c.publication_count)
        .BindInt(":held", c.held ? 1 : 0);
}

// api_key is sealed for the row s.id; a new site (id 0) gets '' here and its sealed key once
// it has an id. kUpdateSite has no :created_at (skipped as in BindContent).
void BindSite(Query& q, const Site& s) {
    q.SkipAbsentNames()
        .BindInt(":account_id", s.account_id)
        .BindText(":name", s.name)
        .BindText(":platform_type", ToString(s.platform_type))
        .BindText(":domain", s.domain)
        .BindText(":api_key", s.id == 0 ? std::string() : SealColumn(kSiteApiKey, s.id, s.api_key))
        .BindText(":username", s.username)
        .BindText(":timezone", s.timezone)
        .BindBool(":is_active", s.is_active)
        .BindText(":options_json", s.options_json)
        .BindTime(":created_at", s.created_at)
        .BindTime(":updated_at", s.updated_at);
}

void BindSettings(Query& q, SiteId site, const PublishingSettings& p) {
    auto opt = [](std::optional<int> v) { return v ? std::optional<int64_t>(*v) : std::nullopt; };
    q.BindInt(1, site)
        .BindBool(2, p.auto_publish_enabled)
        .BindText(3, ToJson(p.publish_days))
        .BindText(4, ToJson(p.publish_time_slots))
        .BindOptInt(5, opt(p.daily_publish_limit))
        .BindOptInt(6, opt(p.weekly_publish_limit))
        .BindOptInt(7, opt(p.monthly_publish_limit))
        .BindTime(8, p.updated_at)
        .BindText(9, ToString(p.missed_slot_policy))
        .BindInt(10, p.max_lateness_minutes)
        .BindText(11, BlackoutsToJson(p.blackout_dates))
        .BindInt(12, p.min_spacing_minutes);
}

WriteOutcome MissOutcome(Connection& conn, std::string_view table, AccountId account, int64_t id) {
    Query q(
        conn.Prepare("SELECT 1 FROM " + std::string(table) + " WHERE id = ?1 AND account_id = ?2"));
    q.BindInt(1, id).BindInt(2, account);
    return q.Step() ? WriteOutcome::kConflict : WriteOutcome::kNotFound;
}

std::optional<Content> LoadContentById(Connection& conn, ContentId id) {
    Query q(conn.Prepare(sql::kGetContentById));
    q.BindInt(1, id);
    if (!q.Step()) return std::nullopt;
    return ReadContent(q);
}

std::optional<Site> LoadSiteById(Connection& conn, SiteId id) {
    Query q(conn.Prepare(sql::kGetSiteById));
    q.BindInt(1, id);
    if (!q.Step()) return std::nullopt;
    return ReadSite(q);
}

int64_t CountRows(Connection& conn, const std::string& sql,
                  const std::function<void(Query&)>& bind) {
    Query q(conn.Prepare(sql));
    bind(q);
    if (!q.Step()) return 0;
    return q.Int(0);
}

}  // namespace herald::storage::sqlite
