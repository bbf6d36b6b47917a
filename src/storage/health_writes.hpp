#pragma once
// The part of FinishAttempts both backends share: folding a batch's health signals into each
// site's health by domain::NextHealth. The backends only read and write the rows.

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "storage/store.hpp"

namespace herald::storage {

struct SiteHealthRow {
    AccountId account_id = 0;
    std::string name;
    domain::SiteHealthState state;
};

/// Reads the health of `sites` (given in id order); `lock`: hold the rows against other
/// writers for the rest of the transaction, on backends that need it. A site that is gone is
/// left out.
using LoadSiteHealth =
    std::function<std::map<SiteId, SiteHealthRow>(const std::vector<SiteId>& sites, bool lock)>;
/// Writes a site's new health. `visible`: health, reason or since changed (the site's
/// representation, so its version grows). `recovered_at`: the site recovered then; its
/// items' pending retries are brought forward to that time.
using StoreSiteHealth = std::function<void(SiteId, const domain::SiteHealthState&, bool visible,
                                           std::optional<TimePoint> recovered_at)>;

/// Applies the signals of the attempts that were written (record_ids[i] set), site by site
/// in id order (a consistent lock order), attempts of a site in batch order. The sites are
/// first read without a lock; only those whose health would change are read again locked
/// and written, so a batch of successes on healthy sites locks nothing. Returns an update
/// per health event, in site id order.
std::vector<SiteHealthUpdate> ApplyHealthSignals(
    std::span<const FinishedAttempt> attempts,
    const std::vector<std::optional<RecordId>>& record_ids, const domain::HealthPolicy& policy,
    const LoadSiteHealth& load, const StoreSiteHealth& store);

/// Adds `n` sites of stored health `health` to `counts` (CountSiteHealth on both backends).
void AddHealthCount(Store::SiteHealthCounts& counts, std::string_view health, int64_t n);

/// The owner resumed the site: domain::ResumeHealth over `row`, written through `store`
/// (its items' pending retries brought forward to `now` when it recovers).
SiteHealthUpdate ApplyResume(SiteId site, const SiteHealthRow& row, TimePoint now,
                             const StoreSiteHealth& store);

}  // namespace herald::storage
