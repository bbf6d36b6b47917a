// Each platform's reading of a site's `options`: its own keys with their types, the delivery
// keys every platform accepts, and any other key refused by name.

#include <gtest/gtest.h>

#include "publishers/ghost/ghost_payload.hpp"
#include "publishers/ghost/ghost_publisher.hpp"
#include "publishers/shopify/shopify_payload.hpp"
#include "publishers/shopify/shopify_publisher.hpp"
#include "publishers/webhook/webhook_publisher.hpp"
#include "publishers/wordpress/wordpress_payload.hpp"
#include "publishers/wordpress/wordpress_publisher.hpp"

namespace herald::publishers {
namespace {

struct Case {
    const char* platform;
    Status (*validate)(std::string_view);
    const char* options;
    const char* refusal;  // nullptr: accepted; else part of the message
};

const Case kCases[] = {
    {"wordpress", wordpress::ValidateWordPressOptions, "", nullptr},
    {"wordpress", wordpress::ValidateWordPressOptions, "{}", nullptr},
    {"wordpress", wordpress::ValidateWordPressOptions,
     R"({"status": "private", "author": 3, "max_in_flight": 2, "rate_limit_per_minute": 6,
         "rate_limit_burst": 2, "retry_window_minutes": 60})",
     nullptr},
    {"wordpress", wordpress::ValidateWordPressOptions, R"({"status": null, "author": null})",
     nullptr},
    {"wordpress", wordpress::ValidateWordPressOptions, R"({"status": "live"})",
     "option \"status\" must be one of publish"},
    {"wordpress", wordpress::ValidateWordPressOptions, R"({"status": 1})", "\"status\""},
    {"wordpress", wordpress::ValidateWordPressOptions, R"({"author": "bob"})",
     "option \"author\" must be a WordPress user id"},
    {"wordpress", wordpress::ValidateWordPressOptions, R"({"author": 0})", "\"author\""},
    {"wordpress", wordpress::ValidateWordPressOptions, "[1]", "not a JSON object"},
    {"wordpress", wordpress::ValidateWordPressOptions, R"({"staus": "draft"})",
     "unknown key \"staus\": a WordPress site accepts status, author, max_in_flight, "
     "rate_limit_per_minute, rate_limit_burst, retry_window_minutes"},
    {"wordpress", wordpress::ValidateWordPressOptions, R"({"blog_id": 1})",
     "unknown key \"blog_id\""},

    {"shopify", shopify::ValidateShopifyOptions, "{}", nullptr},
    {"shopify", shopify::ValidateShopifyOptions,
     R"({"blog_id": 12, "published": false, "retry_window_minutes": 0})", nullptr},
    {"shopify", shopify::ValidateShopifyOptions, R"({"blog_id": "12"})", nullptr},
    {"shopify", shopify::ValidateShopifyOptions, R"({"blog_id": "abc"})",
     "option \"blog_id\" must be the numeric id of a blog"},
    {"shopify", shopify::ValidateShopifyOptions, R"({"blog_id": -4})", "\"blog_id\""},
    {"shopify", shopify::ValidateShopifyOptions, R"({"published": "yes"})",
     "option \"published\" must be true or false"},
    {"shopify", shopify::ValidateShopifyOptions, R"({"blogid": 12})",
     "unknown key \"blogid\": a Shopify site accepts blog_id, published, max_in_flight"},
    {"shopify", shopify::ValidateShopifyOptions, R"({"status": "draft"})",
     "unknown key \"status\""},

    {"ghost", ghost::ValidateGhostOptions, "{}", nullptr},
    {"ghost", ghost::ValidateGhostOptions, R"({"status": "draft", "rate_limit_burst": 3})",
     nullptr},
    {"ghost", ghost::ValidateGhostOptions, R"({"status": "publish"})",
     "option \"status\" must be \"published\" or \"draft\""},
    {"ghost", ghost::ValidateGhostOptions, R"({"status": true})", "\"status\""},
    {"ghost", ghost::ValidateGhostOptions, R"({"newsletter": "weekly"})",
     "unknown key \"newsletter\": a Ghost site accepts status, max_in_flight"},

    {"custom", webhook::ValidateWebhookOptions, "{}", nullptr},
    {"custom", webhook::ValidateWebhookOptions, R"({"max_in_flight": 4})", nullptr},
    {"custom", webhook::ValidateWebhookOptions, R"({"status": "draft"})",
     "unknown key \"status\": a custom site accepts max_in_flight, rate_limit_per_minute"},
    {"custom", webhook::ValidateWebhookOptions, "\"x\"", "not a JSON object"},
};

TEST(SiteOptionsTest, EachPlatformAcceptsItsKeysAndRefusesOthers) {
    for (const Case& c : kCases) {
        SCOPED_TRACE(std::string(c.platform) + " " + c.options);
        const Status status = c.validate(c.options);
        if (!c.refusal) {
            EXPECT_TRUE(status.ok()) << status.error().message;
            continue;
        }
        ASSERT_FALSE(status.ok());
        EXPECT_EQ(status.error().kind, ErrorKind::kInvalid);
        EXPECT_EQ(status.error().code, "invalid_options");
        EXPECT_EQ(status.error().field, "options");
        EXPECT_NE(status.error().message.find(c.refusal), std::string::npos)
            << status.error().message;
    }
}

// Publishing reads the keys it knows and ignores others: a site saved before unknown keys
// were refused keeps publishing instead of pausing.
TEST(SiteOptionsTest, ParsingReadsKnownKeysAndIgnoresOthers) {
    const auto wp = wordpress::ParseWpOptions(R"({"status": "draft", "author": 9, "x": 1})");
    ASSERT_TRUE(wp.ok());
    EXPECT_EQ(wp->status, "draft");
    EXPECT_EQ(wp->author, 9);
    EXPECT_EQ(wordpress::ParseWpOptions("")->status, "publish");

    const auto shop = shopify::ParseShopifyOptions(R"({"blog_id": "12", "published": false})");
    ASSERT_TRUE(shop.ok());
    EXPECT_EQ(shop->blog_id, 12);
    EXPECT_FALSE(shop->published);
    EXPECT_FALSE(shopify::ParseShopifyOptions(R"({"x": 1})")->blog_id);

    const auto ghost = ghost::ParseGhostOptions(R"({"status": "draft", "x": 1})");
    ASSERT_TRUE(ghost.ok());
    EXPECT_EQ(ghost->status, "draft");
    EXPECT_EQ(ghost::ParseGhostOptions(R"({"status": null})")->status, "published");
}

}  // namespace
}  // namespace herald::publishers
