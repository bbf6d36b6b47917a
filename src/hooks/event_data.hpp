#pragma once
// The `data` of each hook event, built in one place so every emitter sends the same shape
// (docs/event-hooks.md lists it). Each returns a JSON object as text, for EventSink::Emit.

#include <optional>
#include <string>
#include <string_view>

#include "domain/model.hpp"

namespace herald::hooks {

/// content.published / content.failed: content_id, site_id, title, status (the item's
/// site_status), external_id, external_url (null when none), error (last_error, null when
/// none), attempt, scheduled_publish_at, published_at.
std::string ContentEventData(const domain::Content& content, int attempt);

/// site.degraded / site.paused / site.recovered: site_id, name, platform_type, health
/// ("degraded", "paused", "healthy"), reason (a sentence, or null).
std::string SiteEventData(const domain::Site& site, std::string_view health,
                          std::optional<std::string_view> reason);

}  // namespace herald::hooks
