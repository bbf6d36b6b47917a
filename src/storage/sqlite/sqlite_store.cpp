#include "storage/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/sqlite/connection_pool.hpp"
#include "storage/sqlite/migrations.hpp"
#include "storage/sqlite/queries.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace herald::storage::sqlite {
namespace {

using Mode = Transaction::Mode;

constexpr int kMaxPageSize = 500;

// --- value conversions ------------------------------------------------------------------

template <typename T>
T ParseOrThrow(std::optional<T> parsed, std::string_view column, const std::string& text) {
    if (!parsed) throw StorageError("unexpected " + std::string(column) + " '" + text + "'");
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
// dominated the row cost. Anything else (escapes, non-ASCII, spaces, corruption) returns
// nullopt so the full parser decides, with its validation and error messages.
std::optional<std::vector<std::string>> ParseSimpleNameArray(std::string_view text) {
    if (text.size() < 2 || text.front() != '[' || text.back() != ']') return std::nullopt;
    std::vector<std::string> names;
    size_t i = 1;
    const size_t end = text.size() - 1;
    if (i == end) return names;
    while (true) {
        if (text[i] != '"') return std::nullopt;
        const size_t start = ++i;
        while (i < end && text[i] != '"') {
            const auto ch = static_cast<unsigned char>(text[i]);
            if (ch < 0x20 || ch > 0x7e || ch == '\\') return std::nullopt;
            ++i;
        }
        if (i == end) return std::nullopt;  // unterminated string
        names.emplace_back(text.substr(start, i - start));
        ++i;  // closing quote
        if (i == end) return names;
        if (text[i] != ',') return std::nullopt;
        ++i;
    }
}

std::vector<std::string> FromJsonNames(const std::string& text, std::string_view column) {
    if (auto names = ParseSimpleNameArray(text)) return std::move(*names);
    return FromJsonArray<std::string>(text, column);
}

std::optional<int> ToOptInt(std::optional<int64_t> v) {
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

struct PageWindow {
    int page;
    int size;
    int64_t offset;
};

PageWindow Window(PageRequest request) {
    const int page = std::max(request.page, 1);
    const int size = std::clamp(request.page_size, 1, kMaxPageSize);
    return {page, size, static_cast<int64_t>(page - 1) * size};
}

// --- row readers (column order: queries.hpp) ----------------------------------------------

Site ReadSite(const Query& q, int base = 0) {
    Site s;
    s.id = q.Int(base + 0);
    s.account_id = q.Int(base + 1);
    s.name = q.Text(base + 2);
    const std::string platform = q.Text(base + 3);
    s.platform_type = ParseOrThrow(ParsePlatform(platform), "platform_type", platform);
    s.domain = q.Text(base + 4);
    s.api_key = q.Text(base + 5);
    s.username = q.Text(base + 6);
    s.timezone = q.Text(base + 7);
    s.is_active = q.Bool(base + 8);
    s.options_json = q.Text(base + 9);
    s.created_at = q.Time(base + 10);
    s.updated_at = q.Time(base + 11);
    return s;
}

PublishingSettings ReadSettings(const Query& q, int base = 0) {
    PublishingSettings p;
    p.site_id = q.Int(base + 0);
    p.auto_publish_enabled = q.Bool(base + 1);
    p.publish_days = FromJsonArray<int>(q.Text(base + 2), "publish_days");
    p.publish_time_slots = FromJsonArray<int>(q.Text(base + 3), "publish_time_slots");
    p.daily_publish_limit = ToOptInt(q.OptInt(base + 4));
    p.weekly_publish_limit = ToOptInt(q.OptInt(base + 5));
    p.monthly_publish_limit = ToOptInt(q.OptInt(base + 6));
    p.updated_at = q.Time(base + 7);
    return p;
}

Content ReadContent(const Query& q) {
    Content c;
    c.id = q.Int(0);
    c.account_id = q.Int(1);
    c.site_id = q.Int(2);
    c.title = q.Text(3);
    c.content_html = q.Text(4);
    c.excerpt = q.Text(5);
    c.slug = q.Text(6);
    c.content_type = q.Text(7);
    c.cluster_id = q.OptInt(8);
    c.categories = FromJsonNames(q.Text(9), "categories");
    c.tags = FromJsonNames(q.Text(10), "tags");
    c.featured_image_url = q.Text(11);
    const std::string status = q.Text(12);
    c.status = ParseOrThrow(ParseEditorialStatus(status), "status", status);
    c.approved_at = q.OptTime(13);
    const std::string site_status = q.Text(14);
    c.site_status = ParseOrThrow(ParseSiteStatus(site_status), "site_status", site_status);
    c.site_status_updated_at = q.Time(15);
    c.scheduled_publish_at = q.OptTime(16);
    c.published_at = q.OptTime(17);
    c.external_id = q.Text(18);
    c.external_url = q.Text(19);
    c.last_error = q.Text(20);
    c.next_attempt_at = q.OptTime(21);
    c.attempts = static_cast<int>(q.Int(22));
    c.publication_id = q.Text(23);
    c.claim_token = q.Text(24);
    c.lease_until = q.OptTime(25);
    c.created_at = q.Time(26);
    c.updated_at = q.Time(27);
    return c;
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

// ?1 account_id … ?27 updated_at, shared by kInsertContent and the content updates.
void BindContent(Query& q, const Content& c) {
    q.BindInt(1, c.account_id)
        .BindInt(2, c.site_id)
        .BindText(3, c.title)
        .BindText(4, c.content_html)
        .BindText(5, c.excerpt)
        .BindText(6, c.slug)
        .BindText(7, c.content_type)
        .BindOptInt(8, c.cluster_id)
        .BindText(9, ToJson(c.categories))
        .BindText(10, ToJson(c.tags))
        .BindText(11, c.featured_image_url)
        .BindText(12, ToString(c.status))
        .BindOptTime(13, c.approved_at)
        .BindText(14, ToString(c.site_status))
        .BindTime(15, c.site_status_updated_at)
        .BindOptTime(16, c.scheduled_publish_at)
        .BindOptTime(17, c.published_at)
        .BindText(18, c.external_id)
        .BindText(19, c.external_url)
        .BindText(20, c.last_error)
        .BindOptTime(21, c.next_attempt_at)
        .BindInt(22, c.attempts)
        .BindText(23, c.publication_id)
        .BindText(24, c.claim_token)
        .BindOptTime(25, c.lease_until)
        .BindTime(26, c.created_at)
        .BindTime(27, c.updated_at);
}

// ?1 account_id … ?11 updated_at, shared by kInsertSite and kUpdateSite.
void BindSite(Query& q, const Site& s) {
    q.BindInt(1, s.account_id)
        .BindText(2, s.name)
        .BindText(3, ToString(s.platform_type))
        .BindText(4, s.domain)
        .BindText(5, s.api_key)
        .BindText(6, s.username)
        .BindText(7, s.timezone)
        .BindBool(8, s.is_active)
        .BindText(9, s.options_json)
        .BindTime(10, s.created_at)
        .BindTime(11, s.updated_at);
}

void BindSettings(Query& q, SiteId site, const PublishingSettings& p) {
    auto opt = [](std::optional<int> v) {
        return v ? std::optional<int64_t>(*v) : std::nullopt;
    };
    q.BindInt(1, site)
        .BindBool(2, p.auto_publish_enabled)
        .BindText(3, ToJson(p.publish_days))
        .BindText(4, ToJson(p.publish_time_slots))
        .BindOptInt(5, opt(p.daily_publish_limit))
        .BindOptInt(6, opt(p.weekly_publish_limit))
        .BindOptInt(7, opt(p.monthly_publish_limit))
        .BindTime(8, p.updated_at);
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

}  // namespace

// --- lifecycle ---------------------------------------------------------------------------

SqliteStore::SqliteStore(const std::string& path, Options options) {
    if (path.empty() || path == ":memory:" || path.starts_with("file::memory:"))
        throw StorageError(
            "an in-memory SQLite database cannot be shared by herald's connections; "
            "name a file");
    pool_ = std::make_unique<ConnectionPool>(path);
    auto conn = pool_->Acquire();
    Migrate(conn->db(), options.migrate_up_to.value_or(sqlite::LatestSchemaVersion()));
}

SqliteStore::~SqliteStore() = default;

int SqliteStore::LatestSchemaVersion() { return sqlite::LatestSchemaVersion(); }

int SqliteStore::SchemaVersion() {
    auto conn = pool_->Acquire();
    return sqlite::SchemaVersion(conn->db());
}

// --- accounts ----------------------------------------------------------------------------

AccountId SqliteStore::CreateAccount(std::string_view name, std::string_view api_key_hash,
                                     TimePoint now) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kInsertAccount));
    q.BindText(1, name).BindText(2, api_key_hash).BindTime(3, now);
    if (!q.Step()) throw StorageError("account insert returned no id");
    return q.Int(0);
}

std::optional<Account> SqliteStore::FindAccountByKeyHash(std::string_view api_key_hash) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kFindAccountByKeyHash));
    q.BindText(1, api_key_hash);
    if (!q.Step()) return std::nullopt;
    return Account{q.Int(0), q.Text(1), q.Time(2)};
}

