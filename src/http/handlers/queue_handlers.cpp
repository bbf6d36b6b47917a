// The queue operations of API.md §9: rebalance, shuffle and move-to-top, each with
// ?dry_run=true. One plan (domain::PlanQueue) serves the dry run and the real run; the store
// runs it inside the transaction that holds the site and writes it whole or not at all.

#include <map>
#include <random>
#include <string>
#include <vector>

#include "domain/queue_plan.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"
#include "http/query.hpp"

namespace herald::http {
namespace {

using domain::QueueOperation;

// JavaScript clients read JSON numbers as doubles: a seed stays below 2^53 to survive them.
constexpr int64_t kMaxSeed = (int64_t{1} << 53) - 1;

std::string_view NameOf(QueueOperation op) {
    switch (op) {
        case QueueOperation::kRebalance:
            return "rebalance";
        case QueueOperation::kShuffle:
            return "shuffle";
        case QueueOperation::kMoveToTop:
            return "move_to_top";
    }
    return "rebalance";
}

Result<bool> DryRunParam(const QueryParams& query) {
    const std::string* value = query.Get("dry_run");
    if (!value || *value == "false" || *value == "0") return false;
    if (*value == "true" || *value == "1") return true;
    return Error::Invalid("invalid_choice", "dry_run must be true or false.", "dry_run");
}

struct QueueCall {
    QueueOperation operation = QueueOperation::kRebalance;
    domain::SiteId site = 0;
    domain::ContentId target = 0;  // move-to-top
    std::optional<uint64_t> seed;  // shuffle
    bool dry_run = false;
};

Response Answer(const QueueCall& q, const std::vector<domain::QueueMove>& moves,
                const std::map<domain::ContentId, std::string>& titles) {
    return JsonResponse(
        200,
        [&](JsonWriter& w) {
            int64_t unscheduled = 0;
            for (const auto& m : moves) unscheduled += m.to ? 0 : 1;
            w.BeginObject();
            w.Key("operation").String(NameOf(q.operation));
            w.Key("site_id").Int(q.site);
            w.Key("dry_run").Bool(q.dry_run);
            w.Key("seed");
            if (q.seed) {
                w.Int(static_cast<int64_t>(*q.seed));
            } else {
                w.Null();
            }
            w.Key("moved").Int(static_cast<int64_t>(moves.size()) - unscheduled);
            w.Key("unscheduled").Int(unscheduled);
            w.Key("moves").BeginArray();
            for (const auto& m : moves) {
                w.BeginObject();
                w.Key("content_id").Int(m.id);
                const auto title = titles.find(m.id);
                w.Key("title").String(title == titles.end() ? std::string() : title->second);
                w.Key("old_scheduled_publish_at").Time(m.from);
                w.Key("new_scheduled_publish_at").OptTime(m.to);
                w.EndObject();
            }
            w.EndArray();
            w.EndObject();
        },
        256 + moves.size() * 160);
}

/// Plans and (unless a dry run) writes the operation; an item that changed between the read
/// and the write makes the round start again on what the other writer left. With If-Match,
/// the version named is the site's (rebalance, shuffle) or the item's (move-to-top).
Response RunQueue(Call& call, const QueueCall& q) {
    const IfMatch precondition(call.request.if_match);
    std::map<domain::ContentId, std::string> titles;
    return RetryLostRaces("The queue", [&]() -> std::optional<Response> {
        bool precondition_failed = false;
        const storage::QueuePlanner plan =
            [&](const storage::QueueInput& in) -> Result<std::vector<domain::QueueMove>> {
            std::optional<int64_t> version = in.site.version;
            if (q.operation == QueueOperation::kMoveToTop) {
                version.reset();
                for (const domain::Content& c : in.items)
                    if (c.id == q.target) version = c.version;
            }
            if (version && !precondition.Allows(*version)) {
                precondition_failed = true;
                return Error::Conflict("precondition_failed", "");
            }
            std::vector<domain::QueueEntry> entries;
            entries.reserve(in.items.size());
            titles.clear();
            for (const domain::Content& c : in.items) {
                entries.push_back({c.id, c.scheduled_publish_at.value_or(TimePoint{}),
                                   domain::IsMovable(c, call.now)});
                titles[c.id] = c.title;
            }
            return domain::PlanQueue(in.settings, in.site.timezone, entries, in.published,
                                     {q.operation, q.target, q.seed.value_or(0), call.now});
        };
        const storage::QueueOutcome outcome = call.store().ReplanQueue(
            {call.account, q.site, call.now, call.now - domain::kCalendarLookBack, q.dry_run},
            plan);
        switch (outcome.kind) {
            case storage::QueueOutcome::Kind::kDone:
                if (!q.dry_run && !outcome.moves.empty()) call.env.WakeDispatcher();
                return Answer(q, outcome.moves, titles);
            case storage::QueueOutcome::Kind::kNotFound:
                return q.operation == QueueOperation::kMoveToTop ? NotFoundResponse("The content")
                                                                 : NotFoundResponse("The site");
            case storage::QueueOutcome::Kind::kRefused:
                if (precondition_failed) return PreconditionFailed();
                return ErrorResponse(*outcome.error);
            case storage::QueueOutcome::Kind::kConflict:
                break;
        }
        return LostRace(precondition);
    });
}

/// dry_run, and for shuffle the seed (given, or drawn here and answered so it can be
/// replayed).
Result<QueueCall> ReadQueueCall(Call& call, QueueOperation operation) {
    const QueryParams query(call.request.query);
    QueueCall q;
    q.operation = operation;
    auto dry_run = DryRunParam(query);
    if (!dry_run) return dry_run.error();
    q.dry_run = *dry_run;
    if (operation == QueueOperation::kShuffle) {
        auto seed = IntParam(query, "seed");
        if (!seed) return seed.error();
        if (*seed && (**seed < 0 || **seed > kMaxSeed)) {
            return Error::Invalid("out_of_range", "seed must be between 0 and 2^53 - 1.", "seed");
        }
        if (*seed) {
            q.seed = static_cast<uint64_t>(**seed);
        } else {
            std::random_device entropy;
            q.seed = ((uint64_t{entropy()} << 32) | entropy()) & static_cast<uint64_t>(kMaxSeed);
        }
    }
    return q;
}

Response SiteQueueOperation(Call& call, QueueOperation operation) {
    auto q = ReadQueueCall(call, operation);
    if (!q) return ErrorResponse(q.error());
    q->site = call.params[0];
    return RunQueue(call, *q);
}

}  // namespace

Response RebalanceQueue(Call& call) { return SiteQueueOperation(call, QueueOperation::kRebalance); }

Response ShuffleQueue(Call& call) { return SiteQueueOperation(call, QueueOperation::kShuffle); }

Response MoveToTop(Call& call) {
    auto q = ReadQueueCall(call, QueueOperation::kMoveToTop);
    if (!q) return ErrorResponse(q.error());
    const auto item = call.store().GetContent(call.account, call.params[0]);
    if (!item) return NotFoundResponse("The content");
    // Clear refusals before the plan's own (which also covers items that change meanwhile).
    if (item->site_status != domain::SiteStatus::kScheduled) {
        return ErrorResponse(409, "not_scheduled",
                             "Only scheduled content can move to the top of the queue (site "
                             "status is " +
                                 std::string(domain::ToString(item->site_status)) + ").",
                             "site_status");
    }
    if (item->pinned) {
        return ErrorResponse(409, "pinned",
                             "The content is pinned to its time; unpin it to move it.", "pinned");
    }
    q->site = item->site_id;
    q->target = item->id;
    return RunQueue(call, *q);
}

}  // namespace herald::http
