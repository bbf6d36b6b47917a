// The adapters this build ships. WordPress, Shopify and Ghost come later; until then the
// dispatcher fails their items permanently with a plain "not supported yet".

#include "publishers/publisher.hpp"
#include "publishers/webhook/webhook_publisher.hpp"

namespace herald::publishers {

PublisherRegistry MakeDefaultPublishers(HttpClient& http) {
    PublisherRegistry registry;
    registry.Register(domain::Platform::kCustom, webhook::MakeWebhookPublisher(http));
    return registry;
}

}  // namespace herald::publishers