int64_t SqliteStore::CountAccounts() {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kCountAccounts));
    return q.Step() ? q.Int(0) : 0;
}

// --- sites ---------------------------------------------------------------------------------

Site SqliteStore::CreateSite(const Site& site, const PublishingSettings& settings) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    Site created = site;
    {
        Query q(conn->Prepare(sql::kInsertSite));
        BindSite(q, site);
        if (!q.Step()) throw StorageError("site insert returned no id");
        created.id = q.Int(0);
    }
    {
        Query q(conn->Prepare(sql::kUpsertSettings));
        BindSettings(q, created.id, settings);
        q.Run();
    }
    txn.Commit();
    return created;
}

std::optional<Site> SqliteStore::GetSite(AccountId account, SiteId id) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kGetSite));
    q.BindInt(1, id).BindInt(2, account);
    if (!q.Step()) return std::nullopt;
    return ReadSite(q);
}

Page<Site> SqliteStore::ListSites(AccountId account, PageRequest request) {
    const PageWindow window = Window(request);
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kDeferred);  // count and page from one snapshot
    Page<Site> page;
    {
        Query q(conn->Prepare(sql::kCountSites));
        q.BindInt(1, account);
        if (q.Step()) page.count = q.Int(0);
    }
    {
        Query q(conn->Prepare(sql::kListSites));
        q.BindInt(1, account).BindInt(2, window.size).BindInt(3, window.offset);
        while (q.Step()) page.items.push_back(ReadSite(q));
    }
    txn.Commit();
    return page;
}

