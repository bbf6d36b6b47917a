#pragma once
// Every legal move of `status` (editorial) and `site_status` (publishing), in one place.
// Anything not listed here is refused with a reason (ErrorKind::kConflict).

#include "common/result.hpp"
#include "domain/model.hpp"

namespace herald::domain {

/// Editorial moves: draft→review→approved, review→draft, approved→draft only while
/// site_status is not_published or failed. Staying in the same status is allowed (no-op).
Status CheckEditorialMove(EditorialStatus from, EditorialStatus to, SiteStatus site_status);

/// What can happen to an item's publishing state.
enum class SiteAction {
    kSchedule,      // user/API or slot scheduler: not_published → scheduled (needs approved)
    kReschedule,    // any except publishing → scheduled (needs approved)
    kUnschedule,    // scheduled → not_published
    kPublishNow,    // any except publishing → publishing (needs approved)
    kClaim,         // dispatcher takes a due item: scheduled → publishing
    kSucceed,       // publishing → published
    kFail,          // publishing → failed
    kRetryLater,    // publishing → scheduled (transient failure, attempt left)
    kLeaseExpired,  // publishing → scheduled (a dispatcher died mid-call)
    kRecur,         // an evergreen item placed again after its publication: published →
                    // scheduled (needs approved; domain/recurrence.hpp)
};

std::string_view ToString(SiteAction a);

/// The site_status after `action`, or a conflict naming why it is not allowed: code
/// "not_approved" (field "status"), "already_publishing" (a publish call is in flight, field
/// "site_status") or "illegal_status_transition" (field "site_status").
Result<SiteStatus> NextSiteStatus(EditorialStatus status, SiteStatus from, SiteAction action);

/// Content may be deleted in any state except while a publish call is in flight.
Status CheckDelete(SiteStatus site_status);

}  // namespace herald::domain
