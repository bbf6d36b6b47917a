#pragma once
// The `ghost` platform (API.md §6): Ghost Admin API with a custom integration's Admin API
// key, sent as a short-lived HS256 JWT.

#include <string>
#include <string_view>

#include "publishers/http_client.hpp"
#include "publishers/publisher.hpp"

namespace herald::publishers::ghost {

struct GhostPublisherOptions {
    Milliseconds timeout = std::chrono::seconds{30};
};

/// The adapter keeps a reference to `http`, which must outlive it.
PublisherPtr MakeGhostPublisher(HttpClient& http, GhostPublisherOptions options = {});

/// Empty when `options_json` is a valid Ghost options object, else what is wrong.
std::string ValidateGhostOptions(std::string_view options_json);

}  // namespace herald::publishers::ghost