bool SqliteStore::UpdateSite(const Site& site) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kUpdateSite));
    BindSite(q, site);
    q.BindInt(12, site.id);
    q.Run();
    return q.Changes() > 0;
}

std::optional<bool> SqliteStore::DeleteSite(AccountId account, SiteId id) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    {
        Query q(conn->Prepare(sql::kSiteExists));
        q.BindInt(1, id).BindInt(2, account);
        if (!q.Step()) return std::nullopt;
    }
    {
        Query q(conn->Prepare(sql::kSiteHasPublishing));
        q.BindInt(1, id).BindInt(2, account);
        if (q.Step() && q.Bool(0)) return false;
    }
    {
        Query q(conn->Prepare(sql::kDeleteSiteContent));
        q.BindInt(1, id).BindInt(2, account);
        q.Run();
    }
    {
        Query q(conn->Prepare(sql::kDeleteSite));
        q.BindInt(1, id).BindInt(2, account);
        q.Run();
    }
    txn.Commit();
    return true;
}

std::optional<PublishingSettings> SqliteStore::GetSettings(AccountId account, SiteId site) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kGetSettings));
    q.BindInt(1, site).BindInt(2, account);
    if (!q.Step()) return std::nullopt;
    return ReadSettings(q);
}

bool SqliteStore::PutSettings(AccountId account, const PublishingSettings& settings) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    {
        Query q(conn->Prepare(sql::kSiteExists));
        q.BindInt(1, settings.site_id).BindInt(2, account);
        if (!q.Step()) return false;
    }
    {
        Query q(conn->Prepare(sql::kUpsertSettings));
        BindSettings(q, settings.site_id, settings);
        q.Run();
    }
    txn.Commit();
    return true;
}

// --- content -------------------------------------------------------------------------------

Content SqliteStore::CreateContent(const Content& content) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kInsertContent));
    BindContent(q, content);
    if (!q.Step())
        throw StorageError("content's site " + std::to_string(content.site_id) +
                           " does not exist in account " + std::to_string(content.account_id));
    Content created = content;
    created.id = q.Int(0);
    return created;
}

