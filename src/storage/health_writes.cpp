#include "storage/health_writes.hpp"

#include <map>

namespace herald::storage {

std::vector<SiteHealthUpdate> ApplyHealthSignals(
    std::span<const FinishedAttempt> attempts,
    const std::vector<std::optional<RecordId>>& record_ids, const domain::HealthPolicy& policy,
    const LoadSiteHealth& load, const StoreSiteHealth& store) {
    std::map<SiteId, std::vector<size_t>> by_site;
    for (size_t i = 0; i < attempts.size(); ++i) {
        if (i < record_ids.size() && record_ids[i] &&
            attempts[i].signal != domain::HealthSignal::kNone)
            by_site[attempts[i].content.site_id].push_back(i);
    }
    std::vector<SiteId> sites;
    sites.reserve(by_site.size());
    for (const auto& entry : by_site) sites.push_back(entry.first);
    if (sites.empty()) return {};

    struct Outcome {
        domain::SiteHealthState state;
        std::vector<domain::HealthChange> events;
        std::optional<TimePoint> recovered_at;
    };
    const auto fold = [&](SiteId site, const domain::SiteHealthState& start) {
        Outcome out{start, {}, std::nullopt};
        for (size_t i : by_site.at(site)) {
            const FinishedAttempt& a = attempts[i];
            const domain::HealthChange change = domain::NextHealth(
                policy, out.state, a.signal, a.signal_reason, a.record.finished_at, a.retry_after);
            out.state = change.state;
            if (change.event == domain::HealthEvent::kNone) continue;
            if (change.event == domain::HealthEvent::kRecovered)
                out.recovered_at = a.record.finished_at;
            out.events.push_back(change);
        }
        // A later failure in the same batch may have degraded it again: only a site that
        // ends healthy releases its items.
        if (out.state.health != domain::SiteHealth::kHealthy) out.recovered_at.reset();
        return out;
    };

    std::vector<SiteId> changing;
    for (const auto& [site, row] : load(sites, /*lock=*/false))
        if (fold(site, row.state).state != row.state) changing.push_back(site);
    if (changing.empty()) return {};

    std::vector<SiteHealthUpdate> updates;
    for (const auto& [site, row] : load(changing, /*lock=*/true)) {
        const Outcome out = fold(site, row.state);
        for (const domain::HealthChange& change : out.events)
            updates.push_back({site, row.account_id, row.name, change});
        if (out.state == row.state) continue;
        const bool visible = out.state.health != row.state.health ||
                             out.state.reason != row.state.reason ||
                             out.state.since != row.state.since;
        store(site, out.state, visible, out.recovered_at);
    }
    return updates;
}

void AddHealthCount(Store::SiteHealthCounts& counts, std::string_view health, int64_t n) {
    if (health == "degraded") {
        counts.degraded += n;
    } else if (health == "paused") {
        counts.paused += n;
    } else {
        counts.healthy += n;
    }
}

SiteHealthUpdate ApplyResume(SiteId site, const SiteHealthRow& row, TimePoint now,
                             const StoreSiteHealth& store) {
    const domain::HealthChange change = domain::ResumeHealth(row.state, now);
    if (change.state != row.state) {
        const bool recovered = change.event == domain::HealthEvent::kRecovered;
        store(site, change.state, recovered,
              recovered ? std::optional<TimePoint>(now) : std::nullopt);
    }
    return SiteHealthUpdate{site, row.account_id, row.name, change};
}

}  // namespace herald::storage
