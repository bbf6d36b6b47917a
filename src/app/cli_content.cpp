// `herald content list|approve|schedule|publish|import`: the API's handlers run locally for the
// account that holds each item, so the CLI changes content exactly as the API does.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <spdlog/spdlog.h>

#include "app/cli_api.hpp"
#include "dispatch/slot_scheduler.hpp"
#include "http/content_import.hpp"

namespace herald::app {
namespace {

struct ContentState {
    DbFlags db;
    std::string account;
    int64_t site_id = 0;
    std::string status;
    std::string site_status;
    int64_t content_id = 0;
    std::string at;
    std::string file;
    std::string format;
    bool json = false;
};

std::string ContentPath(int64_t id, const std::string& action = "") {
    return "/api/v1/writer/content/" + std::to_string(id) + "/" + action +
           (action.empty() ? "" : "/");
}

/// The account holding the item; the CLI acts for every account.
domain::Account OwnerOf(ApiSession& session, int64_t content_id) {
    const auto owner = ContentOwner(session.store(), content_id);
    if (!owner) throw UsageError("there is no content with id " + std::to_string(content_id));
    return *owner;
}

std::vector<std::string> Row(const nlohmann::json& c, const std::string& account) {
    return {Cell(c["id"]),          account,
            Cell(c["site_id"]),     Cell(c["status"]),
            Cell(c["site_status"]), Cell(c["scheduled_publish_at"]),
            Cell(c["title"])};
}

const std::vector<std::string> kHeader = {"id",          "account",   "site", "status",
                                          "site_status", "scheduled", "title"};

/// One item's answer: the API's content JSON with its account, or a one-line summary.
int PrintItem(const nlohmann::json& content, const domain::Account& owner, bool json,
              const std::string& done) {
    if (json) {
        PrintJson(WithAccount(content, owner));
        return 0;
    }
    std::cout << done << " content " << Cell(content["id"]) << " '" << Cell(content["title"])
              << "' (account '" << owner.name << "', site " << Cell(content["site_id"])
              << "): " << Cell(content["status"]) << ", " << Cell(content["site_status"]);
    if (!content["scheduled_publish_at"].is_null())
        std::cout << " at " << Cell(content["scheduled_publish_at"]);
    std::cout << std::endl;
    return 0;
}

int List(const ContentState& s) {
    ApiSession session(s.db);
    std::vector<domain::Account> accounts;
    if (!s.account.empty()) {
        accounts.push_back(ResolveAccount(session.store(), s.account));
    } else if (s.site_id != 0) {
        const auto owner = SiteOwner(session.store(), s.site_id);
        if (!owner) throw UsageError("there is no site with id " + std::to_string(s.site_id));
        accounts.push_back(*owner);
    } else {
        accounts = session.store().ListAccounts();
    }
    std::string query;
    auto add = [&query](const std::string& key, const std::string& value) {
        if (value.empty()) return;
        query += (query.empty() ? "" : "&") + key + "=" + QueryValue(value);
    };
    add("site_id", s.site_id != 0 ? std::to_string(s.site_id) : "");
    add("status", s.status);
    add("site_status", s.site_status);
    nlohmann::json results = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& account : accounts) {
        for (auto& item : session.ListAll(account.id, "/api/v1/writer/content/", query)) {
            rows.push_back(Row(item, account.name));
            results.push_back(WithAccount(std::move(item), account));
        }
    }
    if (s.json) {
        PrintJson({{"count", results.size()},
                   {"next", nullptr},
                   {"previous", nullptr},
                   {"results", results}});
    } else {
        PrintTable(kHeader, rows);
    }
    return 0;
}

int Approve(const ContentState& s) {
    ApiSession session(s.db);
    const domain::Account owner = OwnerOf(session, s.content_id);
    const auto answer =
        session.Call(owner.id, "PATCH", ContentPath(s.content_id), "", R"({"status":"approved"})");
    if (!answer.ok()) return ReportFailure(answer, s.json);
    const nlohmann::json content = ParseBody(answer.body);
    spdlog::info("content {} '{}' of account {} '{}' approved from the command line", s.content_id,
                 content.value("title", ""), owner.id, owner.name);
    return PrintItem(content, owner, s.json, "approved");
}

/// Without --at: the earliest free slot of the item's site, by the slot calculator the
/// scheduler and the API's schedule-approved use.
int ScheduleIntoSlot(ApiSession& session, const ContentState& s, const domain::Account& owner) {
    const auto stored = session.store().GetContent(owner.id, s.content_id);
    if (!stored) throw UsageError("there is no content with id " + std::to_string(s.content_id));
    bool in_queue = false;
    const auto outcome = dispatch::ScheduleOne(session.store(), stored->site_id, s.content_id,
                                               session.Now(), /*by_person=*/true, in_queue);
    if (outcome.skipped)
        throw UsageError("site " + std::to_string(stored->site_id) +
                         " is inactive; activate it before scheduling content");
    if (outcome.error) throw UsageError(outcome.error->message);
    if (!in_queue)
        throw UsageError("content " + std::to_string(s.content_id) + " is " +
                         std::string(domain::ToString(stored->status)) + " and " +
                         std::string(domain::ToString(stored->site_status)) +
                         ": only approved content that is neither published nor scheduled "
                         "takes a free slot (or pass --at)");
    if (outcome.assignments.empty())
        throw UsageError("site " + std::to_string(stored->site_id) +
                         " has no free slot for it within " +
                         std::to_string(domain::kSlotHorizonDays) + " days");
    const auto answer = session.Call(owner.id, "GET", ContentPath(s.content_id));
    if (!answer.ok()) return ReportFailure(answer, s.json);
    return PrintItem(ParseBody(answer.body), owner, s.json, "scheduled");
}

int Schedule(const ContentState& s) {
    if (!s.at.empty() && !ParseIso(s.at))
        throw UsageError("--at must be an RFC 3339 time with an offset, e.g. 2026-01-20T14:00:00Z");
    ApiSession session(s.db);
    const domain::Account owner = OwnerOf(session, s.content_id);
    int code = 0;
    if (s.at.empty()) {
        code = ScheduleIntoSlot(session, s, owner);
    } else {
        const nlohmann::json body = {{"scheduled_at", s.at}};
        const auto answer =
            session.Call(owner.id, "POST", ContentPath(s.content_id, "schedule"), "", body.dump());
        if (!answer.ok()) return ReportFailure(answer, s.json);
        code = PrintItem(ParseBody(answer.body), owner, s.json, "scheduled");
    }
    spdlog::info("content {} of account {} '{}' scheduled from the command line", s.content_id,
                 owner.id, owner.name);
    return code;
}

int Publish(const ContentState& s) {
    ApiSession session(s.db);
    const domain::Account owner = OwnerOf(session, s.content_id);
    const nlohmann::json request = {{"content_id", s.content_id}};
    const auto answer =
        session.Call(owner.id, "POST", "/api/v1/publisher/publish/", "", request.dump());
    spdlog::info("publish-now of content {} (account {} '{}'): HTTP {}", s.content_id, owner.id,
                 owner.name, answer.status);
    if (!answer.ok()) return ReportFailure(answer, s.json);
    const nlohmann::json body = ParseBody(answer.body);
    if (s.json) {
        PrintJson(WithAccount(body, owner));
        return 0;
    }
    std::cout << "published content " << s.content_id << " (account '" << owner.name << "') as "
              << Cell(body["external_url"]) << " (external id " << Cell(body["external_id"]) << ")"
              << std::endl;
    return 0;
}

/// The API's import of FILE into --site, for the site's account; the format from --format
/// or the file's extension.
int Import(const ContentState& s) {
    std::string name = s.format;
    if (name.empty()) {
        name = std::filesystem::path(s.file).extension().string();
        if (!name.empty()) name.erase(0, 1);
    }
    const auto format = http::ImportFormatNamed(name);
    if (!format)
        throw UsageError("cannot tell the format of '" + s.file +
                         "': name it .csv, .ndjson, .md or .zip, or pass --format");
    std::ifstream in(s.file, std::ios::binary);
    if (!in) throw UsageError("cannot read '" + s.file + "'");
    std::ostringstream data;
    data << in.rdbuf();
    const std::string body = std::move(data).str();
    ApiSession session(s.db);
    const auto owner = SiteOwner(session.store(), s.site_id);
    if (!owner) throw UsageError("there is no site with id " + std::to_string(s.site_id));
    const std::string query = "site_id=" + std::to_string(s.site_id) +
                              (s.status.empty() ? "" : "&status=" + QueryValue(s.status));
    const auto answer = session.Call(owner->id, "POST", "/api/v1/writer/content/import/", query,
                                     body, http::ContentTypeOf(*format));
    if (!answer.ok()) return ReportFailure(answer, s.json);
    const nlohmann::json result = ParseBody(answer.body);
    spdlog::info("{} items imported into site {} of account {} '{}' from the command line",
                 result.value("imported", 0), s.site_id, owner->id, owner->name);
    if (s.json) {
        PrintJson(WithAccount(result, *owner));
        return 0;
    }
    std::cout << "imported " << result.value("imported", 0) << " items into site " << s.site_id
              << " (account '" << owner->name << "') as " << result.value("status", "")
              << std::endl;
    for (const auto& warning : result["warnings"]) {
        const std::string where =
            warning.contains("file") ? Cell(warning["file"]) : "row " + Cell(warning["row"]);
        std::cout << "warning: " << where << " (content " << Cell(warning["content_id"])
                  << "): " << warning.value("message", "") << std::endl;
    }
    return 0;
}

}  // namespace

