// The WordPress adapter against a real WordPress (scripts/wordpress/start.sh), plus the
// failure wording against a loopback stand-in. Real-site tests skip when none is running.

#include "publishers/wordpress/wordpress_publisher.hpp"

#include <gtest/gtest.h>

#include <set>

#include "platforms/platform_env.hpp"
#include "publishers/common/adapter_util.hpp"
#include "publishers/wordpress/wordpress_payload.hpp"
#include "support/webhook_receiver.hpp"

namespace herald::publishers::wordpress {
namespace {

using nlohmann::json;
using platforms_test::Json;
using platforms_test::RunSuffix;
using platforms_test::WpEnv;

// ---------- pure mapping ----------

TEST(WordPressPayloadTest, PostBodyCarriesFieldsAndHiddenMarker) {
    domain::Content c;
    c.title = "Hello";
    c.content_html = "<p>Body</p>";
    c.excerpt = "Short";
    c.slug = "hello-there";
    WpPostFields fields{{3, 4}, {9}, 12, "pub-1"};
    const json body = Json(BuildPostBody(c, WpOptions{}, fields));
    EXPECT_EQ(body["title"], "Hello");
    EXPECT_EQ(body["status"], "publish");
    EXPECT_EQ(body["slug"], "hello-there");
    EXPECT_EQ(body["excerpt"], "Short");
    EXPECT_EQ(body["categories"], json({3, 4}));
    EXPECT_EQ(body["tags"], json({9}));
    EXPECT_EQ(body["featured_media"], 12);
    EXPECT_EQ(body["content"], "<p>Body</p>\n<!-- herald publication heraldpubpub-1 -->");
}

TEST(WordPressPayloadTest, OptionsAreValidated) {
    EXPECT_EQ(ParseWpOptions("{}")->status, "publish");
    EXPECT_EQ(ParseWpOptions(R"({"status":"draft","author":3})")->author, 3);
    EXPECT_FALSE(ParseWpOptions(R"({"status":"live"})"));
    EXPECT_FALSE(ParseWpOptions(R"({"author":"bob"})"));
    EXPECT_FALSE(ParseWpOptions("[1]"));
    EXPECT_TRUE(ValidateWordPressOptions(R"({"status":"pending"})").ok());
}

TEST(WordPressPayloadTest, TermNamesCompareDecodedAndCaseInsensitive) {
    const auto terms = ParseTermList(R"([{"id":5,"name":"News &amp; Views"}])");
    ASSERT_EQ(terms.size(), 1u);
    EXPECT_TRUE(SameTermName(terms[0].name, "news & views"));
    EXPECT_EQ(ParseCreatedTermId(
                  R"({"code":"term_exists","message":"x","data":{"status":400,"term_id":17}})"),
              17);
}

// ---------- failure wording against a stand-in ----------

class WordPressStandInTest : public ::testing::Test {
protected:
    WordPressStandInTest()
        : http_(MakeCurlHttpClient()), publisher_(MakeWordPressPublisher(*http_)) {
        site_.id = 1;
        site_.platform_type = domain::Platform::kWordPress;
        site_.domain = receiver_.Url("/");
        site_.username = "editor";
        site_.api_key = "abcd efgh ijkl mnop qrst uvwx";
        content_.title = "T";
        content_.content_html = "<p>x</p>";
    }
    PublishResult Publish() { return publisher_->Publish(PublishRequest{site_, content_, ""}); }