std::optional<Content> SqliteStore::GetContent(AccountId account, ContentId id) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kGetContent));
    q.BindInt(1, id).BindInt(2, account);
    if (!q.Step()) return std::nullopt;
    return ReadContent(q);
}

std::vector<Content> SqliteStore::ListContentChangedSince(AccountId account, SiteId site,
                                                          TimePoint since, ContentId after_id,
                                                          int limit) {
    // Walks the site's rows through content_account_site; fine for the few live streams a
    // server has open (an updated_at index would be the next step at scale).
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(std::string("SELECT ") + sql::kContentColumns +
                          " FROM content WHERE account_id = ?1 AND site_id = ?2"
                          " AND (updated_at > ?3 OR (updated_at = ?3 AND id > ?4))"
                          " ORDER BY updated_at, id LIMIT ?5"));
    q.BindInt(1, account).BindInt(2, site).BindTime(3, since).BindInt(4, after_id);
    q.BindInt(5, limit);
    std::vector<Content> out;
    while (q.Step()) out.push_back(ReadContent(q));
    return out;
}

Page<Content> SqliteStore::ListContent(const ContentFilter& f) {
    // The WHERE clause names only the filters present, so each combination gets its own
    // (cached) statement and the planner sees plain equalities it can match to an index.
    // The two statuses go in as literals, not parameters: partial indexes are defined on
    // them, and matching a bound value against an index's WHERE marks the parameter so
    // that every rebind expires the statement, i.e. a full re-prepare on each request.
    // Their text comes from our own enums (a handful of fixed words), so this is safe.
    std::string where = " WHERE account_id = ?1";
    if (f.site_id) where += " AND site_id = ?2";
    if (f.status) where += " AND status = '" + std::string(ToString(*f.status)) + "'";
    if (f.site_status) {
        where += " AND site_status = '" + std::string(ToString(*f.site_status)) + "'";
    }
    if (f.content_type) where += " AND content_type = ?5";
    if (f.cluster_id) where += " AND cluster_id = ?6";
    if (f.scheduled_after) where += " AND scheduled_publish_at >= ?7";
    if (f.scheduled_before) where += " AND scheduled_publish_at <= ?8";
    if (f.published_after) where += " AND published_at >= ?11";
    if (f.published_before) where += " AND published_at <= ?12";
    auto bind = [&f](Query& q) {
        q.BindInt(1, f.account_id);
        if (f.site_id) q.BindInt(2, *f.site_id);
        if (f.content_type) q.BindText(5, *f.content_type);
        if (f.cluster_id) q.BindInt(6, *f.cluster_id);
        if (f.scheduled_after) q.BindTime(7, *f.scheduled_after);
        if (f.scheduled_before) q.BindTime(8, *f.scheduled_before);
        if (f.published_after) q.BindTime(11, *f.published_after);
        if (f.published_before) q.BindTime(12, *f.published_before);
    };
    // SQLite sorts NULL first ascending (unscheduled items lead with kScheduledAsc).
    const char* order = " ORDER BY id";
    switch (f.ordering) {
        case ContentOrder::kIdAsc: order = " ORDER BY id"; break;
        case ContentOrder::kIdDesc: order = " ORDER BY id DESC"; break;
        case ContentOrder::kScheduledAsc: order = " ORDER BY scheduled_publish_at, id"; break;
        case ContentOrder::kScheduledDesc:
            order = " ORDER BY scheduled_publish_at DESC, id DESC";
            break;
    }
    const PageWindow window = Window(f.page);

    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kDeferred);  // count and page from one snapshot
    Page<Content> page;
    page.count = CountRows(*conn, "SELECT COUNT(*) FROM content" + where, bind);
    if (window.offset < page.count) {
        page.items.reserve(static_cast<size_t>(
            std::min<int64_t>(window.size, page.count - window.offset)));
        Query q(conn->Prepare(std::string("SELECT ") + sql::kContentColumns + " FROM content" +
                              where + order + " LIMIT ?9 OFFSET ?10"));
        bind(q);
        q.BindInt(9, window.size).BindInt(10, window.offset);
        while (q.Step()) page.items.push_back(ReadContent(q));
    }
    txn.Commit();
    return page;
}

bool SqliteStore::UpdateContentIf(const Content& content, SiteStatus expected) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kUpdateContentIf));
    BindContent(q, content);
    q.BindInt(28, content.id).BindText(29, ToString(expected));
    q.Run();
    return q.Changes() > 0;
}

