// The adapters this build ships, one per platform, all sharing one HTTP client.

#include "publishers/ghost/ghost_publisher.hpp"
#include "publishers/publisher.hpp"
#include "publishers/shopify/shopify_publisher.hpp"
#include "publishers/webhook/webhook_publisher.hpp"
#include "publishers/wordpress/wordpress_publisher.hpp"

namespace herald::publishers {

PublisherRegistry MakeDefaultPublishers(HttpClient& http) {
    PublisherRegistry registry;
    registry.Register(domain::Platform::kCustom, webhook::MakeWebhookPublisher(http));
    registry.Register(domain::Platform::kWordPress, wordpress::MakeWordPressPublisher(http));
    registry.Register(domain::Platform::kShopify, shopify::MakeShopifyPublisher(http));
    registry.Register(domain::Platform::kGhost, ghost::MakeGhostPublisher(http));
    return registry;
}

}  // namespace herald::publishers
