// The log lines of the real binary: --log-format json gives one valid JSON object per line
// (ts in RFC 3339 UTC with ms, level, logger, msg) even for messages holding quotes,
// newlines and bytes that are not UTF-8; --log-level filters; both are read from
// HERALD_LOG_FORMAT / HERALD_LOG_LEVEL too; bad values are refused before anything starts;
// no credential reaches a log line.

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/backends.hpp"
#include "support/http_test_client.hpp"
#include "support/process.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::testing {
namespace {

using nlohmann::json;

/// herald with `env` ("NAME=value") set for it alone.
CommandResult Herald(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
    args.insert(args.begin(), HeraldBinary());
    if (!env.empty()) {
        args.insert(args.begin(), env.begin(), env.end());
        args.insert(args.begin(), "/usr/bin/env");
    }
    return RunCommand(args);
}

/// Every non-empty line of `text`, each parsed; a line that is not a JSON object fails.
std::vector<json> JsonLines(const std::string& text) {
    std::vector<json> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        json parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
        EXPECT_TRUE(parsed.is_object()) << "not a JSON object: " << line;
        if (parsed.is_object()) lines.push_back(std::move(parsed));
    }
    return lines;
}

class LoggingTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        db_ = std::make_unique<BackendDatabase>(GetParam());
        serve_ = StartServe(db_->url(), {"--role", "api"});
        // A name no log line can carry as it is: a quote and a newline.
        const auto created = Herald({"accounts", "create", kAccountName, "--db", db_->url()});
        ASSERT_EQ(created.exit_code, 0) << created.err;
        client_ = std::make_unique<HttpTestClient>("127.0.0.1", serve_.port);
        client_->SetApiKey(created.LastLine());
        const HttpResult site = client_->Post("/api/v1/sites/", {{"name", "Hooks"},
                                                                 {"platform_type", "custom"},
                                                                 {"domain", receiver_.Url()},
                                                                 {"api_key", receiver_.secret()}});
        ASSERT_EQ(site.status, 201) << site.body;
        site_ = site.json["id"];
    }

    int64_t InReview(const std::string& title) {
        const HttpResult content =
            client_->Post("/api/v1/writer/content/", {{"site_id", site_},
                                                      {"title", title},
                                                      {"content_html", "<p>x</p>"},
                                                      {"status", "review"}});
        EXPECT_EQ(content.status, 201) << content.body;
        return content.json.value("id", int64_t{0});
    }

    static constexpr const char* kAccountName = "o\"dd\nname";
    std::unique_ptr<BackendDatabase> db_;
    ServeProcess serve_;
    std::unique_ptr<HttpTestClient> client_;
    WebhookReceiver receiver_;
    int64_t site_ = 0;
};