bool SqliteStore::DeleteContentIf(AccountId account, ContentId id, SiteStatus expected) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kDeleteContentIf));
    q.BindInt(1, id).BindInt(2, account).BindText(3, ToString(expected));
    q.Run();
    return q.Changes() > 0;
}

// --- slot scheduler --------------------------------------------------------------------------

std::vector<SchedulableSite> SqliteStore::ListAutoPublishSites() {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kListAutoPublishSites));
    std::vector<SchedulableSite> sites;
    while (q.Step()) sites.push_back({ReadSite(q, 8), ReadSettings(q, 0)});
    return sites;
}

std::vector<ContentId> SqliteStore::ListSchedulingQueue(SiteId site) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kSchedulingQueue));
    q.BindInt(1, site);
    std::vector<ContentId> ids;
    while (q.Step()) ids.push_back(q.Int(0));
    return ids;
}

SiteCalendar SqliteStore::LoadCalendar(SiteId site, TimePoint from) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kDeferred);
    SiteCalendar calendar;
    {
        Query q(conn->Prepare(sql::kCalendarScheduled));
        q.BindInt(1, site).BindTime(2, from);
        while (q.Step()) calendar.scheduled.push_back(q.Time(0));
    }
    {
        Query q(conn->Prepare(sql::kCalendarPublished));
        q.BindInt(1, site).BindTime(2, from);
        while (q.Step()) calendar.published.push_back(q.Time(0));
    }
    txn.Commit();
    return calendar;
}

int SqliteStore::ApplyAssignments(std::span<const SlotAssignment> assignments, TimePoint now) {
    if (assignments.empty()) return 0;
    // In id order, so consecutive updates land on neighbouring table pages.
    std::vector<SlotAssignment> sorted(assignments.begin(), assignments.end());
    std::sort(sorted.begin(), sorted.end(), [](const SlotAssignment& a, const SlotAssignment& b) {
        return a.content_id < b.content_id;
    });
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    int applied = 0;
    sqlite3_stmt* stmt = conn->Prepare(sql::kApplyAssignment);
    for (const SlotAssignment& a : sorted) {
        Query q(stmt);
        q.BindTime(1, a.at).BindTime(2, now).BindInt(3, a.content_id);
        q.Run();
        applied += q.Changes();
    }
    txn.Commit();
    return applied;
}

// --- dispatcher ------------------------------------------------------------------------------

std::vector<ClaimedItem> SqliteStore::ClaimDue(TimePoint now, int limit,
                                               std::string_view claim_token,
                                               TimePoint lease_until) {
    return ClaimDueExcept(now, limit, claim_token, lease_until, {});
}

std::vector<ClaimedItem> SqliteStore::ClaimDueExcept(TimePoint now, int limit,
                                                     std::string_view claim_token,
                                                     TimePoint lease_until,
                                                     std::span<const SiteId> skip_sites) {
    if (limit <= 0) return {};
    if (claim_token.empty()) throw StorageError("ClaimDue needs a non-empty claim token");
    auto conn = pool_->Acquire();
    // IMMEDIATE although the UPDATE alone is atomic: the rows read back below must be the
    // ones this claim wrote, with no other writer in between.
    Transaction txn = conn->Begin(Mode::kImmediate);
    std::vector<ContentId> ids;
    {
        Query q(conn->Prepare(skip_sites.empty() ? sql::kClaimDue : sql::kClaimDueExcept));
        q.BindTime(1, now).BindInt(2, limit).BindText(3, claim_token).BindTime(4, lease_until);
        if (!skip_sites.empty())
            q.BindText(5, nlohmann::json(std::vector<SiteId>(skip_sites.begin(), skip_sites.end()))
                              .dump());
        while (q.Step()) ids.push_back(q.Int(0));
    }
    std::vector<ClaimedItem> claimed;
    claimed.reserve(ids.size());
    std::map<SiteId, Site> sites;
    for (ContentId id : ids) {
        auto content = LoadContentById(*conn, id);
        if (!content) throw StorageError("claimed content vanished inside its transaction");
        auto site_it = sites.find(content->site_id);
        if (site_it == sites.end()) {
            auto site = LoadSiteById(*conn, content->site_id);
            if (!site) throw StorageError("claimed content has no site");
            site_it = sites.emplace(site->id, std::move(*site)).first;
        }
        const TimePoint due_at = content->DueAt();  // the claim leaves both inputs alone
        claimed.push_back({std::move(*content), site_it->second, due_at});
    }
    txn.Commit();
    std::sort(claimed.begin(), claimed.end(), [](const ClaimedItem& a, const ClaimedItem& b) {
        return a.due_at != b.due_at ? a.due_at < b.due_at : a.content.id < b.content.id;
    });
    return claimed;
}

