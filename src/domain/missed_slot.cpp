#include "domain/missed_slot.hpp"

#include <fmt/format.h>

#include "domain/status_machine.hpp"

namespace herald::domain {
namespace {

// "47 minutes", "3 h 5 min": a sentence for a site owner, not a duration format.
std::string Describe(Milliseconds late) {
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(late).count();
    if (minutes < 120) return fmt::format("{} minutes", minutes);
    return fmt::format("{} h {} min", minutes / 60, minutes % 60);
}

}  // namespace

std::string_view ToString(MissedSlotAction a) {
    switch (a) {
        case MissedSlotAction::kPublish:
            return "publish";
        case MissedSlotAction::kNextFreeSlot:
            return "next_free_slot";
        case MissedSlotAction::kHold:
            return "hold";
    }
    return "publish";
}

MissedSlotDecision DecideMissedSlot(const PublishingSettings& settings, TimePoint scheduled_at,
                                    TimePoint reached_at, bool first_reach, bool pinned) {
    MissedSlotDecision d;
    d.lateness = std::max(Milliseconds{0}, reached_at - scheduled_at);
    if (!first_reach || d.lateness <= kMissedSlotGrace) return d;

    const std::string missed =
        fmt::format("Missed its slot {} by {}", FormatIso(scheduled_at), Describe(d.lateness));
    const MissedSlotPolicy policy = settings.missed_slot_policy;
    const bool moves = policy == MissedSlotPolicy::kNextFreeSlot ||
                       (policy == MissedSlotPolicy::kPublishLate &&
                        d.lateness > std::chrono::minutes{settings.max_lateness_minutes});
    if (pinned && moves) {
        // Pinned means the scheduler never moves it: a person picks its new time.
        d.action = MissedSlotAction::kHold;
        d.reason = fmt::format(
            "{}; held for a person to decide, since it is pinned (missed_slot_policy {}): "
            "schedule it again",
            missed, ToString(policy));
        return d;
    }
    switch (policy) {
        case MissedSlotPolicy::kPublishLate:
            if (d.lateness <= std::chrono::minutes{settings.max_lateness_minutes}) {
                d.reason = missed + "; published late (missed_slot_policy publish_late)";
                return d;
            }
            d.action = MissedSlotAction::kNextFreeSlot;
            d.reason =
                fmt::format("{}, more than max_lateness_minutes ({}); moved to the next free slot",
                            missed, settings.max_lateness_minutes);
            return d;
        case MissedSlotPolicy::kNextFreeSlot:
            d.action = MissedSlotAction::kNextFreeSlot;
            d.reason = missed + "; moved to the next free slot (missed_slot_policy next_free_slot)";
            return d;
        case MissedSlotPolicy::kHold:
            d.action = MissedSlotAction::kHold;
            d.reason = missed +
                       "; held for a person to decide (missed_slot_policy hold): schedule it "
                       "again";
            return d;
    }
    return d;
}

Content GiveBackMissed(const Content& claimed, const MissedSlotDecision& decision, TimePoint now) {
    Content c = claimed;
    // A claimed item is `publishing`, so the move is legal; if the rules ever disagree, the
    // item still leaves `publishing` rather than stay stuck.
    const auto next = NextSiteStatus(c.status, c.site_status, SiteAction::kMissedSlot);
    c.site_status = next ? *next : SiteStatus::kNotPublished;
    c.site_status_updated_at = now;
    c.updated_at = now;
    c.scheduled_publish_at.reset();
    c.next_attempt_at.reset();
    c.attempts = 0;  // nothing was sent: the next publication starts afresh
    c.publication_id.clear();
    c.claim_token.clear();
    c.lease_until.reset();
    c.last_error = decision.reason;
    c.held = decision.action == MissedSlotAction::kHold;
    return c;
}

bool EndsHold(PersonAction action) {
    switch (action) {
        case PersonAction::kSchedule:
        case PersonAction::kUnschedule:
        case PersonAction::kPublishNow:
        case PersonAction::kSetStatus:
            return true;
        case PersonAction::kEditFields:
            return false;  // fixing a typo is not a decision about when it goes out
    }
    return false;
}

}  // namespace herald::domain