    testing::WebhookReceiver receiver_;
    HttpClientPtr http_;
    PublisherPtr publisher_;
    domain::Site site_;
    domain::Content content_;
};

TEST_F(WordPressStandInTest, HtmlInsteadOfJsonNamesSecurityPluginOrDomain) {
    testing::ReceiverReply reply;
    reply.body = "<!DOCTYPE html><html><body>Blocked</body></html>";
    reply.headers = {{"Content-Type", "text/html"}};
    receiver_.SetDefaultReply(reply);
    const PublishResult r = Publish();
    EXPECT_EQ(r.outcome, PublishOutcome::kPermanent);
    EXPECT_NE(r.error.find("HTML page instead of JSON"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("security plugin"), std::string::npos) << r.error;
    const ConnectionCheck check = publisher_->TestConnection(site_);
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.message.find("HTML page"), std::string::npos) << check.message;
}

TEST_F(WordPressStandInTest, MissingRouteSaysRestApiDisabled) {
    testing::ReceiverReply reply;
    reply.status = 404;
    reply.body = R"({"code":"rest_no_route","message":"No route was found","data":{"status":404}})";
    receiver_.SetDefaultReply(reply);
    const PublishResult r = Publish();
    EXPECT_EQ(r.outcome, PublishOutcome::kPermanent);
    EXPECT_NE(r.error.find("REST API is disabled"), std::string::npos) << r.error;
}

TEST_F(WordPressStandInTest, ServerErrorsAndRateLimitsAreTransient) {
    testing::ReceiverReply reply;
    reply.status = 503;
    reply.body = "{}";
    reply.retry_after = "7";
    receiver_.SetDefaultReply(reply);
    const PublishResult r = Publish();
    EXPECT_EQ(r.outcome, PublishOutcome::kTransient);
    ASSERT_TRUE(r.retry_after);
    EXPECT_EQ(*r.retry_after, std::chrono::seconds{7});
}

TEST_F(WordPressStandInTest, UnreachableSiteIsTransient) {
    site_.domain = "http://127.0.0.1:1";
    const PublishResult r = Publish();
    EXPECT_EQ(r.outcome, PublishOutcome::kTransient);
    EXPECT_NE(r.error.find("could not reach WordPress"), std::string::npos) << r.error;
}

TEST_F(WordPressStandInTest, MissingSettingsFailWithoutCalling) {
    site_.username.clear();
    EXPECT_EQ(Publish().outcome, PublishOutcome::kSiteRefused);
    EXPECT_EQ(receiver_.RequestCount(), 0u);
}

// ---------- the real WordPress ----------

class WordPressRealTest : public ::testing::Test {
protected:
    void SetUp() override {
        url_ = WpEnv("HERALD_WP_URL");
        if (url_.empty() || !platforms_test::Answers(*http_, url_ + "/wp-json/"))
            GTEST_SKIP() << "no WordPress running (start one with scripts/wordpress/start.sh, "
                            "or set HERALD_WP_URL, HERALD_WP_USER, HERALD_WP_APP_PASSWORD)";
        site_.id = 100;
        site_.platform_type = domain::Platform::kWordPress;
        site_.domain = url_;
        site_.username = WpEnv("HERALD_WP_USER");
        site_.api_key = WpEnv("HERALD_WP_APP_PASSWORD");

        image_.SetDefaultReply([] {
            testing::ReceiverReply reply;
            reply.body = platforms_test::TinyPng();
            reply.headers = {{"Content-Type", "image/png"}};
            return reply;
        }());

        content_.id = 1;
        content_.title = "Herald real test " + RunSuffix() + " " + Name();
        content_.content_html = "<p>Published by herald's platform tests.</p>";
        content_.excerpt = "An excerpt from herald";
        content_.slug = "herald-" + RunSuffix() + "-" + Name();
        content_.categories = {"Herald News " + RunSuffix(), "Uncategorized"};
        content_.tags = {"herald-a-" + RunSuffix(), "herald-b-" + RunSuffix()};
    }

    static std::string Name() {
        std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        return common::Slugify(name);
    }

    /// An authenticated GET of a REST path, as JSON.
    json Get(const std::string& path) {
        HttpRequest request;
        request.url = url_ + "/wp-json/" + path;
        request.headers = {
            {"Authorization", "Basic " + common::Base64(site_.username + ":" + site_.api_key)}};
        const HttpResponse r = http_->Send(request);
        EXPECT_EQ(r.status, 200) << path << ": " << r.body.substr(0, 300);
        return Json(r.body);
    }