std::optional<Result<ClaimedItem>> SqliteStore::ClaimOne(AccountId account, ContentId id,
                                                         std::string_view claim_token,
                                                         TimePoint now,
                                                         TimePoint lease_until) {
    if (claim_token.empty()) throw StorageError("ClaimOne needs a non-empty claim token");
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    std::optional<Content> before;
    {
        Query q(conn->Prepare(sql::kGetContent));
        q.BindInt(1, id).BindInt(2, account);
        if (!q.Step()) return std::nullopt;
        before = ReadContent(q);
    }
    if (before->site_status == SiteStatus::kPublishing)
        return Result<ClaimedItem>(Error::Conflict(
            "already_publishing", "This content is being published right now.", "site_status"));
    if (before->status != EditorialStatus::kApproved)
        return Result<ClaimedItem>(Error::Conflict(
            "not_approved", "Only approved content can be published.", "status"));
    auto site = LoadSiteById(*conn, before->site_id);
    if (!site) throw StorageError("content has no site");
    if (!site->is_active)
        return Result<ClaimedItem>(Error::Conflict(
            "site_inactive", "The site is inactive; activate it to publish.", "site_id"));
    {
        Query q(conn->Prepare(sql::kClaimOne));
        q.BindInt(1, id)
            .BindText(2, claim_token)
            .BindTime(3, lease_until)
            .BindTime(4, now)
            .BindText(5, ToString(before->site_status));
        q.Run();
        if (q.Changes() != 1) throw StorageError("claim of a locked row changed nothing");
    }
    auto after = LoadContentById(*conn, id);
    txn.Commit();
    return Result<ClaimedItem>(ClaimedItem{std::move(*after), std::move(*site), before->DueAt()});
}

std::optional<TimePoint> SqliteStore::NextWakeAt() {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kDeferred);
    std::optional<TimePoint> next;
    {
        Query q(conn->Prepare(sql::kNextDue));
        if (q.Step()) next = q.OptTime(0);
    }
    {
        Query q(conn->Prepare(sql::kNextLeaseEnd));
        if (q.Step()) {
            if (auto lease = q.OptTime(0); lease && (!next || *lease < *next)) next = lease;
        }
    }
    txn.Commit();
    return next;
}

namespace {

/// The claimed update and the record insert of one attempt, inside the caller's transaction.
std::optional<RecordId> FinishOne(Connection& conn, const Content& content,
                                  std::string_view claim_token, const PublishRecord& record) {
    {
        Query q(conn.Prepare(sql::kUpdateContentIfClaimed));
        BindContent(q, content);
        q.BindInt(28, content.id).BindText(29, claim_token);
        q.Run();
        if (q.Changes() == 0) return std::nullopt;  // the claim was lost: write nothing
    }
    Query q(conn.Prepare(sql::kInsertRecord));
    q.BindInt(1, content.id)
        .BindInt(2, content.site_id)
        .BindInt(3, content.account_id)
        .BindInt(4, record.attempt)
        .BindTime(5, record.started_at)
        .BindTime(6, record.finished_at)
        .BindText(7, ToString(record.outcome))
        .BindOptInt(8, record.http_status ? std::optional<int64_t>(*record.http_status)
                                          : std::nullopt)
        .BindText(9, record.error)
        .BindText(10, record.external_id)
        .BindText(11, record.external_url)
        .BindOptTime(12, record.due_at);
    if (!q.Step()) throw StorageError("record insert returned no id");
    return q.Int(0);
}

}  // namespace

std::optional<RecordId> SqliteStore::FinishAttempt(const Content& content,
                                                   std::string_view claim_token,
                                                   const PublishRecord& record) {
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    auto record_id = FinishOne(*conn, content, claim_token, record);
    if (record_id) txn.Commit();
    return record_id;
}

