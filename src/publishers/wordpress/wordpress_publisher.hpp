#pragma once
// The `wordpress` platform (API.md §6): WordPress core REST API with an application
// password; no plugin needed on the WordPress side.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "publishers/http_client.hpp"
#include "publishers/publisher.hpp"

namespace herald::publishers::wordpress {

struct WordPressOptions {
    Milliseconds timeout = std::chrono::seconds{30};
    Milliseconds image_timeout = std::chrono::seconds{60};
};

/// The adapter keeps a reference to `http`, which must outlive it. Category, tag and
/// image ids are cached per site inside the adapter (thread-safe).
PublisherPtr MakeWordPressPublisher(HttpClient& http, WordPressOptions options = {});

/// The API's check of Site::options_json: "status" (publish, draft, pending or private),
/// "author" (a user id) and the delivery options; any other key is refused.
Status ValidateWordPressOptions(std::string_view options_json);
/// The settings a WordPress site cannot publish without that `site` lacks (code "required", the
/// field, the sentence the adapter pauses the site with): the API refuses such a site.
std::vector<Error> MissingWordPressSettings(const domain::Site& site);

}  // namespace herald::publishers::wordpress