    PublishResult Publish(const std::string& publication_id) {
        return publisher_->Publish(PublishRequest{site_, content_, publication_id});
    }

    std::string pub_id(const std::string& tag) { return "pub-" + RunSuffix() + "-" + tag; }

    HttpClientPtr http_ = MakeCurlHttpClient();
    PublisherPtr publisher_ = MakeWordPressPublisher(*http_);
    testing::WebhookReceiver image_;
    std::string url_;
    domain::Site site_;
    domain::Content content_;
};

TEST_F(WordPressRealTest, ConnectionCheckSignsInAndSeesPublishPosts) {
    const ConnectionCheck check = publisher_->TestConnection(site_);
    EXPECT_TRUE(check.ok) << check.message;
    EXPECT_NE(check.message.find("administrator"), std::string::npos) << check.message;
}

TEST_F(WordPressRealTest, PublishesWithCategoriesTagsAndFeaturedImage) {
    content_.featured_image_url = image_.Url("/images/cover.png");
    const PublishResult r = Publish(pub_id("full"));
    ASSERT_EQ(r.outcome, PublishOutcome::kPublished) << r.error;
    ASSERT_FALSE(r.external_id.empty());
    EXPECT_NE(r.external_url.find(content_.slug), std::string::npos) << r.external_url;

    // Read it back through the REST API.
    const json post = Get("wp/v2/posts/" + r.external_id + "?context=edit");
    EXPECT_EQ(post["title"]["raw"], content_.title);
    EXPECT_EQ(post["status"], "publish");
    EXPECT_EQ(post["slug"], content_.slug);
    EXPECT_EQ(post["excerpt"]["raw"], content_.excerpt);
    std::set<std::string> categories;
    for (const auto& id : post["categories"])
        categories.insert(Get("wp/v2/categories/" + id.dump())["name"].get<std::string>());
    EXPECT_EQ(categories, (std::set<std::string>{"Herald News " + RunSuffix(), "Uncategorized"}));
    std::set<std::string> tags;
    for (const auto& id : post["tags"])
        tags.insert(Get("wp/v2/tags/" + id.dump())["name"].get<std::string>());
    EXPECT_EQ(tags, (std::set<std::string>(content_.tags.begin(), content_.tags.end())));
    ASSERT_GT(post["featured_media"].get<int64_t>(), 0);
    const json media = Get("wp/v2/media/" + post["featured_media"].dump());
    EXPECT_EQ(media["mime_type"], "image/png");
    const std::string image_url = media["source_url"].get<std::string>();
    EXPECT_EQ(image_.RequestCount(), 1u);

    // The image WordPress stored is the one herald downloaded.
    HttpRequest get_image;
    get_image.url = image_url;
    EXPECT_EQ(http_->Send(get_image).body, platforms_test::TinyPng());

    // And the public page shows title, category, tags and image.
    HttpRequest page_request;
    page_request.url = r.external_url;
    const HttpResponse page = http_->Send(page_request);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find(content_.title), std::string::npos);
    EXPECT_NE(page.body.find("Herald News " + RunSuffix()), std::string::npos);
    EXPECT_NE(page.body.find(content_.tags[0]), std::string::npos);
    EXPECT_NE(page.body.find(image_url.substr(url_.size())), std::string::npos)
        << "featured image " << image_url << " not on the page";

