// Content CRUD, list filters and the schedule / reschedule / unschedule actions.

#include <functional>
#include <optional>
#include <vector>

#include "domain/missed_slot.hpp"
#include "domain/recurrence.hpp"
#include "domain/status_machine.hpp"
#include "domain/validation.hpp"
#include "http/handlers/duplicate_warnings.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json_mapping.hpp"
#include "http/json_reader.hpp"
#include "http/query.hpp"
#include "http/request_fields.hpp"

namespace herald::http {
namespace {

using domain::Content;
using domain::EditorialStatus;
using domain::SiteStatus;

Response ContentResponse(int status, const Content& content) {
    Response response = JsonResponse(
        status, [&](JsonWriter& w) { WriteContent(w, content); },
        768 + content.content_html.size() + content.title.size());
    response.etag = ETagOf(content.version);
    return response;
}

Response SlotTaken() {
    return ErrorResponse(409, "slot_taken",
                         "Another item of this site is already scheduled at that time; pick "
                         "another time.",
                         "scheduled_at");
}

/// A change to one item: edits `next` (a copy of `stored`), and names the column groups it
/// changed, or answers the refusal (409/422) when the item's current state does not allow it.
using ContentChange =
    std::function<std::optional<Response>(Content& next, const Content& stored, unsigned& fields)>;

/// The one way the API writes content (API.md §10): read, apply `change`, write the changed
/// column groups under the version that was read. When another writer got there first, the
/// change is applied again to what it left (so edits of different fields both take effect,
/// and a move that is no longer allowed answers 409); with If-Match, a moved version is 412.
/// `on_written` runs after a successful write (wake-ups).
Response WriteContentChange(
    Call& call, const ContentChange& change,
    const std::function<void(const Content&, const Content&)>& on_written = {}) {
    const IfMatch precondition(call.request.if_match);
    return RetryLostRaces("The content", [&]() -> std::optional<Response> {
        const auto stored = call.store().GetContent(call.account, call.params[0]);
        if (!stored) return NotFoundResponse("The content");
        if (!precondition.Allows(stored->version)) return PreconditionFailed();
        Content next = *stored;
        unsigned fields = 0;
        if (auto refused = change(next, *stored, fields)) return std::move(*refused);
        next.updated_at = call.now;
        const storage::WriteResult written =
            call.store().UpdateContent(next, stored->version, fields);
        switch (written.outcome) {
            case storage::WriteOutcome::kApplied:
                next.version = written.version;
                if (on_written) on_written(*stored, next);
                return ContentResponse(200, next);
            case storage::WriteOutcome::kNotFound:
                return NotFoundResponse("The content");
            case storage::WriteOutcome::kSlotTaken:
                return SlotTaken();
            case storage::WriteOutcome::kConflict:
            case storage::WriteOutcome::kBusy:
                break;
        }
        return LostRace(precondition);  // apply the change again to what the other left
    });
}

Response SiteNotFound() {
    return ErrorResponse(404, "site_not_found", "No site with that id belongs to your account.",
                         "site_id");
}

Response Publishing() {
    return ErrorResponse(409, "content_publishing",
                         "The content is being published right now; try again in a moment.");
}

Result<domain::Site> FindSite(Call& call, int64_t site_id) {
    auto site = call.store().GetSite(call.account, site_id);
    if (!site) return Error{ErrorKind::kNotFound, "site_not_found", "", "site_id"};
    return std::move(*site);
}

/// Moves the editorial status, keeping approved_at in step.
Status MoveStatus(Content& content, EditorialStatus to, TimePoint now) {
    if (to == content.status) return Ok{};
    if (auto allowed = domain::CheckEditorialMove(content.status, to, content.site_status);
        !allowed) {
        return allowed;
    }
    content.status = to;
    content.approved_at =
        to == EditorialStatus::kApproved ? std::optional<TimePoint>(now) : std::nullopt;
    return Ok{};
}

Result<storage::ContentOrder> ParseOrdering(const QueryParams& query) {
    const std::string* text = query.Filter("ordering");
    if (!text) return storage::ContentOrder::kIdAsc;
    if (*text == "id") return storage::ContentOrder::kIdAsc;
    if (*text == "-id") return storage::ContentOrder::kIdDesc;
    if (*text == "scheduled_publish_at") return storage::ContentOrder::kScheduledAsc;
    if (*text == "-scheduled_publish_at") return storage::ContentOrder::kScheduledDesc;
    return Error::Invalid("invalid_ordering",
                          "ordering must be one of scheduled_publish_at, -scheduled_publish_at, "
                          "id or -id.",
                          "ordering");
}

Result<storage::ContentFilter> ParseFilter(Call& call) {
    const QueryParams query(call.request.query);
    storage::ContentFilter filter;
    filter.account_id = call.account;
    auto site_id = IntParam(query, "site_id");
    if (!site_id) return site_id.error();
    filter.site_id = *site_id;
    auto cluster_id = IntParam(query, "cluster_id");
    if (!cluster_id) return cluster_id.error();
    filter.cluster_id = *cluster_id;
    if (const std::string* status = query.Filter("status")) {
        filter.status = domain::ParseEditorialStatus(*status);
        if (!filter.status) {
            return Error::Invalid("invalid_choice",
                                  "status must be one of draft, review or approved.", "status");
        }
    }
    if (const std::string* site_status = query.Filter("site_status")) {
        filter.site_status = domain::ParseSiteStatus(*site_status);
        if (!filter.site_status) {
            return Error::Invalid("invalid_choice",
                                  "site_status must be one of not_published, scheduled, "
                                  "publishing, published or failed.",
                                  "site_status");
        }
    }
    if (const std::string* content_type = query.Filter("content_type")) {
        filter.content_type = *content_type;
    }
    auto after = TimeParam(query, "scheduled_after");
    if (!after) return after.error();
    filter.scheduled_after = *after;
    auto before = TimeParam(query, "scheduled_before");
    if (!before) return before.error();
    filter.scheduled_before = *before;
    // The calendar's published items are placed by published_at (not part of API.md §3).
    auto published_after = TimeParam(query, "published_after");
    if (!published_after) return published_after.error();
    filter.published_after = *published_after;
    auto published_before = TimeParam(query, "published_before");
    if (!published_before) return published_before.error();
    filter.published_before = *published_before;
    auto ordering = ParseOrdering(query);
    if (!ordering) return ordering.error();
    filter.ordering = *ordering;
    auto page = PageParams(query);
    if (!page) return page.error();
    filter.page = *page;
    return filter;
}

/// schedule / reschedule: body {"scheduled_at": T}, T strictly in the future.
Response ScheduleAction(Call& call, domain::SiteAction action) {
    if (!call.store().GetContent(call.account, call.params[0])) {
        return NotFoundResponse("The content");
    }
    auto body = ParseJsonObject(call.request.body, /*empty_ok=*/true);
    if (!body) return ErrorResponse(body.error());
    FieldReader r(*body);
    TimePoint at{};
    const bool has_time = r.Time("scheduled_at", at);
    if (r.error()) return ErrorResponse(*r.error());
    if (!has_time) return ErrorResponse(RequiredError("scheduled_at"));
    if (at <= call.now) {
        return ErrorResponse(422, "in_past", "scheduled_at must be in the future.", "scheduled_at");
    }
    std::optional<Content> written;
    Response response = WriteContentChange(
        call,
        [&](Content& content, const Content&, unsigned& fields) -> std::optional<Response> {
            auto next = domain::NextSiteStatus(content.status, content.site_status, action);
            if (!next) return ErrorResponse(next.error());
            content.site_status = *next;
            content.scheduled_publish_at = at;
            content.site_status_updated_at = call.now;
            // A new publication: fresh retry budget and webhook-id. external_id stays, so a
            // republish updates the remote post instead of creating a second one.
            content.next_attempt_at.reset();
            content.attempts = 0;
            content.last_error.clear();
            content.publication_id.clear();
            if (domain::EndsHold(domain::PersonAction::kSchedule)) content.held = false;
            fields = storage::kContentSchedule;
            return std::nullopt;
        },
        [&](const Content&, const Content& next) {
            written = next;
            call.env.WakeDispatcher();
        });
    if (written) AddWarnings(response, DuplicatesOf(call.store(), *written));
    return response;
}

}  // namespace

Response CreateContent(Call& call) {
    auto body = ParseJsonObject(call.request.body);
    if (!body) return ErrorResponse(body.error());
    FieldReader r(*body);
    Content content;
    auto fields = ReadContentFields(r, content);
    if (!fields) return ErrorResponse(fields.error());
    std::vector<Error> missing;
    for (const char* required : {"site_id", "title", "content_html"}) {
        if (!r.Has(required)) missing.push_back(RequiredError(required));
    }
    if (!missing.empty()) return ErrorResponse(missing);
    auto site = FindSite(call, *fields->site_id);
    if (!site) return SiteNotFound();
    content.account_id = call.account;
    content.site_id = site->id;
    // Creating straight into any editorial status is allowed; only later moves are checked.
    if (fields->status) {
        content.status = *fields->status;
        content.approved_at = content.status == EditorialStatus::kApproved
                                  ? std::optional<TimePoint>(call.now)
                                  : std::nullopt;
    }
    if (auto valid = domain::ValidateContent(content); !valid) {
        return ErrorResponse(valid.error());
    }
    if (content.recurrence) {
        if (auto left =
                domain::CheckRecurrenceLeft(*content.recurrence, 0, call.now, site->timezone);
            !left) {
            return ErrorResponse(left.error());
        }
    }
    content.site_status = SiteStatus::kNotPublished;
    content.site_status_updated_at = call.now;
    content.created_at = content.updated_at = call.now;
    const Content created = call.store().CreateContent(content);
    if (created.status == EditorialStatus::kApproved) call.env.WakeScheduler();
    Response response = ContentResponse(201, created);
    AddWarnings(response, DuplicatesOf(call.store(), created));
    return response;
}

Response ListContent(Call& call) {
    auto filter = ParseFilter(call);
    if (!filter) return ErrorResponse(filter.error());
    // Each row goes into the answer as the store reads it: no page of Content objects.
    return StreamedPageResponse(call.request, filter->page, [&](JsonWriter& w) {
        return call.store().VisitContentPage(*filter,
                                             [&](const Content& c) { WriteContent(w, c); });
    });
}

Response GetContent(Call& call) {
    const auto content = call.store().GetContent(call.account, call.params[0]);
    if (!content) return NotFoundResponse("The content");
    return ContentResponse(200, *content);
}

Response PatchContent(Call& call) {
    if (!call.store().GetContent(call.account, call.params[0])) {
        return NotFoundResponse("The content");
    }
    auto body = ParseJsonObject(call.request.body);
    if (!body) return ErrorResponse(body.error());
    std::optional<Content> written;
    Response response = WriteContentChange(
        call,
        [&](Content& content, const Content& stored, unsigned& fields) -> std::optional<Response> {
            FieldReader r(*body);
            auto read = ReadContentFields(r, content);
            if (!read) return ErrorResponse(read.error());
            if (auto valid = domain::ValidateContent(content); !valid) {
                return ErrorResponse(valid.error());
            }
            // Writing over an item in flight would race the dispatcher's settle.
            if (stored.site_status == SiteStatus::kPublishing) return Publishing();
            // A recurrence given anew must have an occurrence left (an unchanged one may
            // have run out: editing the title of such an item is fine).
            if (read->recurrence && content.recurrence && content.recurrence != stored.recurrence) {
                auto site = FindSite(call, stored.site_id);
                if (!site) return SiteNotFound();
                if (auto left = domain::CheckRecurrenceLeft(
                        *content.recurrence, stored.publication_count, call.now, site->timezone);
                    !left) {
                    return ErrorResponse(left.error());
                }
            }
            fields = storage::kContentText;
            if (read->site_id && *read->site_id != stored.site_id) {
                auto site = FindSite(call, *read->site_id);
                if (!site) return SiteNotFound();
                // A remote post or a booked slot belongs to the old site.
                if (stored.site_status != SiteStatus::kNotPublished ||
                    !stored.external_id.empty()) {
                    return ErrorResponse(409, "content_not_movable",
                                         "Only content that was never published or scheduled "
                                         "can move to another site.",
                                         "site_id");
                }
                content.site_id = site->id;
                fields |= storage::kContentSite;
            }
            if (read->status) {
                if (auto moved = MoveStatus(content, *read->status, call.now); !moved) {
                    return ErrorResponse(moved.error());
                }
                if (domain::EndsHold(domain::PersonAction::kSetStatus)) content.held = false;
                fields |= storage::kContentEditorial;
            }
            return std::nullopt;
        },
        [&](const Content& stored, const Content& next) {
            written = next;
            // Newly approved, or released from a hold: the slot scheduler has work.
            if (next.status == EditorialStatus::kApproved &&
                (stored.status != EditorialStatus::kApproved || (stored.held && !next.held))) {
                call.env.WakeScheduler();
            }
        });
    if (written) AddWarnings(response, DuplicatesOf(call.store(), *written));
    return response;
}

Response DeleteContent(Call& call) {
    const IfMatch precondition(call.request.if_match);
    return RetryLostRaces("The content", [&]() -> std::optional<Response> {
        const auto stored = call.store().GetContent(call.account, call.params[0]);
        if (!stored) return NotFoundResponse("The content");
        if (!precondition.Allows(stored->version)) return PreconditionFailed();
        if (auto allowed = domain::CheckDelete(stored->site_status); !allowed) {
            return ErrorResponse(allowed.error());
        }
        switch (call.store().DeleteContent(call.account, stored->id, stored->version)) {
            case storage::WriteOutcome::kApplied:
                return NoContentResponse();
            case storage::WriteOutcome::kNotFound:
                return NotFoundResponse("The content");
            default:
                return LostRace(precondition);
        }
    });
}

Response ScheduleContent(Call& call) { return ScheduleAction(call, domain::SiteAction::kSchedule); }

Response RescheduleContent(Call& call) {
    return ScheduleAction(call, domain::SiteAction::kReschedule);
}

Response UnscheduleContent(Call& call) {
    return WriteContentChange(
        call,
        [&](Content& content, const Content&, unsigned& fields) -> std::optional<Response> {
            auto next = domain::NextSiteStatus(content.status, content.site_status,
                                               domain::SiteAction::kUnschedule);
            if (!next) return ErrorResponse(next.error());
            content.site_status = *next;
            content.scheduled_publish_at.reset();
            content.next_attempt_at.reset();
            content.attempts = 0;
            content.publication_id.clear();
            content.site_status_updated_at = call.now;
            if (domain::EndsHold(domain::PersonAction::kUnschedule)) content.held = false;
            fields = storage::kContentSchedule;
            return std::nullopt;
        },
        [&](const Content&, const Content&) { call.env.WakeDispatcher(); });
}

}  // namespace herald::http