std::vector<std::optional<RecordId>> SqliteStore::FinishAttempts(
    std::span<const FinishedAttempt> attempts, std::string_view claim_token) {
    std::vector<std::optional<RecordId>> ids;
    if (attempts.empty()) return ids;
    ids.reserve(attempts.size());
    // One transaction for the batch: a commit per attempt would cap the dispatcher at the
    // rate SQLite can commit, far below what the network can deliver.
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    for (const auto& a : attempts) ids.push_back(FinishOne(*conn, a.content, claim_token, a.record));
    txn.Commit();
    return ids;
}

std::vector<std::string> SqliteStore::ListClaimTokens() {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kListClaimTokens));
    std::vector<std::string> tokens;
    while (q.Step()) tokens.push_back(q.Text(0));
    return tokens;
}

int64_t SqliteStore::ExpireClaims(std::span<const std::string> tokens) {
    if (tokens.empty()) return 0;
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    int64_t expired = 0;
    sqlite3_stmt* stmt = conn->Prepare(sql::kExpireClaims);
    for (const std::string& token : tokens) {
        Query q(stmt);
        q.BindText(1, token);
        q.Run();
        expired += q.Changes();
    }
    txn.Commit();
    return expired;
}

void SqliteStore::AbandonClaims(std::span<const ContentId> ids, std::string_view claim_token) {
    if (ids.empty()) return;
    const TimePoint now = SystemTimeSource().Now();  // shutdown happens in real time
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    sqlite3_stmt* stmt = conn->Prepare(sql::kAbandonClaim);
    for (ContentId id : ids) {
        Query q(stmt);
        q.BindInt(1, id).BindText(2, claim_token).BindTime(3, now);
        q.Run();
    }
    txn.Commit();
}

bool SqliteStore::ExtendLease(ContentId id, std::string_view claim_token, TimePoint lease_until) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kExtendLease));
    q.BindInt(1, id).BindText(2, claim_token).BindTime(3, lease_until);
    q.Run();
    return q.Changes() > 0;
}

void SqliteStore::ReleaseClaims(std::span<const ContentId> ids, std::string_view claim_token) {
    if (ids.empty()) return;
    // The interface passes no clock; a release happens at shutdown, in real time.
    const TimePoint now = SystemTimeSource().Now();
    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kImmediate);
    sqlite3_stmt* stmt = conn->Prepare(sql::kReleaseClaim);
    for (ContentId id : ids) {
        Query q(stmt);
        q.BindInt(1, id).BindText(2, claim_token).BindTime(3, now);
        q.Run();
    }
    txn.Commit();
}

// --- records and health ------------------------------------------------------------------------

Page<PublishRecord> SqliteStore::ListRecords(const RecordFilter& f) {
    std::string where = " WHERE account_id = ?1";
    if (f.content_id) where += " AND content_id = ?2";
    if (f.site_id) where += " AND site_id = ?3";
    auto bind = [&f](Query& q) {
        q.BindInt(1, f.account_id);
        if (f.content_id) q.BindInt(2, *f.content_id);
        if (f.site_id) q.BindInt(3, *f.site_id);
    };
    const PageWindow window = Window(f.page);

    auto conn = pool_->Acquire();
    Transaction txn = conn->Begin(Mode::kDeferred);
    Page<PublishRecord> page;
    page.count = CountRows(*conn, "SELECT COUNT(*) FROM publish_records" + where, bind);
    if (window.offset < page.count) {
        page.items.reserve(static_cast<size_t>(
            std::min<int64_t>(window.size, page.count - window.offset)));
        Query q(conn->Prepare(std::string("SELECT ") + sql::kRecordColumns +
                              " FROM publish_records" + where + " ORDER BY id LIMIT ?9 OFFSET ?10"));
        bind(q);
        q.BindInt(9, window.size).BindInt(10, window.offset);
        while (q.Step()) page.items.push_back(ReadRecord(q));
    }
    txn.Commit();
    return page;
}

Store::Overdue SqliteStore::CountOverdue(TimePoint now) {
    auto conn = pool_->Acquire();
    Query q(conn->Prepare(sql::kCountOverdue));
    q.BindTime(1, now);
    Overdue overdue;
    if (q.Step()) {
        overdue.count = q.Int(0);
        overdue.oldest_due_at = q.OptTime(1);
    }
    return overdue;
}

}  // namespace herald::storage::sqlite
