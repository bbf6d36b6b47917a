#include "domain/unscheduled.hpp"

#include <algorithm>

namespace herald::domain {

std::string_view ToString(UnscheduledReason reason) {
    switch (reason) {
        case UnscheduledReason::kSiteInactive:
            return "site_inactive";
        case UnscheduledReason::kAutoPublishOff:
            return "auto_publish_off";
        case UnscheduledReason::kNoPublishDays:
            return "no_publish_days";
        case UnscheduledReason::kNoTimeSlots:
            return "no_time_slots";
        case UnscheduledReason::kHeld:
            return "held";
        case UnscheduledReason::kLimitsFull:
            return "limits_full";
    }
    return "limits_full";
}

std::string_view Explain(UnscheduledReason reason) {
    switch (reason) {
        case UnscheduledReason::kSiteInactive:
            return "The site is inactive: activate it to schedule its content.";
        case UnscheduledReason::kAutoPublishOff:
            return "Auto-publish is off for this site: turn it on in the publishing settings, "
                   "or run the scheduler for the site by hand.";
        case UnscheduledReason::kNoPublishDays:
            return "The site has no publishing days: choose at least one in the publishing "
                   "settings.";
        case UnscheduledReason::kNoTimeSlots:
            return "The site has no publishing time slots: add at least one in the publishing "
                   "settings.";
        case UnscheduledReason::kHeld:
            return "Missed its slot and is held for a person to decide: schedule it, or publish "
                   "it now. The scheduler does not place it by itself.";
        case UnscheduledReason::kLimitsFull:
            return "No free slot within the next 366 days: every slot is taken or the daily, "
                   "weekly or monthly limit is reached. Raise a limit or add days or time "
                   "slots.";
    }
    return "";
}

std::optional<UnscheduledReason> SiteWideReason(const SitePlanFacts& site,
                                                const PublishingSettings& settings) {
    if (!site.is_active) return UnscheduledReason::kSiteInactive;
    if (site.auto_publish_required && !settings.auto_publish_enabled)
        return UnscheduledReason::kAutoPublishOff;
    if (settings.publish_days.empty()) return UnscheduledReason::kNoPublishDays;
    if (settings.publish_time_slots.empty()) return UnscheduledReason::kNoTimeSlots;
    return std::nullopt;
}

std::vector<UnscheduledItem> ExplainUnscheduled(const SitePlanFacts& site,
                                                const PublishingSettings& settings,
                                                std::span<const ContentId> queue,
                                                std::span<const SlotAssignment> assigned,
                                                std::span<const ContentId> held) {
    const UnscheduledReason reason =
        SiteWideReason(site, settings).value_or(UnscheduledReason::kLimitsFull);
    std::vector<UnscheduledItem> out;
    for (const ContentId id : queue) {
        const bool placed =
            std::any_of(assigned.begin(), assigned.end(),
                        [id](const SlotAssignment& a) { return a.content_id == id; });
        if (!placed) out.push_back({id, reason});
    }
    for (const ContentId id : held) out.push_back({id, UnscheduledReason::kHeld});
    return out;
}

std::vector<UnscheduledReason> SettingsWarnings(const PublishingSettings& settings) {
    std::vector<UnscheduledReason> out;
    if (!settings.auto_publish_enabled) return out;
    if (settings.publish_days.empty()) out.push_back(UnscheduledReason::kNoPublishDays);
    if (settings.publish_time_slots.empty()) out.push_back(UnscheduledReason::kNoTimeSlots);
    return out;
}

}  // namespace herald::domain
