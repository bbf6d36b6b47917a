#include "app/cli_api.hpp"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "app/hook_events.hpp"
#include "app/logging.hpp"
#include "hooks/deliverer.hpp"
#include "publishers/http_client.hpp"
#include "publishers/publisher.hpp"

namespace herald::app {

struct ApiSession::Impl {
    explicit Impl(const DbFlags& db)
        : store(db.Open()),
          http_client(publishers::MakeCurlHttpClient({})),
          registry(publishers::MakeDefaultPublishers(*http_client)),
          hook_deliverer(*store, *http_client, clock),
          hook_events(*store, hook_deliverer),
          api(http::AppContext{*store, clock, registry, nullptr, nullptr, &hook_events}) {}

    storage::StorePtr store;
    SystemTimeSource clock;
    publishers::HttpClientPtr http_client;
    publishers::PublisherRegistry registry;
    hooks::HookDeliverer hook_deliverer;  // never started: events wait in the outbox
    HookEvents hook_events;
    http::LocalApi api;  // last: its publish-now dispatcher uses everything above
};

ApiSession::ApiSession(const DbFlags& db) : impl_(std::make_unique<Impl>(db)) {}
ApiSession::~ApiSession() = default;

storage::Store& ApiSession::store() { return *impl_->store; }
TimePoint ApiSession::Now() const { return impl_->clock.Now(); }

http::LocalApi::Answer ApiSession::Call(domain::AccountId account, std::string_view method,
                                        std::string_view path, std::string_view query,
                                        std::string_view body, std::string_view content_type) {
    return impl_->api.Call(account, method, path, query, body, content_type);
}

std::vector<nlohmann::json> ApiSession::ListAll(domain::AccountId account, const std::string& path,
                                                const std::string& query) {
    std::vector<nlohmann::json> items;
    for (int page = 1;; ++page) {
        const std::string q =
            query + (query.empty() ? "" : "&") + "page_size=500&page=" + std::to_string(page);
        const auto answer = Call(account, "GET", path, q);
        nlohmann::json body = ParseBody(answer.body);
        if (!answer.ok()) {
            throw UsageError(body["error"].value("message", "the listing was refused"));
        }
        for (auto& item : body["results"]) items.push_back(std::move(item));
        if (body["next"].is_null()) return items;
    }
}

nlohmann::json ParseBody(const std::string& body) {
    nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    return parsed.is_discarded() ? nlohmann::json::object() : parsed;
}

nlohmann::json WithAccount(nlohmann::json item, const domain::Account& account) {
    item["account"] = {{"id", account.id}, {"name", account.name}};
    return item;
}

void PrintJson(const nlohmann::json& value) {
    std::cout << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

int ReportFailure(const http::LocalApi::Answer& answer, bool json) {
    const nlohmann::json body = ParseBody(answer.body);
    if (json) PrintJson(body);
    const nlohmann::json& error = body.contains("error") ? body["error"] : body;
    std::string message = error.value("message", "the request was refused");
    if (error.contains("code") && error["code"].is_string())
        message += " (" + error["code"].get<std::string>() + ")";
    PrintError(message);
    return 1;
}

std::string Cell(const nlohmann::json& value) {
    if (value.is_null()) return "-";
    if (value.is_string()) return value.get<std::string>();
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width(header.size());
    for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
    for (const auto& row : rows)
        for (size_t i = 0; i < row.size() && i < width.size(); ++i)
            width[i] = std::max(width[i], row[i].size());
    auto print = [&](const std::vector<std::string>& row) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 2, ' ');
        }
        std::cout << line << "\n";
    };
    print(header);
    for (const auto& row : rows) print(row);
    std::cout << std::flush;
}

std::string QueryValue(std::string_view text) {
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            out += static_cast<char>(c);
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

}  // namespace herald::app
