// The scripting commands of the real binary over the store a server uses: `herald sites
// list|test-connection` and `herald content list|approve|schedule|publish`, with --json
// answers in the API's shapes (plus each item's account), text tables, and bad input
// refused on stderr with nothing changed.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "support/backends.hpp"
#include "support/http_test_client.hpp"
#include "support/process.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

CommandResult Herald(std::vector<std::string> args) {
    args.insert(args.begin(), HeraldBinary());
    return RunCommand(args);
}

json ParseOut(const CommandResult& r) {
    json parsed = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << "stdout is not JSON:\n" << r.out;
    return parsed;
}

std::string ContentPath(int64_t id) { return "/api/v1/writer/content/" + std::to_string(id) + "/"; }

/// `item` without the CLI's "account" member: what the API itself answers.
json WithoutAccount(json item) {
    item.erase("account");
    return item;
}

class CliParityTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        db_ = std::make_unique<BackendDatabase>(GetParam());
        // API only: no background scheduler may place content while the CLI does.
        serve_ = StartServe(db_->url(), {"--role", "api"});
        admin_ = std::make_unique<HttpTestClient>("127.0.0.1", serve_.port);
        admin_->SetApiKey(serve_.first_api_key);
        const auto bob = Herald({"accounts", "create", "bob", "--db", db_->url()});
        ASSERT_EQ(bob.exit_code, 0) << bob.err;
        bob_ = std::make_unique<HttpTestClient>("127.0.0.1", serve_.port);
        bob_->SetApiKey(bob.LastLine());
    }

    CommandResult Cli(std::vector<std::string> args) {
        args.push_back("--db");
        args.push_back(db_->url());
        return Herald(std::move(args));
    }

    int64_t CreateSite(HttpTestClient& client, const std::string& name, bool with_key = true) {
        json body = {{"name", name}, {"platform_type", "custom"}, {"domain", receiver_.Url()}};
        if (with_key) body["api_key"] = receiver_.secret();
        const HttpResult site = client.Post("/api/v1/sites/", body);
        EXPECT_EQ(site.status, 201) << site.body;
        return site.json.value("id", int64_t{0});
    }

    int64_t CreateContent(HttpTestClient& client, int64_t site, const std::string& title,
                          const std::string& status) {
        const HttpResult content =
            client.Post("/api/v1/writer/content/", {{"site_id", site},
                                                    {"title", title},
                                                    {"content_html", "<p>x</p>"},
                                                    {"status", status}});
        EXPECT_EQ(content.status, 201) << content.body;
        return content.json.value("id", int64_t{0});
    }

    std::unique_ptr<BackendDatabase> db_;
    ServeProcess serve_;
    std::unique_ptr<HttpTestClient> admin_;
    std::unique_ptr<HttpTestClient> bob_;
    WebhookReceiver receiver_;
};

TEST_P(CliParityTest, SitesListShowsOneAccountsSitesAsTheApiDoes) {
    const int64_t mine = CreateSite(*admin_, "Admin \"blog\"");
    CreateSite(*bob_, "Bob's shop");

    const auto listed = Cli({"sites", "list", "--account", "admin", "--json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    const json page = ParseOut(listed);
    ASSERT_EQ(page.value("count", -1), 1) << listed.out;
    ASSERT_EQ(page["results"].size(), 1u);
    EXPECT_EQ(page["results"][0]["account"]["name"], "admin");
    const HttpResult api = admin_->Get("/api/v1/sites/" + std::to_string(mine) + "/");
    EXPECT_EQ(WithoutAccount(page["results"][0]), api.json);

    // An id works as well as a name; the text table names the account.
    const json bob = ParseOut(Cli({"sites", "list", "--account", "bob", "--json"}));
    const int64_t bob_id = bob["results"][0]["account"]["id"];
    const auto text = Cli({"sites", "list", "--account", std::to_string(bob_id)});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("Bob's shop"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("bob"), std::string::npos) << text.out;
    EXPECT_EQ(text.out.find("Admin"), std::string::npos) << text.out;

    const auto unknown = Cli({"sites", "list", "--account", "nobody"});
    EXPECT_NE(unknown.exit_code, 0);
    EXPECT_NE(unknown.err.find("no account named 'nobody'"), std::string::npos) << unknown.err;
    EXPECT_TRUE(unknown.out.empty()) << unknown.out;
    const auto missing = Cli({"sites", "list"});
    EXPECT_NE(missing.exit_code, 0);
    EXPECT_NE(missing.err.find("--account"), std::string::npos) << missing.err;
}

TEST_P(CliParityTest, TestConnectionCallsTheSitesPlatform) {
    const int64_t site = CreateSite(*bob_, "Hooks");
    const auto ok = Cli({"sites", "test-connection", std::to_string(site), "--json"});
    ASSERT_EQ(ok.exit_code, 0) << ok.err;
    const json answer = ParseOut(ok);
    EXPECT_EQ(answer["ok"], true) << ok.out;
    EXPECT_EQ(answer["account"]["name"], "bob");
    EXPECT_TRUE(receiver_.WaitForRequests(1, 5s));
    EXPECT_EQ(ok.err.find(receiver_.secret()), std::string::npos);  // no credential in logs

    const auto text = Cli({"sites", "test-connection", std::to_string(site)});
    EXPECT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("account 'bob'"), std::string::npos) << text.out;

    const int64_t keyless = CreateSite(*bob_, "No key", /*with_key=*/false);
    const auto refused = Cli({"sites", "test-connection", std::to_string(keyless)});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.err.find("missing_api_key"), std::string::npos) << refused.err;
    const auto absent = Cli({"sites", "test-connection", "987654"});
    EXPECT_NE(absent.exit_code, 0);
    EXPECT_NE(absent.err.find("no site with id 987654"), std::string::npos) << absent.err;
}

