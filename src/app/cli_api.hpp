#pragma once
// What the sites and content commands share: the API's handlers run in-process over the
// store (http::LocalApi, so the CLI writes and answers exactly as the API does) and the
// output helpers for --json and text tables.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/cli.hpp"
#include "http/local_api.hpp"

namespace herald::app {

/// One command's store, publishers and API, built the way serve builds them (event hooks
/// of publish-now go to the outbox, sent by whichever herald serves the hooks).
class ApiSession {
public:
    explicit ApiSession(const DbFlags& db);
    ~ApiSession();

    storage::Store& store();
    TimePoint Now() const;
    http::LocalApi::Answer Call(domain::AccountId account, std::string_view method,
                                std::string_view path, std::string_view query = {},
                                std::string_view body = {}, std::string_view content_type = {});
    /// Every item of a paginated GET (all pages). @throws UsageError with the API's message.
    std::vector<nlohmann::json> ListAll(domain::AccountId account, const std::string& path,
                                        const std::string& query);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The API's body parsed (a body that is not JSON becomes {}).
nlohmann::json ParseBody(const std::string& body);
/// The item as the API shows it, plus "account": {"id", "name"} (the CLI spans accounts).
nlohmann::json WithAccount(nlohmann::json item, const domain::Account& account);
/// One JSON document on stdout; bytes that are not UTF-8 become U+FFFD.
void PrintJson(const nlohmann::json& value);
/// A refused call: the API's message on stderr (and with --json its error body on stdout).
/// @returns the exit code, 1.
int ReportFailure(const http::LocalApi::Answer& answer, bool json);
/// Columns padded to their widest cell.
void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);
/// A JSON cell for a table: strings bare, null as "-".
std::string Cell(const nlohmann::json& value);
/// A string as one percent-encoded query value.
std::string QueryValue(std::string_view text);

}  // namespace herald::app
