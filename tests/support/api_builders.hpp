#pragma once
// Request bodies for the rows tests make through the HTTP API (sites, content), so the
// fixtures of tests/http and tests/e2e do not each spell out the same required fields.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace herald::testing {

/// POST /api/v1/sites/: a custom (webhook) site calling `endpoint`, signing with `secret`;
/// `extra` adds fields or overrides these.
inline nlohmann::json CustomSiteBody(const std::string& name, const std::string& endpoint,
                                     const std::string& secret,
                                     const nlohmann::json& extra = nlohmann::json::object()) {
    nlohmann::json body = {
        {"name", name}, {"platform_type", "custom"}, {"domain", endpoint}, {"api_key", secret}};
    if (extra.is_object()) body.update(extra);
    return body;
}

/// POST /api/v1/writer/content/: an item of `site_id`; `extra` adds fields (a "status") or
/// overrides these.
inline nlohmann::json ContentBody(int64_t site_id, const std::string& title,
                                  const std::string& html,
                                  const nlohmann::json& extra = nlohmann::json::object()) {
    nlohmann::json body = {{"site_id", site_id}, {"title", title}, {"content_html", html}};
    if (extra.is_object()) body.update(extra);
    return body;
}

}  // namespace herald::testing
