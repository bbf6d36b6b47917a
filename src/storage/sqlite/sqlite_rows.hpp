#pragma once
// Row readers, binders and small helpers shared by the SQLite store's files. Column order
// and parameters are those of queries.hpp.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "storage/sqlite/connection_pool.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/store.hpp"

namespace herald::storage::sqlite {

std::optional<int> ToOptInt(std::optional<int64_t> v);

struct PageWindow {
    int page;
    int size;
    int64_t offset;
};
/// The page asked for, clamped to 1..500 rows.
PageWindow Window(PageRequest request);

Site ReadSite(const Query& q, int base = 0);
PublishingSettings ReadSettings(const Query& q, int base = 0);
Content ReadContent(const Query& q);
/// ReadContent into an existing object, reusing its strings' storage (list pages).
void ReadContentInto(const Query& q, Content& c);
PublishRecord ReadRecord(const Query& q);

/// :account_id … :updated_at, the columns' names (kInsertContent and every content update).
/// Names the statement does not have are skipped (Query::SkipAbsentNames).
void BindContent(Query& q, const Content& c);
/// :account_id … :updated_at (kInsertSite and kUpdateSite), likewise.
void BindSite(Query& q, const Site& s);
void BindSettings(Query& q, SiteId site, const PublishingSettings& p);

/// Why a versioned write of row `id` of the account's `table` (a constant) matched no row:
/// kNotFound when it is gone, kConflict when it moved on (or, for content, a site_id outside
/// the account: the API checks that first).
WriteOutcome MissOutcome(Connection& conn, std::string_view table, AccountId account, int64_t id);

std::optional<Content> LoadContentById(Connection& conn, ContentId id);
std::optional<Site> LoadSiteById(Connection& conn, SiteId id);
/// The site's calendar as the slot calculator reads it (sqlite_scheduling.cpp).
SiteCalendar ReadCalendar(Connection& conn, SiteId site, TimePoint from);
/// Places an evergreen item just settled as published again (domain::PlanNextOccurrence),
/// inside the caller's write transaction (sqlite_queue.cpp). @returns its new time, if any.
std::optional<TimePoint> PlaceRecurringAgain(Connection& conn, const Content& published);

int64_t CountRows(Connection& conn, const std::string& sql,
                  const std::function<void(Query&)>& bind);

}  // namespace herald::storage::sqlite
