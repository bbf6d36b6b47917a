// Bulk import and export of a site's content: POST /api/v1/writer/content/import/ and
// GET /api/v1/writer/content/export/. Every imported item is read and checked exactly as a
// single create (ReadContentFields, domain::ValidateContent); one bad item refuses the
// whole import, and the rest go in through one batch insert (one transaction).

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "domain/duplicates.hpp"
#include "domain/validation.hpp"
#include "http/content_import.hpp"
#include "http/csv.hpp"
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

struct ImportTarget {
    domain::Site site;
    EditorialStatus status = EditorialStatus::kDraft;
};

/// site_id (the caller's site) and status (draft or approved) from the query string.
Result<ImportTarget> ReadTarget(Call& call, bool with_status) {
    const QueryParams query(call.request.query);
    auto site_id = IntParam(query, "site_id");
    if (!site_id) return site_id.error();
    if (!*site_id)
        return Error::Invalid("required", "The query parameter 'site_id' is required.", "site_id");
    auto site = call.store().GetSite(call.account, **site_id);
    if (!site)
        return Error{ErrorKind::kNotFound, "site_not_found",
                     "No site with that id belongs to your account.", "site_id"};
    ImportTarget target{std::move(*site)};
    if (!with_status) return target;
    if (const std::string* status = query.Get("status")) {
        if (*status == "approved") {
            target.status = EditorialStatus::kApproved;
        } else if (*status != "draft") {
            return Error::Invalid("invalid_choice", "status must be draft or approved.", "status");
        }
    }
    return target;
}

/// The refusal of one item: the error body, plus "row" or "file" beside "error", and the
/// message led by where it is.
Response ItemError(const ImportError& e) {
    Error error = e.error;
    // A wrong JSON type is a 400 for a single create; in an import it is a bad row: 422.
    if (error.kind == ErrorKind::kBadRequest) error.kind = ErrorKind::kInvalid;
    if (!e.file.empty()) {
        error.message = "File '" + e.file + "': " + error.message;
    } else if (e.row > 0) {
        error.message = "Row " + std::to_string(e.row) + ": " + error.message;
    }
    Response response = ErrorResponse(error);
    response.body.pop_back();  // the closing brace of the error body
    std::string where;
    JsonWriter w(where);
    if (!e.file.empty()) {
        w.Key("file").String(e.file);
    } else {
        w.Key("row").OptInt(e.row > 0 ? std::optional<int64_t>(e.row) : std::nullopt);
    }
    response.body += ',';
    response.body += where;
    response.body += '}';
    return response;
}

/// One item's fields → a new content row of the target, as a single create reads them.
Result<Content> ReadItem(const nlohmann::json& fields, const ImportTarget& target, TimePoint now) {
    FieldReader r(fields);
    Content c;
    auto read = ReadContentFields(r, c);
    if (!read) return read.error();
    TimePoint at{};
    const bool has_time = fields.contains("scheduled_publish_at") &&
                          !fields["scheduled_publish_at"].is_null() &&
                          r.Time("scheduled_publish_at", at);
    if (r.error()) return *r.error();
    for (const char* required : {"title", "content_html"}) {
        if (!r.Has(required)) return RequiredError(required);
    }
    if (read->site_id && *read->site_id != target.site.id)
        return Error::Invalid(
            "site_mismatch", "site_id differs from the import's site_id; leave it out.", "site_id");
    // The query's status applies to every item; an item's own status is not read.
    c.account_id = target.site.account_id;
    c.site_id = target.site.id;
    c.status = target.status;
    if (c.status == EditorialStatus::kApproved) c.approved_at = now;
    if (auto valid = domain::ValidateContent(c); !valid) return valid.error();
    c.site_status = SiteStatus::kNotPublished;
    if (has_time) {
        if (c.status != EditorialStatus::kApproved)
            return Error::Invalid("not_approved",
                                  "scheduled_publish_at needs the import's status=approved.",
                                  "scheduled_publish_at");
        if (at <= now)
            return Error::Invalid("in_past", "scheduled_publish_at must be in the future.",
                                  "scheduled_publish_at");
        c.site_status = SiteStatus::kScheduled;
        c.scheduled_publish_at = at;
    }
    c.site_status_updated_at = c.created_at = c.updated_at = now;
    return c;
}

