// `herald sites list` and `herald sites test-connection`: the API's answers, run locally.

#include <iostream>
#include <string>

#include <spdlog/spdlog.h>

#include "app/cli_api.hpp"

namespace herald::app {
namespace {

struct SitesState {
    DbFlags db;
    std::string account;
    int64_t site_id = 0;
    bool json = false;
};

int ListSites(const SitesState& s) {
    ApiSession session(s.db);
    const domain::Account account = ResolveAccount(session.store(), s.account);
    nlohmann::json results = nlohmann::json::array();
    for (auto& site : session.ListAll(account.id, "/api/v1/sites/", ""))
        results.push_back(WithAccount(std::move(site), account));
    if (s.json) {
        // The API's page, every page in one.
        PrintJson({{"count", results.size()},
                   {"next", nullptr},
                   {"previous", nullptr},
                   {"results", results}});
        return 0;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& site : results)
        rows.push_back({Cell(site["id"]), account.name, Cell(site["name"]),
                        Cell(site["platform_type"]), Cell(site["domain"]),
                        site.value("is_active", false) ? "yes" : "no", Cell(site["health"])});
    PrintTable({"id", "account", "name", "platform", "domain", "active", "health"}, rows);
    return 0;
}

int TestConnection(const SitesState& s) {
    ApiSession session(s.db);
    const auto owner = SiteOwner(session.store(), s.site_id);
    if (!owner) throw UsageError("there is no site with id " + std::to_string(s.site_id));
    const auto answer = session.Call(
        owner->id, "POST", "/api/v1/sites/" + std::to_string(s.site_id) + "/test-connection/");
    spdlog::info("test-connection of site {} (account {} '{}'): HTTP {}", s.site_id, owner->id,
                 owner->name, answer.status);
    if (!answer.ok()) return ReportFailure(answer, s.json);
    const nlohmann::json body = ParseBody(answer.body);
    if (s.json) {
        PrintJson(WithAccount(body, *owner));
        return 0;
    }
    std::cout << "site " << s.site_id << " of account '" << owner->name << "': connection ok"
              << (body.value("message", "").empty() ? "" : " (" + body.value("message", "") + ")")
              << std::endl;
    return 0;
}

}  // namespace

void AddSiteCommands(CLI::App& app, Commands& commands) {
    auto s = std::make_shared<SitesState>();
    auto* sites = app.add_subcommand("sites", "an account's sites, as the API shows them");
    sites->require_subcommand(1);

    auto* list = sites->add_subcommand("list", "list the sites of an account");
    AddDbFlags(list, s->db);
    list->add_option("--account", s->account, "the account's id or name")->required();
    list->add_flag("--json", s->json, "the API's JSON (each site with its account)");
    commands.emplace_back(list, [s] { return ListSites(*s); });

    auto* test = sites->add_subcommand("test-connection",
                                       "check that the site's platform accepts its credential");
    AddDbFlags(test, s->db);
    test->add_option("SITE_ID", s->site_id, "the site's id")->required();
    test->add_flag("--json", s->json, "the API's JSON answer");
    commands.emplace_back(test, [s] { return TestConnection(*s); });
}

}  // namespace herald::app
