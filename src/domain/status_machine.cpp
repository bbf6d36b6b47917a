#include "domain/status_machine.hpp"

#include <array>
#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace herald::domain {
namespace {

// The same codes the storage layer uses for the same refusals, so clients see one vocabulary.
constexpr std::string_view kIllegalTransition = "illegal_status_transition";
constexpr std::string_view kNotApproved = "not_approved";
constexpr std::string_view kAlreadyPublishing = "already_publishing";

// A set of SiteStatus values as a bit mask, so the table below reads as data.
using StatusMask = uint8_t;
constexpr StatusMask Bit(SiteStatus s) {
    return static_cast<StatusMask>(1u << static_cast<int>(s));
}
constexpr StatusMask kAnyStatus = 0x1f;
constexpr StatusMask kAnyButPublishing = kAnyStatus & ~Bit(SiteStatus::kPublishing);

struct SiteRule {
    SiteAction action;
    std::string_view name;  // as in ToString(SiteAction)
    std::string_view verb;  // "content ... before it can be <verb>"
    bool needs_approved;
    StatusMask allowed_from;
    SiteStatus to;
};

// Every legal site_status move. Indexed by SiteAction; the static_assert below keeps it so.
constexpr std::array<SiteRule, 10> kSiteRules = {{
    {SiteAction::kSchedule, "schedule", "scheduled", true, Bit(SiteStatus::kNotPublished),
     SiteStatus::kScheduled},
    {SiteAction::kReschedule, "reschedule", "rescheduled", true, kAnyButPublishing,
     SiteStatus::kScheduled},
    {SiteAction::kUnschedule, "unschedule", "unscheduled", false, Bit(SiteStatus::kScheduled),
     SiteStatus::kNotPublished},
    {SiteAction::kPublishNow, "publish_now", "published", true, kAnyButPublishing,
     SiteStatus::kPublishing},
    {SiteAction::kClaim, "claim", "claimed", false, Bit(SiteStatus::kScheduled),
     SiteStatus::kPublishing},
    {SiteAction::kSucceed, "succeed", "marked published", false, Bit(SiteStatus::kPublishing),
     SiteStatus::kPublished},
    {SiteAction::kFail, "fail", "marked failed", false, Bit(SiteStatus::kPublishing),
     SiteStatus::kFailed},
    {SiteAction::kRetryLater, "retry_later", "set to retry", false, Bit(SiteStatus::kPublishing),
     SiteStatus::kScheduled},
    {SiteAction::kLeaseExpired, "lease_expired", "released", false, Bit(SiteStatus::kPublishing),
     SiteStatus::kScheduled},
    {SiteAction::kRecur, "recur", "placed again", true, Bit(SiteStatus::kPublished),
     SiteStatus::kScheduled},
}};

constexpr bool RulesInEnumOrder() {
    for (size_t i = 0; i < kSiteRules.size(); ++i)
        if (static_cast<size_t>(kSiteRules[i].action) != i) return false;
    return true;
}
static_assert(RulesInEnumOrder(), "kSiteRules must be indexed by SiteAction");

// Editorial moves between different statuses; approved→draft is further gated on site_status.
struct EditorialRule {
    EditorialStatus from;
    EditorialStatus to;
    StatusMask allowed_site_statuses;
};
constexpr std::array<EditorialRule, 4> kEditorialRules = {{
    {EditorialStatus::kDraft, EditorialStatus::kReview, kAnyStatus},
    {EditorialStatus::kReview, EditorialStatus::kApproved, kAnyStatus},
    {EditorialStatus::kReview, EditorialStatus::kDraft, kAnyStatus},
    {EditorialStatus::kApproved, EditorialStatus::kDraft,
     Bit(SiteStatus::kNotPublished) | Bit(SiteStatus::kFailed)},
}};

// Why a site_status does not allow an action, in words for the message.
std::string StatusReason(SiteStatus from, StatusMask allowed) {
    if (from == SiteStatus::kPublishing) return "a publish call is in flight";
    if (allowed == Bit(SiteStatus::kScheduled)) return "it is not scheduled";
    if (allowed == Bit(SiteStatus::kPublishing)) return "it is not being published";
    if (allowed == Bit(SiteStatus::kPublished)) return "it has not been published";
    if (allowed == Bit(SiteStatus::kNotPublished)) {
        return from == SiteStatus::kScheduled
                   ? "it is already scheduled; reschedule it instead"
                   : "it has been published or has failed; reschedule it instead";
    }
    return "its site status does not allow it";
}

}  // namespace

std::string_view ToString(SiteAction a) { return kSiteRules[static_cast<size_t>(a)].name; }

Status CheckEditorialMove(EditorialStatus from, EditorialStatus to, SiteStatus site_status) {
    if (from == to) return Ok{};
    for (const EditorialRule& rule : kEditorialRules) {
        if (rule.from != from || rule.to != to) continue;
        if (rule.allowed_site_statuses & Bit(site_status)) return Ok{};
        return Error::Conflict(
            std::string(kIllegalTransition),
            fmt::format("content cannot move from {} back to {} while its site status is {}; "
                        "unschedule it first",
                        ToString(from), ToString(to), ToString(site_status)),
            "status");
    }
    return Error::Conflict(std::string(kIllegalTransition),
                           fmt::format("content cannot move from {} to {} (allowed: draft to "
                                       "review, review to approved or draft, approved to draft)",
                                       ToString(from), ToString(to)),
                           "status");
}

Result<SiteStatus> NextSiteStatus(EditorialStatus status, SiteStatus from, SiteAction action) {
    const SiteRule& rule = kSiteRules[static_cast<size_t>(action)];
    if (rule.needs_approved && status != EditorialStatus::kApproved) {
        return Error::Conflict(std::string(kNotApproved),
                               fmt::format("content must be approved before it can be {} "
                                           "(status is {})",
                                           rule.verb, ToString(status)),
                               "status");
    }
    if (!(rule.allowed_from & Bit(from))) {
        const std::string_view code =
            from == SiteStatus::kPublishing ? kAlreadyPublishing : kIllegalTransition;
        return Error::Conflict(
            std::string(code),
            fmt::format("content cannot be {} because {} (site status is {})", rule.verb,
                        StatusReason(from, rule.allowed_from), ToString(from)),
            "site_status");
    }
    return rule.to;
}

Status CheckDelete(SiteStatus site_status) {
    if (site_status == SiteStatus::kPublishing) {
        return Error::Conflict(std::string(kAlreadyPublishing),
                               "content cannot be deleted while a publish call is in flight "
                               "(site status is publishing)",
                               "site_status");
    }
    return Ok{};
}

}  // namespace herald::domain