    // A second post with the same names reuses the terms and the uploaded image.
    content_.slug += "-again";
    const PublishResult second = Publish(pub_id("full-again"));
    ASSERT_EQ(second.outcome, PublishOutcome::kPublished) << second.error;
    const json post2 = Get("wp/v2/posts/" + second.external_id + "?context=edit");
    EXPECT_EQ(post2["categories"], post["categories"]);
    EXPECT_EQ(post2["featured_media"], post["featured_media"]);
    EXPECT_EQ(image_.RequestCount(), 1u);
}

TEST_F(WordPressRealTest, RepublishUpdatesTheSamePost) {
    const PublishResult first = Publish(pub_id("re-1"));
    ASSERT_EQ(first.outcome, PublishOutcome::kPublished) << first.error;
    content_.external_id = first.external_id;
    content_.title += " (edited)";
    content_.tags.push_back("herald-c-" + RunSuffix());
    const PublishResult second = Publish(pub_id("re-2"));
    ASSERT_EQ(second.outcome, PublishOutcome::kPublished) << second.error;
    EXPECT_EQ(second.external_id, first.external_id);
    const json post = Get("wp/v2/posts/" + first.external_id + "?context=edit");
    EXPECT_EQ(post["title"]["raw"], content_.title);
    EXPECT_EQ(post["tags"].size(), 3u);
    const json same_slug = Get("wp/v2/posts?slug=" + content_.slug +
                               "&status=" + "publish,draft,pending,private,future&context=edit");
    EXPECT_EQ(same_slug.size(), 1u);
}

TEST_F(WordPressRealTest, InterruptedPublishIsAdoptedNotRepeated) {
    // The first publish created the post, but herald never recorded the answer: the retry
    // of the same publication comes with no external_id.
    const std::string publication = pub_id("lost-answer");
    const PublishResult first = Publish(publication);
    ASSERT_EQ(first.outcome, PublishOutcome::kPublished) << first.error;
    content_.title += " (retried)";
    const PublishResult retry = Publish(publication);
    ASSERT_EQ(retry.outcome, PublishOutcome::kPublished) << retry.error;
    EXPECT_EQ(retry.external_id, first.external_id);
    const json posts = Get("wp/v2/posts?search=" + MarkerWord(common::MarkerToken(publication)) +
                           "&status=publish,draft,pending,private,future&context=edit");
    EXPECT_EQ(posts.size(), 1u);
    EXPECT_EQ(Get("wp/v2/posts/" + first.external_id + "?context=edit")["title"]["raw"],
              content_.title);

    // Even with the adapter's caches gone (a restarted herald).
    auto fresh = MakeWordPressPublisher(*http_);
    const PublishResult after_restart =
        fresh->Publish(PublishRequest{site_, content_, publication});
    EXPECT_EQ(after_restart.external_id, first.external_id);
}

TEST_F(WordPressRealTest, WrongApplicationPasswordIsAClearPermanentFailure) {
    site_.api_key = "aaaa bbbb cccc dddd eeee ffff";
    const PublishResult r = Publish(pub_id("wrong-password"));
    EXPECT_EQ(r.outcome, PublishOutcome::kSiteRefused);
    EXPECT_EQ(r.http_status, 401);
    EXPECT_NE(r.error.find("did not accept the username"), std::string::npos) << r.error;
    const ConnectionCheck check = publisher_->TestConnection(site_);
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.message.find("did not accept the username"), std::string::npos)
        << check.message;
}

TEST_F(WordPressRealTest, ContributorWithoutPublishPostsIsRefusedClearly) {
    site_.id = 101;
    site_.username = WpEnv("HERALD_WP_CONTRIBUTOR_USER");
    site_.api_key = WpEnv("HERALD_WP_CONTRIBUTOR_APP_PASSWORD");
    if (site_.username.empty()) GTEST_SKIP() << "no contributor user in the WordPress env file";
    content_.categories.clear();  // contributors may assign existing terms only
    content_.tags.clear();
    const ConnectionCheck check = publisher_->TestConnection(site_);
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.message.find("publish_posts"), std::string::npos) << check.message;
    const PublishResult r = Publish(pub_id("contributor"));
    EXPECT_EQ(r.outcome, PublishOutcome::kSiteRefused);
    EXPECT_EQ(r.http_status, 403);
    EXPECT_NE(r.error.find("not allowed to publish posts"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace herald::publishers::wordpress