TEST_P(LoggingTest, JsonLinesStayValidForAnyMessage) {
    const std::string title = "She said \"hi\"\nand left\t\\";
    const int64_t id = InReview(title);
    const auto approved = Herald(
        {"content", "approve", std::to_string(id), "--db", db_->url(), "--log-format", "json"});
    ASSERT_EQ(approved.exit_code, 0) << approved.err;
    const auto lines = JsonLines(approved.err);
    ASSERT_FALSE(lines.empty()) << approved.err;
    bool found = false;
    const std::regex rfc3339(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
    for (const auto& line : lines) {
        ASSERT_TRUE(line["ts"].is_string()) << line;
        EXPECT_TRUE(std::regex_match(line["ts"].get<std::string>(), rfc3339)) << line;
        EXPECT_TRUE(line["level"].is_string()) << line;
        EXPECT_EQ(line["logger"], "herald");
        const std::string msg = line.value("msg", "");
        if (msg.find(title) != std::string::npos) {
            found = true;
            EXPECT_EQ(line["level"], "info");
            EXPECT_NE(msg.find(kAccountName), std::string::npos) << msg;
        }
    }
    EXPECT_TRUE(found) << approved.err;

    // Bytes that are not UTF-8 (argv takes any; no database stores them) reach the failure
    // line, which stays valid JSON: they become U+FFFD.
    const auto refused =
        Herald({"serve", "--role", "gh\"o\nst\xff", "--db", db_->url(), "--log-format", "json"});
    EXPECT_NE(refused.exit_code, 0);
    const auto error_lines = JsonLines(refused.err);
    ASSERT_EQ(error_lines.size(), 1u) << refused.err;
    EXPECT_EQ(error_lines[0]["level"], "error");
    EXPECT_NE(error_lines[0].value("msg", "").find("gh\"o\nst\xEF\xBF\xBD"), std::string::npos)
        << refused.err;
}

TEST_P(LoggingTest, FormatAndLevelFromTheEnvironment) {
    const int64_t id = InReview("From env");
    const auto json_env = Herald({"content", "approve", std::to_string(id), "--db", db_->url()},
                                 {"HERALD_LOG_FORMAT=json", "HERALD_LOG_LEVEL=info"});
    ASSERT_EQ(json_env.exit_code, 0) << json_env.err;
    EXPECT_FALSE(JsonLines(json_env.err).empty()) << json_env.err;

    // Text by default; warn and off hide the info line.
    const auto text = Herald({"content", "approve", std::to_string(id), "--db", db_->url()});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.err.find("[info]"), std::string::npos) << text.err;
    EXPECT_NE(text.err.front(), '{');
    const auto quiet = Herald({"content", "approve", std::to_string(id), "--db", db_->url()},
                              {"HERALD_LOG_LEVEL=warn"});
    ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
    EXPECT_TRUE(quiet.err.empty()) << quiet.err;
    const auto off = Herald(
        {"content", "approve", std::to_string(id), "--db", db_->url(), "--log-level", "off"});
    ASSERT_EQ(off.exit_code, 0) << off.err;
    EXPECT_TRUE(off.err.empty()) << off.err;
}

TEST_P(LoggingTest, BadValuesAreRefusedBeforeAnythingStarts) {
    const std::string fresh = "sqlite:" + db_->dir().File("never.db");
    const auto flag = Herald({"migrate", "--db", fresh, "--log-format", "xml"});
    EXPECT_NE(flag.exit_code, 0);
    EXPECT_NE(flag.err.find("--log-format"), std::string::npos) << flag.err;
    const auto env = Herald({"migrate", "--db", fresh}, {"HERALD_LOG_LEVEL=loud"});
    EXPECT_NE(env.exit_code, 0);
    EXPECT_NE(env.err.find("--log-level"), std::string::npos) << env.err;
    EXPECT_TRUE(flag.out.empty() && env.out.empty());
    EXPECT_FALSE(std::filesystem::exists(db_->dir().File("never.db")));
    // Before the subcommand too.
    const auto early = Herald({"--log-level", "verbose", "migrate", "--db", fresh});
    EXPECT_NE(early.exit_code, 0);
    EXPECT_FALSE(std::filesystem::exists(db_->dir().File("never.db")));
}

TEST_P(LoggingTest, NoCredentialInTheLogs) {
    const HttpResult content = client_->Post(
        "/api/v1/writer/content/",
        {{"site_id", site_}, {"title", "Now"}, {"content_html", "<p/>"}, {"status", "approved"}});
    ASSERT_EQ(content.status, 201) << content.body;
    ReceiverReply refuse;
    refuse.status = 500;
    refuse.body = "nope";
    receiver_.SetDefaultReply(refuse);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"sites", "test-connection", std::to_string(site_)},
             {"content", "publish", std::to_string(content.json["id"].get<int64_t>())}}) {
        auto full = args;
        full.insert(full.end(),
                    {"--db", db_->url(), "--log-format", "json", "--log-level", "trace"});
        const auto run = Herald(full);
        EXPECT_NE(run.exit_code, 0) << run.out;  // the target refused
        // The failure itself is a JSON line too, so stderr stays parseable.
        const auto lines = JsonLines(run.err);
        ASSERT_FALSE(lines.empty()) << run.err;
        EXPECT_EQ(lines.back()["level"], "error") << run.err;
        EXPECT_EQ(run.err.find(receiver_.secret()), std::string::npos) << run.err;
    }
}

HERALD_ON_EVERY_BACKEND(LoggingTest);

}  // namespace
}  // namespace herald::testing
