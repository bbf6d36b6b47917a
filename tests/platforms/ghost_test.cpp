// The Ghost adapter against a real Ghost (scripts/ghost/start.sh); the JWT and payload
// mapping on their own. Real-site tests skip when no Ghost is running.

#include "publishers/ghost/ghost_publisher.hpp"

#include <ctime>

#include <gtest/gtest.h>
#include <sodium.h>

#include "platforms/platform_env.hpp"
#include "publishers/common/adapter_util.hpp"
#include "publishers/ghost/ghost_payload.hpp"

namespace herald::publishers::ghost {
namespace {

using nlohmann::json;
using platforms_test::Json;
using platforms_test::RunSuffix;

std::string GhostEnv(const std::string& name) {
    return platforms_test::EnvValue(name, "HERALD_GHOST_ENV", "/tmp/herald-ghost/env");
}

std::string FromBase64Url(const std::string& text) {
    std::string out(text.size(), '\0');
    size_t len = 0;
    EXPECT_EQ(sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                                text.data(), text.size(), nullptr, &len, nullptr,
                                sodium_base64_VARIANT_URLSAFE_NO_PADDING),
              0);
    out.resize(len);
    return out;
}

TEST(GhostPayloadTest, AdminTokenIsAnHs256JwtForTheAdminAudience) {
    std::string error;
    const auto key = ParseAdminKey("6489a3f1c2b5e2001f0a1b2c:" + std::string(64, 'a'), &error);
    ASSERT_TRUE(key) << error;
    EXPECT_EQ(key->secret.size(), 32u);
    const std::string token = MakeAdminToken(*key, 1700000000);
    const auto dot1 = token.find('.');
    const auto dot2 = token.find('.', dot1 + 1);
    const json header = Json(FromBase64Url(token.substr(0, dot1)));
    const json payload = Json(FromBase64Url(token.substr(dot1 + 1, dot2 - dot1 - 1)));
    EXPECT_EQ(header,
              (json{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", "6489a3f1c2b5e2001f0a1b2c"}}));
    EXPECT_EQ(payload, (json{{"iat", 1700000000}, {"exp", 1700000300}, {"aud", "/admin/"}}));
    // The signature is HMAC-SHA256 of "header.payload" under the decoded secret.
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    const std::string input = token.substr(0, dot2);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key->secret.data()),
                                key->secret.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(input.data()),
                                  input.size());
    crypto_auth_hmacsha256_final(&st, mac);
    EXPECT_EQ(FromBase64Url(token.substr(dot2 + 1)),
              std::string(reinterpret_cast<const char*>(mac), sizeof mac));
}

TEST(GhostPayloadTest, MalformedKeysAreExplained) {
    std::string error;
    EXPECT_FALSE(ParseAdminKey("content-api-key-without-colon", &error));
    EXPECT_NE(error.find("Content API key"), std::string::npos);
    EXPECT_FALSE(ParseAdminKey("abc:nothex!", &error));
    EXPECT_NE(error.find("not hexadecimal"), std::string::npos);
}

TEST(GhostPayloadTest, PostBodyMergesCategoriesIntoTags) {
    domain::Content c;
    c.title = "T";
    c.content_html = "<p>x</p>";
    c.categories = {"News"};
    c.tags = {"news", "Go"};
    c.excerpt = std::string(400, 'e');
    const json body = Json(BuildPostBody(c, GhostOptions{}, "p1", "t", "2024-01-01T00:00:00.000Z"));
    const json& post = body["posts"][0];
    EXPECT_EQ(post["tags"], json::parse(R"([{"name":"News"},{"name":"Go"}])"));
    EXPECT_EQ(post["custom_excerpt"].get<std::string>().size(), 300u);
    EXPECT_EQ(post["updated_at"], "2024-01-01T00:00:00.000Z");
    EXPECT_EQ(post["status"], "published");
    EXPECT_EQ(post["html"], "<p>x</p>");
    EXPECT_NE(post["codeinjection_foot"].get<std::string>().find("heraldpubp1"), std::string::npos);
}

class GhostRealTest : public ::testing::Test {
protected:
    void SetUp() override {
        url_ = GhostEnv("HERALD_GHOST_URL");
        if (url_.empty() || !platforms_test::Answers(*http_, url_ + "/ghost/api/admin/site/"))
            GTEST_SKIP() << "no Ghost running (start one with scripts/ghost/start.sh, or set "
                            "HERALD_GHOST_URL and HERALD_GHOST_ADMIN_KEY)";
        site_.id = 300;
        site_.platform_type = domain::Platform::kGhost;
        site_.domain = url_;
        site_.api_key = GhostEnv("HERALD_GHOST_ADMIN_KEY");
        const std::string name =
            common::Slugify(::testing::UnitTest::GetInstance()->current_test_info()->name());
        content_.title = "Herald Ghost test " + RunSuffix() + " " + name;
        content_.content_html = "<p>Published by <strong>herald</strong>.</p>";
        content_.excerpt = "Ghost excerpt";
        content_.slug = "herald-" + RunSuffix() + "-" + name;
        content_.categories = {"Herald News"};
        content_.tags = {"herald-" + RunSuffix()};
        content_.featured_image_url = "https://images.example.com/cover.jpg";
    }

    json GetPost(const std::string& id) {
        std::string error;
        const auto key = ParseAdminKey(site_.api_key, &error);
        HttpRequest request;
        request.url = url_ + "/ghost/api/admin/posts/" + id + "/?include=tags&formats=html";
        request.headers = {{"Authorization", "Ghost " + MakeAdminToken(*key, std::time(nullptr))},
                           {"Accept-Version", "v5.0"}};
        const HttpResponse r = http_->Send(request);
        EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
        return Json(r.body)["posts"][0];
    }

    PublishResult Publish(const std::string& publication_id) {
        return publisher_->Publish(PublishRequest{site_, content_, publication_id});
    }

    HttpClientPtr http_ = MakeCurlHttpClient();
    PublisherPtr publisher_ = MakeGhostPublisher(*http_);
    std::string url_;
    domain::Site site_;
    domain::Content content_;
};

TEST_F(GhostRealTest, ConnectionCheckAcceptsTheKey) {
    const ConnectionCheck check = publisher_->TestConnection(site_);
    EXPECT_TRUE(check.ok) << check.message;
}

TEST_F(GhostRealTest, CreatesAPostWithTagsAndFeatureImage) {
    const PublishResult r = Publish("g-" + RunSuffix() + "-create");
    ASSERT_EQ(r.outcome, PublishOutcome::kPublished) << r.error;
    EXPECT_NE(r.external_url.find(content_.slug), std::string::npos) << r.external_url;
    const json post = GetPost(r.external_id);
    EXPECT_EQ(post["title"], content_.title);
    EXPECT_EQ(post["status"], "published");
    EXPECT_EQ(post["slug"], content_.slug);
    EXPECT_EQ(post["custom_excerpt"], "Ghost excerpt");
    EXPECT_EQ(post["feature_image"], content_.featured_image_url);
    std::vector<std::string> tags;
    for (const auto& t : post["tags"]) tags.push_back(t["name"]);
    EXPECT_EQ(tags, (std::vector<std::string>{"Herald News", "herald-" + RunSuffix()}));
    EXPECT_NE(post["html"].get<std::string>().find("<strong>herald</strong>"), std::string::npos);

    HttpRequest page;
    page.url = r.external_url;
    const HttpResponse public_page = http_->Send(page);
    EXPECT_EQ(public_page.status, 200);
    EXPECT_NE(public_page.body.find(content_.title), std::string::npos);
}

TEST_F(GhostRealTest, RepublishUpdatesWithCurrentUpdatedAt) {
    const PublishResult first = Publish("g-" + RunSuffix() + "-u1");
    ASSERT_EQ(first.outcome, PublishOutcome::kPublished) << first.error;
    content_.external_id = first.external_id;
    for (int i = 1; i <= 2; ++i) {  // twice: each update needs the newest updated_at
        content_.title += " (edit " + std::to_string(i) + ")";
        const PublishResult again = Publish("g-" + RunSuffix() + "-u" + std::to_string(i + 1));
        ASSERT_EQ(again.outcome, PublishOutcome::kPublished) << again.error;
        EXPECT_EQ(again.external_id, first.external_id);
        EXPECT_EQ(GetPost(first.external_id)["title"], content_.title);
    }
}

TEST_F(GhostRealTest, InterruptedPublishIsAdoptedBySlug) {
    const std::string publication = "g-" + RunSuffix() + "-lost";
    const PublishResult first = Publish(publication);
    ASSERT_EQ(first.outcome, PublishOutcome::kPublished) << first.error;
    content_.title += " (retried)";
    const PublishResult retry = Publish(publication);
    ASSERT_EQ(retry.outcome, PublishOutcome::kPublished) << retry.error;
    EXPECT_EQ(retry.external_id, first.external_id);
    EXPECT_EQ(GetPost(first.external_id)["title"], content_.title);

    // A different publication with the same slug is someone else's post: not adopted
    // (Ghost then gives the new post a suffixed slug).
    const PublishResult other = Publish("g-" + RunSuffix() + "-other");
    ASSERT_EQ(other.outcome, PublishOutcome::kPublished) << other.error;
    EXPECT_NE(other.external_id, first.external_id);
}

TEST_F(GhostRealTest, WrongSecretIsInvalidJwt) {
    const auto colon = site_.api_key.find(':');
    site_.api_key = site_.api_key.substr(0, colon + 1) + std::string(64, '0');
    const PublishResult r = Publish("g-" + RunSuffix() + "-badkey");
    EXPECT_EQ(r.outcome, PublishOutcome::kSiteRefused);
    EXPECT_EQ(r.http_status, 401);
    EXPECT_NE(r.error.find("INVALID_JWT"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("Admin API key"), std::string::npos) << r.error;
    const ConnectionCheck check = publisher_->TestConnection(site_);
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.message.find("INVALID_JWT"), std::string::npos) << check.message;
}

}  // namespace
}  // namespace herald::publishers::ghost
