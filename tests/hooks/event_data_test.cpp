// The data of each event: the shape docs/event-hooks.md lists, valid JSON whatever the text.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hooks/deliverer.hpp"
#include "hooks/event_data.hpp"

namespace herald::hooks {
namespace {

using nlohmann::json;

TEST(EventDataTest, ContentEvents) {
    domain::Content c;
    c.id = 12;
    c.site_id = 3;
    c.title = "Hello \xff world";  // invalid UTF-8 must not throw
    c.site_status = domain::SiteStatus::kPublished;
    c.external_id = "post-9";
    c.external_url = "https://blog.example.com/hello";
    c.published_at = *ParseIso("2026-01-20T14:00:00Z");
    const json data = json::parse(ContentEventData(c, 2));
    EXPECT_EQ(data["content_id"], 12);
    EXPECT_EQ(data["site_id"], 3);
    EXPECT_EQ(data["status"], "published");
    EXPECT_EQ(data["external_id"], "post-9");
    EXPECT_EQ(data["external_url"], "https://blog.example.com/hello");
    EXPECT_TRUE(data["error"].is_null());
    EXPECT_EQ(data["attempt"], 2);
    EXPECT_EQ(data["published_at"], "2026-01-20T14:00:00Z");
    EXPECT_TRUE(data["scheduled_publish_at"].is_null());

    c.site_status = domain::SiteStatus::kFailed;
    c.external_id.clear();
    c.last_error = "the endpoint rejected the content (HTTP 400)";
    const json failed = json::parse(ContentEventData(c, 1));
    EXPECT_EQ(failed["status"], "failed");
    EXPECT_TRUE(failed["external_id"].is_null());
    EXPECT_EQ(failed["error"], "the endpoint rejected the content (HTTP 400)");
    // What Emit accepts.
    EXPECT_TRUE(HookDeliverer::EventBody("content.failed", ContentEventData(c, 1),
                                         *ParseIso("2026-01-20T14:00:00Z")));
}

TEST(EventDataTest, SiteEvents) {
    domain::Site site;
    site.id = 4;
    site.name = "Shop";
    site.platform_type = domain::Platform::kShopify;
    const json paused =
        json::parse(SiteEventData(site, "paused", "Shopify refused herald's credentials"));
    EXPECT_EQ(paused, json({{"site_id", 4},
                            {"name", "Shop"},
                            {"platform_type", "shopify"},
                            {"health", "paused"},
                            {"reason", "Shopify refused herald's credentials"}}));
    const json recovered = json::parse(SiteEventData(site, "healthy", std::nullopt));
    EXPECT_TRUE(recovered["reason"].is_null());
}

}  // namespace
}  // namespace herald::hooks
