#pragma once
// The `shopify` platform (API.md §6): blog articles through the Admin REST API with a
// custom app's Admin API access token.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "publishers/http_client.hpp"
#include "publishers/publisher.hpp"

namespace herald::publishers::shopify {

struct ShopifyPublisherOptions {
    Milliseconds timeout = std::chrono::seconds{30};
    /// The leaky bucket behind X-Shopify-Shop-Api-Call-Limit drains this many calls per
    /// second (2 on standard plans); herald waits before a call that would go past
    /// `high_water` of the bucket, at most `max_wait` per call.
    double leak_per_second = 2.0;
    double high_water = 0.8;
    Milliseconds max_wait = std::chrono::seconds{10};
};

/// The adapter keeps a reference to `http`, which must outlive it.
PublisherPtr MakeShopifyPublisher(HttpClient& http, ShopifyPublisherOptions options = {});

/// The API's check of Site::options_json: "blog_id" (a blog's numeric id, number or
/// string), "published" (true or false) and the delivery options; any other key is refused.
Status ValidateShopifyOptions(std::string_view options_json);
/// The settings a Shopify site cannot publish without that `site` lacks (code "required", the
/// field, the sentence the adapter pauses the site with): the API refuses such a site.
std::vector<Error> MissingShopifySettings(const domain::Site& site);

}  // namespace herald::publishers::shopify