void AddContentCommands(CLI::App& app, Commands& commands) {
    auto s = std::make_shared<ContentState>();
    auto* content = app.add_subcommand("content", "content of every account, as the API shows it");
    content->require_subcommand(1);

    auto* list = content->add_subcommand("list", "list content (every account unless narrowed)");
    AddDbFlags(list, s->db);
    list->add_option("--account", s->account, "only this account (id or name)");
    list->add_option("--site", s->site_id, "only this site's content")->check(CLI::PositiveNumber);
    list->add_option("--status", s->status, "editorial status")
        ->check(CLI::IsMember({"draft", "review", "approved"}));
    list->add_option("--site-status", s->site_status, "publishing status")
        ->check(CLI::IsMember({"not_published", "scheduled", "publishing", "published", "failed"}));
    list->add_flag("--json", s->json, "the API's JSON (each item with its account)");
    commands.emplace_back(list, [s] { return List(*s); });

    auto* approve = content->add_subcommand("approve", "approve content (editorial status)");
    AddDbFlags(approve, s->db);
    approve->add_option("ID", s->content_id, "the content's id")->required();
    approve->add_flag("--json", s->json, "the API's JSON");
    commands.emplace_back(approve, [s] { return Approve(*s); });

    auto* schedule = content->add_subcommand(
        "schedule", "schedule approved content at --at, or into its site's next free slot");
    AddDbFlags(schedule, s->db);
    schedule->add_option("ID", s->content_id, "the content's id")->required();
    schedule->add_option("--at", s->at, "RFC 3339 time in the future");
    schedule->add_flag("--json", s->json, "the API's JSON");
    commands.emplace_back(schedule, [s] { return Schedule(*s); });

    auto* publish = content->add_subcommand(
        "publish", "publish approved content now (one attempt, through the dispatcher's pipeline)");
    AddDbFlags(publish, s->db);
    publish->add_option("ID", s->content_id, "the content's id")->required();
    publish->add_flag("--json", s->json, "the API's JSON");
    commands.emplace_back(publish, [s] { return Publish(*s); });

    auto* import = content->add_subcommand(
        "import",
        "import a CSV, JSON lines, Markdown or zip-of-Markdown file into a site, all "
        "or nothing (the API's import)");
    AddDbFlags(import, s->db);
    import->add_option("FILE", s->file, "the file to import")->required();
    import->add_option("--site", s->site_id, "the site to import into")
        ->required()
        ->check(CLI::PositiveNumber);
    import->add_option("--status", s->status, "status of every imported item (default draft)")
        ->check(CLI::IsMember({"draft", "approved"}));
    import->add_option("--format", s->format, "csv, ndjson, md or zip (default: from FILE's name)")
        ->check(CLI::IsMember({"csv", "ndjson", "jsonl", "md", "markdown", "zip"}));
    import->add_flag("--json", s->json, "the API's JSON");
    commands.emplace_back(import, [s] { return Import(*s); });
}

}  // namespace herald::app
