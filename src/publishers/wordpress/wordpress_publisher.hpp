#pragma once
// The `wordpress` platform (API.md §6): WordPress core REST API with an application
// password; no plugin needed on the WordPress side.

#include <string>
#include <string_view>

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

/// Empty when `options_json` is a valid WordPress options object, else what is wrong
/// (for the API's validation of Site::options_json).
std::string ValidateWordPressOptions(std::string_view options_json);

}  // namespace herald::publishers::wordpress