TEST_P(CliParityTest, ContentListSpansAccountsAndFilters) {
    const int64_t site = CreateSite(*admin_, "Admin site");
    const int64_t bob_site = CreateSite(*bob_, "Bob site");
    const int64_t draft = CreateContent(*admin_, site, "Admin draft", "draft");
    const int64_t approved = CreateContent(*admin_, site, "Admin approved", "approved");
    const int64_t bobs = CreateContent(*bob_, bob_site, "Bob draft", "draft");

    const auto all = Cli({"content", "list", "--json"});
    ASSERT_EQ(all.exit_code, 0) << all.err;
    const json page = ParseOut(all);
    ASSERT_EQ(page.value("count", -1), 3) << all.out;
    EXPECT_EQ(page["results"][2]["id"], bobs);
    EXPECT_EQ(page["results"][2]["account"]["name"], "bob");
    EXPECT_EQ(WithoutAccount(page["results"][0]), admin_->Get(ContentPath(draft)).json);

    const json drafts = ParseOut(Cli({"content", "list", "--status", "draft", "--json"}));
    EXPECT_EQ(drafts.value("count", -1), 2);
    const json of_site =
        ParseOut(Cli({"content", "list", "--site", std::to_string(site), "--json"}));
    EXPECT_EQ(of_site.value("count", -1), 2);
    const json queued = ParseOut(Cli({"content", "list", "--site", std::to_string(site), "--status",
                                      "approved", "--site-status", "not_published", "--json"}));
    ASSERT_EQ(queued.value("count", -1), 1);
    EXPECT_EQ(queued["results"][0]["id"], approved);
    const json of_bob = ParseOut(Cli({"content", "list", "--account", "bob", "--json"}));
    EXPECT_EQ(of_bob.value("count", -1), 1);

    const auto text = Cli({"content", "list"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_EQ(text.out.rfind("id ", 0), 0u) << text.out;
    EXPECT_NE(text.out.find("Bob draft"), std::string::npos);
    EXPECT_NE(text.out.find("not_published"), std::string::npos);

    const auto bad = Cli({"content", "list", "--status", "done"});
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE(bad.err.find("--status"), std::string::npos) << bad.err;
    const auto no_site = Cli({"content", "list", "--site", "987654"});
    EXPECT_NE(no_site.exit_code, 0);
    EXPECT_NE(no_site.err.find("no site with id"), std::string::npos) << no_site.err;
}

TEST_P(CliParityTest, ApproveAndScheduleWriteAsTheApiDoes) {
    const int64_t site = CreateSite(*bob_, "Bob site");
    const int64_t id = CreateContent(*bob_, site, "Bob's post", "review");

    const auto approved = Cli({"content", "approve", std::to_string(id), "--json"});
    ASSERT_EQ(approved.exit_code, 0) << approved.err;
    const json content = ParseOut(approved);
    EXPECT_EQ(content["status"], "approved");
    EXPECT_EQ(content["account"]["name"], "bob");
    // The CLI prints the write's answer, duplicate warnings included (none here).
    EXPECT_EQ(content["warnings"], json::array());
    json shown = WithoutAccount(content);
    shown.erase("warnings");
    EXPECT_EQ(shown, bob_->Get(ContentPath(id)).json);

    // Refused input changes nothing.
    const json before = bob_->Get(ContentPath(id)).json;
    const auto bad_time = Cli({"content", "schedule", std::to_string(id), "--at", "tomorrow"});
    EXPECT_NE(bad_time.exit_code, 0);
    EXPECT_NE(bad_time.err.find("--at"), std::string::npos) << bad_time.err;
    const auto past =
        Cli({"content", "schedule", std::to_string(id), "--at", "2001-01-01T00:00:00Z"});
    EXPECT_NE(past.exit_code, 0);
    EXPECT_NE(past.err.find("in_past"), std::string::npos) << past.err;
    const int64_t draft = CreateContent(*bob_, site, "Still a draft", "draft");
    const auto skipped = Cli({"content", "approve", std::to_string(draft)});
    EXPECT_NE(skipped.exit_code, 0);  // the API's editorial rules: draft goes to review first
    EXPECT_NE(skipped.err.find("illegal_status_transition"), std::string::npos) << skipped.err;
    EXPECT_EQ(bob_->Get(ContentPath(draft)).json["status"], "draft");
    const auto absent = Cli({"content", "approve", "987654"});
    EXPECT_NE(absent.exit_code, 0);
    EXPECT_NE(absent.err.find("no content with id 987654"), std::string::npos) << absent.err;
    EXPECT_EQ(bob_->Get(ContentPath(id)).json, before);

    const std::string at = FormatIso(
        std::chrono::time_point_cast<std::chrono::seconds>(SystemTimeSource{}.Now()) + 48h);
    const auto scheduled = Cli({"content", "schedule", std::to_string(id), "--at", at, "--json"});
    ASSERT_EQ(scheduled.exit_code, 0) << scheduled.err;
    const json placed = ParseOut(scheduled);
    EXPECT_EQ(placed["site_status"], "scheduled");
    EXPECT_EQ(ParseIso(placed["scheduled_publish_at"].get<std::string>()), ParseIso(at));
    shown = WithoutAccount(placed);
    shown.erase("warnings");
    EXPECT_EQ(shown, bob_->Get(ContentPath(id)).json);
    const auto again = Cli({"content", "schedule", std::to_string(id), "--at", at});
    EXPECT_NE(again.exit_code, 0) << again.out;
}

TEST_P(CliParityTest, ScheduleWithoutTimeTakesTheNextFreeSlot) {
    const int64_t site = CreateSite(*admin_, "Slots");
    const int64_t first = CreateContent(*admin_, site, "First", "approved");
    const int64_t second = CreateContent(*admin_, site, "Second", "approved");
    const int64_t draft = CreateContent(*admin_, site, "Draft", "draft");

    // The second item jumps the queue: it was named, the first stays where it was.
    const auto placed = Cli({"content", "schedule", std::to_string(second), "--json"});
    ASSERT_EQ(placed.exit_code, 0) << placed.err;
    const json content = ParseOut(placed);
    EXPECT_EQ(content["site_status"], "scheduled");
    const auto at = ParseIso(content["scheduled_publish_at"].get<std::string>());
    ASSERT_TRUE(at.has_value());
    EXPECT_GT(*at, SystemTimeSource{}.Now());
    EXPECT_EQ(admin_->Get(ContentPath(first)).json["site_status"], "not_published");

    // The next one takes a later slot: the first is taken.
    const auto next = Cli({"content", "schedule", std::to_string(first), "--json"});
    ASSERT_EQ(next.exit_code, 0) << next.err;
    EXPECT_GT(ParseIso(ParseOut(next)["scheduled_publish_at"].get<std::string>()), at);

    const auto refused = Cli({"content", "schedule", std::to_string(draft)});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.err.find("only approved content"), std::string::npos) << refused.err;
    EXPECT_EQ(admin_->Get(ContentPath(draft)).json["site_status"], "not_published");
}

TEST_P(CliParityTest, PublishGoesThroughThePublishNowPipeline) {
    const int64_t site = CreateSite(*bob_, "Hooks");
    const int64_t id = CreateContent(*bob_, site, "Now", "approved");
    const int64_t draft = CreateContent(*bob_, site, "Not yet", "draft");

    const auto refused = Cli({"content", "publish", std::to_string(draft)});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_FALSE(refused.err.empty());
    EXPECT_EQ(receiver_.RequestCount(), 0u);

    const auto published = Cli({"content", "publish", std::to_string(id), "--json"});
    ASSERT_EQ(published.exit_code, 0) << published.err;
    const json answer = ParseOut(published);
    EXPECT_EQ(answer["success"], true) << published.out;
    EXPECT_EQ(answer["account"]["name"], "bob");
    EXPECT_EQ(answer["content"]["site_status"], "published");
    const json stored = bob_->Get(ContentPath(id)).json;
    EXPECT_EQ(answer["content"]["external_id"], stored["external_id"]);
    EXPECT_EQ(answer["content"]["published_at"], stored["published_at"]);
    EXPECT_EQ(receiver_.RequestCount(), 1u);
    // One attempt, recorded as the API's publish-now records it.
    const HttpResult records =
        bob_->Get("/api/v1/publisher/records/?content_id=" + std::to_string(id));
    EXPECT_EQ(records.json.value("count", -1), 1) << records.body;
    EXPECT_EQ(published.err.find(receiver_.secret()), std::string::npos);
}

HERALD_ON_EVERY_BACKEND(CliParityTest);

}  // namespace
}  // namespace herald::testing
