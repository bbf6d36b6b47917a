// The Shopify adapter against the documented fake (tests/support/shopify_fake.*): Shopify
// cannot run locally. The recorded shapes in tests/testdata/shopify/ pin what both follow.

#include "publishers/shopify/shopify_publisher.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "platforms/platform_env.hpp"
#include "publishers/shopify/shopify_payload.hpp"
#include "support/shopify_fake.hpp"

namespace herald::publishers::shopify {
namespace {

using nlohmann::json;
using platforms_test::Json;
using testing::ShopifyFake;

json TestData(const std::string& name) {
    const auto path =
        std::filesystem::path(__FILE__).parent_path().parent_path() / "testdata/shopify" / name;
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    json j = json::parse(text.str(), nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "cannot read " << path;
    return j;
}

/// Every key of `recorded` (recursively, objects only) is in `actual`.
void ExpectSameShape(const json& recorded, const json& actual, const std::string& where = "") {
    if (!recorded.is_object()) return;
    ASSERT_TRUE(actual.is_object()) << where;
    for (const auto& [key, value] : recorded.items()) {
        ASSERT_TRUE(actual.contains(key)) << where << "/" << key << " missing";
        if (value.is_object() && !actual[key].is_null())
            ExpectSameShape(value, actual[key], where + "/" + key);
    }
}

class ShopifyTest : public ::testing::Test {
protected:
    ShopifyTest() : http_(MakeCurlHttpClient()), publisher_(MakeShopifyPublisher(*http_)) {
        site_.id = 5;
        site_.platform_type = domain::Platform::kShopify;
        site_.domain = fake_.Url();
        site_.api_key = fake_.token();
        content_.title = "Spring Collection";
        content_.content_html = "<p>New arrivals.</p>";
        content_.excerpt = "What is new";
        content_.slug = "spring-collection";
        content_.categories = {"Lookbook"};
        content_.tags = {"spring", "Lookbook", "sale"};
        content_.featured_image_url = "https://images.example.com/spring.png";
    }
    PublishResult Publish(const std::string& publication_id = "pub-1") {
        return publisher_->Publish(PublishRequest{site_, content_, publication_id});
    }

    ShopifyFake fake_;
    HttpClientPtr http_;
    PublisherPtr publisher_;
    domain::Site site_;
    domain::Content content_;
};

TEST_F(ShopifyTest, CreatesAnArticleInTheFirstBlog) {
    const PublishResult r = Publish();
    ASSERT_EQ(r.outcome, PublishOutcome::kPublished) << r.error;
    EXPECT_EQ(r.http_status, 201);
    const auto articles = fake_.Articles();
    ASSERT_EQ(articles.size(), 1u);
    const auto& a = articles[0];
    EXPECT_EQ(r.external_id, std::to_string(a.id));
    EXPECT_EQ(r.external_url, fake_.Url() + "/blogs/news/spring-collection");
    EXPECT_EQ(a.blog_id, fake_.FirstBlogId());
    EXPECT_EQ(a.title, "Spring Collection");
    EXPECT_EQ(a.handle, "spring-collection");
    EXPECT_EQ(a.tags, "Lookbook, spring, sale");  // categories first, no duplicates
    EXPECT_EQ(a.summary_html, "What is new");
    EXPECT_FALSE(a.image_src.empty());
    EXPECT_TRUE(a.published);
    EXPECT_FALSE(a.published_at.empty());
    EXPECT_EQ(a.body_html.rfind("<p>New arrivals.</p>", 0), 0u);

    // The request matches the documented create-article shape.
    const auto exchanges = fake_.Exchanges();
    const auto& create = exchanges.back();
    EXPECT_EQ(create.method, "POST");
    EXPECT_EQ(create.target,
              "/admin/api/2024-10/blogs/" + std::to_string(a.blog_id) + "/articles.json");
    ExpectSameShape(TestData("create_article.request.json"), Json(create.request_body));
    ExpectSameShape(TestData("create_article.response.json"), Json(create.response_body));
}

TEST_F(ShopifyTest, UsesTheConfiguredBlog) {
    const int64_t blog = fake_.AddBlog("Press", "press");
    site_.options_json = R"({"blog_id": )" + std::to_string(blog) + "}";
    const PublishResult r = Publish();
    ASSERT_EQ(r.outcome, PublishOutcome::kPublished) << r.error;
    EXPECT_EQ(fake_.Articles()[0].blog_id, blog);
    EXPECT_EQ(r.external_url, fake_.Url() + "/blogs/press/spring-collection");

    site_.options_json = R"({"blog_id": 424242})";
    const PublishResult missing = Publish("pub-2");
    EXPECT_EQ(missing.outcome, PublishOutcome::kPermanent);
    EXPECT_NE(missing.error.find("no blog with id 424242"), std::string::npos) << missing.error;
}

TEST_F(ShopifyTest, RepublishUpdatesTheSameArticle) {
    const PublishResult first = Publish();
    ASSERT_EQ(first.outcome, PublishOutcome::kPublished) << first.error;
    content_.external_id = first.external_id;
    content_.title = "Spring Collection, updated";
    const PublishResult second = Publish("pub-2");
    ASSERT_EQ(second.outcome, PublishOutcome::kPublished) << second.error;
    EXPECT_EQ(second.external_id, first.external_id);
    ASSERT_EQ(fake_.Articles().size(), 1u);
    EXPECT_EQ(fake_.Articles()[0].title, "Spring Collection, updated");
    EXPECT_EQ(fake_.Exchanges().back().method, "PUT");
    ExpectSameShape(TestData("update_article.request.json"),
                    Json(fake_.Exchanges().back().request_body));
}

TEST_F(ShopifyTest, InterruptedPublishIsAdoptedByHandle) {
    const PublishResult first = Publish("pub-lost");
    ASSERT_EQ(first.outcome, PublishOutcome::kPublished) << first.error;
    // herald never saw that answer: the retry comes without external_id.
    const PublishResult retry = Publish("pub-lost");
    ASSERT_EQ(retry.outcome, PublishOutcome::kPublished) << retry.error;
    EXPECT_EQ(retry.external_id, first.external_id);
    EXPECT_EQ(fake_.Articles().size(), 1u);
}

TEST_F(ShopifyTest, SomeoneElsesHandleIsNotAdoptedButReported) {
    ShopifyFake::Article theirs;
    theirs.blog_id = fake_.FirstBlogId();
    theirs.title = "Spring Collection";
    theirs.handle = "spring-collection";
    theirs.body_html = "<p>Made by hand in the Shopify admin</p>";
    fake_.AddArticle(theirs);
    const PublishResult r = Publish();
    EXPECT_EQ(r.outcome, PublishOutcome::kPermanent);
    EXPECT_EQ(r.http_status, 422);
    EXPECT_NE(r.error.find("already uses the handle"), std::string::npos) << r.error;
    EXPECT_EQ(fake_.Articles()[0].body_html, "<p>Made by hand in the Shopify admin</p>");
    ExpectSameShape(TestData("error_422_handle_taken.json"),
                    Json(fake_.Exchanges().back().response_body));
}

TEST_F(ShopifyTest, ThrottledCallIsTransientWithRetryAfter) {
    fake_.ThrottleNext(1, "2.0");
    const PublishResult r = Publish();
    EXPECT_EQ(r.outcome, PublishOutcome::kTransient);
    EXPECT_EQ(r.http_status, 429);
    ASSERT_TRUE(r.retry_after);
    EXPECT_EQ(*r.retry_after, std::chrono::seconds{2});
    EXPECT_NE(r.error.find("rate limiting"), std::string::npos) << r.error;
    EXPECT_EQ(fake_.Articles().size(), 0u);
    // The next try goes through.
    EXPECT_EQ(Publish().outcome, PublishOutcome::kPublished);
}

TEST_F(ShopifyTest, NearlyFullBucketMakesHeraldWaitInsteadOfOverflowing) {
    ShopifyPublisherOptions options;
    options.high_water = 0.5;  // wait once 20 of 40 are used
    auto patient = MakeShopifyPublisher(*http_, options);
    fake_.FillBucket(29);  // the first call sees 30/40 in the header
    const auto started = std::chrono::steady_clock::now();
    const PublishResult r = patient->Publish(PublishRequest{site_, content_, "pub-1"});
    ASSERT_EQ(r.outcome, PublishOutcome::kPublished) << r.error;
    const auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_GT(waited, std::chrono::seconds{5});  // drained from 40 towards 20 at 2 calls/s
    for (const auto& e : fake_.Exchanges()) EXPECT_NE(e.status, 429) << e.target;
}

TEST_F(ShopifyTest, InvalidTokenIsPermanentAndSaysSo) {
    site_.api_key = "shpat_wrong";
    const PublishResult r = Publish();
    EXPECT_EQ(r.outcome, PublishOutcome::kSiteRefused);
    EXPECT_EQ(r.http_status, 401);
    EXPECT_NE(r.error.find("rejected the access token"), std::string::npos) << r.error;
    ExpectSameShape(TestData("error_401_invalid_token.json"),
                    Json(fake_.Exchanges().back().response_body));
    const ConnectionCheck check = publisher_->TestConnection(site_);
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.message.find("rejected the access token"), std::string::npos);
}

TEST_F(ShopifyTest, ConnectionCheckNamesShopBlogAndMissingScope) {
    ConnectionCheck check = publisher_->TestConnection(site_);
    EXPECT_TRUE(check.ok) << check.message;
    EXPECT_NE(check.message.find("Herald Test Shop"), std::string::npos) << check.message;
    EXPECT_NE(check.message.find("News"), std::string::npos) << check.message;
    fake_.SetScopes({"read_content"});
    check = publisher_->TestConnection(site_);
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.message.find("write_content"), std::string::npos) << check.message;
    const PublishResult r = Publish();
    EXPECT_EQ(r.outcome, PublishOutcome::kSiteRefused);
    EXPECT_EQ(r.http_status, 403);
    EXPECT_NE(r.error.find("write_content"), std::string::npos) << r.error;
}

TEST(ShopifyPayloadTest, OptionsAndHeaders) {
    EXPECT_EQ(*ParseShopifyOptions(R"({"blog_id": "123"})")->blog_id, 123);
    EXPECT_FALSE(ParseShopifyOptions(R"({"blog_id": "abc"})"));
    EXPECT_FALSE(ParseShopifyOptions(R"({"published": "yes"})"));
    EXPECT_TRUE(ValidateShopifyOptions("{}").ok());
    EXPECT_EQ(ParseCallLimit("32/40")->used, 32);
    EXPECT_FALSE(ParseCallLimit("junk"));
    EXPECT_EQ(*ParseShopifyRetryAfter("2.0"), std::chrono::milliseconds{2000});
    EXPECT_EQ(*ParseShopifyRetryAfter("1.5"), std::chrono::milliseconds{1500});
    EXPECT_EQ(ErrorText(R"({"errors":{"handle":["has already been taken"]}})"),
              "handle has already been taken");
}

}  // namespace
}  // namespace herald::publishers::shopify
