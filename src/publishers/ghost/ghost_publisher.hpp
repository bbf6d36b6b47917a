#pragma once
// The `ghost` platform (API.md §6): Ghost Admin API with a custom integration's Admin API
// key, sent as a short-lived HS256 JWT.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "publishers/http_client.hpp"
#include "publishers/publisher.hpp"

namespace herald::publishers::ghost {

struct GhostPublisherOptions {
    Milliseconds timeout = std::chrono::seconds{30};
};

/// The adapter keeps a reference to `http`, which must outlive it.
PublisherPtr MakeGhostPublisher(HttpClient& http, GhostPublisherOptions options = {});

/// The API's check of Site::options_json: "status" ("published" or "draft") and the
/// delivery options; any other key is refused.
Status ValidateGhostOptions(std::string_view options_json);
/// The settings a Ghost site cannot publish without that `site` lacks (code "required", the
/// field, the sentence the adapter pauses the site with): the API refuses such a site.
std::vector<Error> MissingGhostSettings(const domain::Site& site);

}  // namespace herald::publishers::ghost
