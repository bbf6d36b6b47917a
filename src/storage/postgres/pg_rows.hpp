#pragma once
// Column lists, row readers and value binders shared by the PostgreSQL store's files. A
// reader takes the columns in the order of the matching list.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "storage/postgres/connection_pool.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage/store.hpp"

namespace herald::storage::postgres {

inline constexpr int kMaxPageSize = 500;
inline constexpr int kSiteColumnCount = 18;
inline constexpr int kSettingsColumnCount = 12;
inline constexpr int kContentColumnCount = 35;

/// publication_id of a claimed row (Claim, ClaimOne): kept if set, else 32 hex digits, the
/// format SQLite's lower(hex(randomblob(16))) gives.
inline constexpr const char* kNewPublicationId =
    "CASE WHEN content.publication_id = '' THEN replace(gen_random_uuid()::text, '-', '')"
    " ELSE content.publication_id END";

/// "a.id, a.account_id, …" (no prefix when `alias` is empty).
std::string SiteColumns(std::string_view alias = {});
std::string SettingsColumns(std::string_view alias = {});
std::string ContentColumns(std::string_view alias = {});
std::string RecordColumns();

Site ReadSite(const Row& row);
PublishingSettings ReadSettings(const Row& row);
Content ReadContent(const Row& row);
PublishRecord ReadRecord(const Row& row);

/// The writable columns of an insert and their placeholders in `params`:
/// "(account_id, name, …) VALUES ($1, $2, …)".
std::string SiteInsert(Params& params, const Site& site);
std::string SettingsInsert(Params& params, SiteId site, const PublishingSettings& settings);
std::string ContentInsertColumns();
/// The placeholders of ContentInsertColumns(), in order: "$1, $2, …".
std::string ContentInsertValues(Params& params, const Content& content);
std::string RecordInsert(Params& params, const Content& content, const PublishRecord& record);

/// "col = $n, …" for the column groups `fields` (ContentFields).
std::string ContentSet(Params& params, const Content& content, unsigned fields);

std::string ToJson(const std::vector<std::string>& names);
std::string ToJson(const std::vector<int>& numbers);

/// Takes the row locks of the account's sites `ids` in id order (the order every path uses,
/// so two lockers cannot deadlock), and of the site `content` currently belongs to (when
/// given). Held until the transaction ends: whoever places an item on a site's calendar
/// holds the site first, so the slot scheduler's read of that calendar stays true.
void LockSites(Connection& conn, AccountId account, std::span<const SiteId> ids,
               std::optional<ContentId> content = std::nullopt);

/// The site's calendar as the slot calculator reads it (pg_scheduling.cpp).
SiteCalendar ReadCalendar(Connection& conn, SiteId site, TimePoint from);
/// Places the evergreen items of `attempts` that were just settled as published (a record
/// id in `record_ids`) again, inside the caller's transaction; locks all the batch's sites
/// first, in id order (pg_queue.cpp).
void PlaceRecurringAgain(Connection& conn, std::span<const FinishedAttempt> attempts,
                         const std::vector<std::optional<RecordId>>& record_ids);

/// Event hooks (pg_hooks.cpp): the column lists and their readers (a hook's secret opened).
const char* EventHookColumns();     // "id, account_id, url, …"
const char* HookDeliveryColumns();  // "d.id, d.hook_id, …" (alias d)
EventHook ReadEventHookRow(const Row& row);
HookDelivery ReadHookDeliveryRow(const Row& row);

/// Why a versioned write of row `id` of the account's `table` (a constant) matched no row:
/// kNotFound when it is gone, kConflict when it moved on (or, for content, a site_id outside
/// the account: the API checks that first).
WriteOutcome MissOutcome(Connection& conn, std::string_view table, AccountId account, int64_t id);

struct PageWindow {
    int size;
    int64_t offset;
};
PageWindow Window(PageRequest request);

}  // namespace herald::storage::postgres
