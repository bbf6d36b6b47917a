#include "domain/settlement.hpp"

#include <fmt/format.h>

#include "domain/status_machine.hpp"

namespace herald::domain {

std::string_view ToString(Settled s) {
    switch (s) {
        case Settled::kPublished:
            return "published";
        case Settled::kFailed:
            return "failed";
        case Settled::kRetry:
            return "retry";
        case Settled::kHeld:
            return "held";
    }
    return "failed";
}

TimePoint RetryDeadline(const Content& item, TimePoint due_at, Milliseconds retry_window) {
    return item.scheduled_publish_at.value_or(due_at) + retry_window;
}

namespace {

HealthSignal SignalOf(AttemptResult result) {
    switch (result) {
        case AttemptResult::kPublished:
            return HealthSignal::kSuccess;
        case AttemptResult::kTransient:
            return HealthSignal::kTransient;
        case AttemptResult::kCredentialsRefused:
            return HealthSignal::kCredentialsRefused;
        case AttemptResult::kRejected:
            return HealthSignal::kNone;
    }
    return HealthSignal::kNone;
}

void Fail(Content& c, PublishRecord& record, std::string error, bool keep_publication) {
    record.outcome = AttemptOutcome::kFailed;
    c.last_error = std::move(error);
    c.next_attempt_at.reset();
    c.attempts = 0;
    // Kept after a transient failure: the remote state of the last try is unknown, and a
    // republish under the same webhook-id lets a receiver spot a duplicate.
    if (!keep_publication) c.publication_id.clear();
}

}  // namespace

Settlement Settle(const Content& claimed, TimePoint due_at, const AttemptReport& report,
                  const SettlementRules& rules, double jitter_unit) {
    Settlement s;
    s.signal = SignalOf(report.result);
    Content& c = s.content;
    c = claimed;
    PublishRecord& record = s.record;
    record.content_id = c.id;
    record.site_id = c.site_id;
    record.account_id = c.account_id;
    record.attempt = c.attempts;
    record.started_at = report.started;
    record.finished_at = report.finished;
    record.http_status = report.http_status;
    record.due_at = DueTime(due_at);
    if (report.result != AttemptResult::kPublished) record.error = report.error;

    SiteAction action = SiteAction::kFail;
    switch (report.result) {
        case AttemptResult::kPublished:
            s.kind = Settled::kPublished;
            action = SiteAction::kSucceed;
            record.outcome = AttemptOutcome::kPublished;
            record.external_id = report.external_id;
            record.external_url = report.external_url;
            c.published_at = report.finished;
            c.external_id = report.external_id;
            c.external_url = report.external_url;
            c.last_error.clear();
            c.next_attempt_at.reset();
            c.attempts = 0;
            c.publication_id.clear();  // the next publish of it is a new publication
            ++c.publication_count;     // an evergreen item's count (domain/recurrence.hpp)
            break;
        case AttemptResult::kTransient: {
            if (rules.one_shot) {
                s.kind = Settled::kFailed;
                Fail(c, record, report.error, /*keep_publication=*/true);
                break;
            }
            const TimePoint deadline = RetryDeadline(claimed, due_at, rules.retry_window);
            const auto decision =
                DecideRetry(rules.retry, c.attempts, FailureKind::kTransient, report.retry_after,
                            report.finished, jitter_unit, deadline);
            if (decision.retry) {
                s.kind = Settled::kRetry;
                action = SiteAction::kRetryLater;
                record.outcome = AttemptOutcome::kRetry;
                // scheduled_publish_at stays the owner's time; only the retry time moves.
                c.next_attempt_at = decision.next_attempt_at;
                c.last_error = report.error;
            } else {
                s.kind = Settled::kFailed;
                Fail(c, record,
                     fmt::format("{} (gave up after {} attempt{})", report.error, c.attempts,
                                 c.attempts == 1 ? "" : "s"),
                     /*keep_publication=*/true);
            }
            break;
        }
        case AttemptResult::kCredentialsRefused:
            if (rules.one_shot) {
                s.kind = Settled::kFailed;
                Fail(c, record, report.error, /*keep_publication=*/false);
                break;
            }
            // The site pauses; the item waits for it, keeping its error and its one record.
            // The attempt is not counted against the item: the site, not the post, failed.
            s.kind = Settled::kHeld;
            action = SiteAction::kRetryLater;
            record.outcome = AttemptOutcome::kRetry;
            c.last_error = report.error;
            c.next_attempt_at.reset();
            break;
        case AttemptResult::kRejected:
            s.kind = Settled::kFailed;
            Fail(c, record, report.error, /*keep_publication=*/false);
            break;
    }

    const auto next = NextSiteStatus(c.status, c.site_status, action);
    // A claimed item is `publishing` and approved, so every action above is legal; if the
    // rules ever disagree, settle by the action's own target rather than leave it stuck.
    c.site_status = next                                ? *next
                    : action == SiteAction::kSucceed    ? SiteStatus::kPublished
                    : action == SiteAction::kRetryLater ? SiteStatus::kScheduled
                                                        : SiteStatus::kFailed;
    c.site_status_updated_at = report.finished;
    c.updated_at = report.finished;
    c.claim_token.clear();
    c.lease_until.reset();
    return s;
}

}  // namespace herald::domain