/// Each new item's duplicates among the site's items and the rest of the import.
Response ImportedResponse(Call& call, const ImportTarget& target, const std::vector<Content>& items,
                          const std::vector<ImportItem>& rows,
                          const std::vector<domain::ContentId>& ids) {
    TimePoint from = call.now;
    TimePoint to = call.now;
    for (const Content& c : items) {
        from = std::min(from, domain::DuplicateDate(c));
        to = std::max(to, domain::DuplicateDate(c));
    }
    domain::DuplicateIndex index;
    for (const auto& other : call.store().ListDuplicateCandidates(
             target.site.account_id, target.site.id, from - domain::kDuplicateWindow,
             to + domain::kDuplicateWindow)) {
        index.Add(other);
    }
    return JsonResponse(
        201,
        [&](JsonWriter& w) {
            w.BeginObject();
            w.Key("site_id").Int(target.site.id);
            w.Key("status").String(ToString(target.status));
            w.Key("imported").Int(static_cast<int64_t>(ids.size()));
            w.Key("ids").BeginArray();
            for (const auto id : ids) w.Int(id);
            w.EndArray();
            w.Key("warnings").BeginArray();
            for (size_t i = 0; i < items.size(); ++i) {
                domain::DuplicateCandidate item = domain::CandidateOf(items[i]);
                item.id = ids[i];
                for (const auto& match : index.Find(item)) {
                    w.BeginObject();
                    WriteWarningMembers(w, match);
                    w.Key("content_id").Int(ids[i]);
                    if (!rows[i].file.empty()) {
                        w.Key("file").String(rows[i].file);
                    } else {
                        w.Key("row").Int(rows[i].row);
                    }
                    w.EndObject();
                }
            }
            w.EndArray();
            w.EndObject();
        },
        256 + ids.size() * 12);
}

}  // namespace

Response ImportContent(Call& call) {
    auto format = ImportFormatOf(call.request.content_type);
    if (!format) {
        const Error& e = format.error();
        return ErrorResponse(415, e.code, e.message);
    }
    auto target = ReadTarget(call, /*with_status=*/true);
    if (!target) return ErrorResponse(target.error());
    // The server's limit for this route is the same; the in-process API (the CLI) has none.
    if (call.request.body.size() > kMaxImportBodyBytes) {
        return ErrorResponse(413, "payload_too_large",
                             "An import body holds at most " +
                                 std::to_string(kMaxImportBodyBytes >> 20) + " MiB; split it.");
    }
    ImportParse parse = ParseImport(*format, call.request.body);
    if (parse.error) return ItemError(*parse.error);

    // Site ids of the store, for the domain's item checks and the batch.
    std::vector<Content> items;
    items.reserve(parse.items.size());
    for (const ImportItem& row : parse.items) {
        auto item = ReadItem(row.fields, *target, call.now);
        if (!item) return ItemError(ImportError{item.error(), row.row, row.file});
        items.push_back(std::move(*item));
    }
    const storage::Store::BatchCreateResult written =
        call.store().CreateContentBatch(target->site.account_id, target->site.id, items);
    if (written.slot_taken) {
        const ImportItem& row = parse.items[*written.slot_taken];
        return ItemError(ImportError{
            Error::Conflict("slot_taken",
                            "Another item of this site is already scheduled at that time.",
                            "scheduled_publish_at"),
            row.row, row.file});
    }
    // Approved items go through the planner at once, as an approval does.
    if (target->status == EditorialStatus::kApproved) call.env.WakeScheduler();
    if (std::any_of(items.begin(), items.end(),
                    [](const Content& c) { return c.scheduled_publish_at.has_value(); }))
        call.env.WakeDispatcher();
    return ImportedResponse(call, *target, items, parse.items, written.ids);
}

Response ExportContent(Call& call) {
    auto target = ReadTarget(call, /*with_status=*/false);
    if (!target) return ErrorResponse(target.error());
    const QueryParams query(call.request.query);
    const std::string* format_name = query.Get("format");
    const std::string format = format_name ? *format_name : "csv";
    if (format != "csv" && format != "ndjson")
        return ErrorResponse(422, "invalid_choice", "format must be csv or ndjson.", "format");

    Response response;
    response.content_type = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson";
    std::string& out = response.body;
    if (format == "csv") {
        std::vector<std::string> header(kImportColumns.begin(), kImportColumns.end());
        AppendCsvRecord(out, header);
    }
    storage::ContentFilter filter;
    filter.account_id = call.account;
    filter.site_id = target->site.id;
    filter.page.page_size = kMaxPageSize;
    for (filter.page.page = 1;; ++filter.page.page) {
        const auto page = call.store().ListContent(filter);
        for (const Content& c : page.items) {
            // Only a live schedule is exported; a past one would not import again.
            const std::optional<TimePoint> at =
                c.site_status == SiteStatus::kScheduled ? c.scheduled_publish_at : std::nullopt;
            if (format == "csv") {
                AppendCsvRecord(out, {c.title, c.content_html, c.excerpt, c.slug, c.content_type,
                                      c.cluster_id ? std::to_string(*c.cluster_id) : "",
                                      FormatListCell(c.categories), FormatListCell(c.tags),
                                      c.featured_image_url, at ? FormatIso(*at) : ""});
                continue;
            }
            JsonWriter w(out);
            w.BeginObject();
            w.Key("id").Int(c.id);     // for reference; an import ignores it
            WriteContentFields(w, c);  // the fields an import reads back
            w.Key("scheduled_publish_at").OptTime(at);
            w.EndObject();
            out += '\n';
        }
        if (static_cast<int64_t>(filter.page.page) * kMaxPageSize >= page.count) break;
    }
    return response;
}

}  // namespace herald::http
