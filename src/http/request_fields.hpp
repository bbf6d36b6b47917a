#pragma once
// Request bodies → domain objects: the writable fields of a site, its publishing settings and
// a content item, read and checked the way the handlers need them. Pure (no store, no
// clock), so the handlers and the fuzz target (fuzz/json_bodies_fuzz.cpp) run the same code.
// Private to src/http/.

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/result.hpp"
#include "domain/model.hpp"

namespace herald::http {

class FieldReader;

/// Reads the writable site fields present in the body into `site`. Type errors land in the
/// reader; value errors are returned.
Status ReadSiteFields(FieldReader& r, domain::Site& site);

/// The settings the site's platform cannot publish without that it lacks (the adapters' own
/// rule, publishers/common/adapter_util RequiredSettings): all of them, code "required",
/// listed as the site's `warnings` (such a site is saved; its first call pauses it),
/// each naming its field. Custom endpoints are exempt: an unsigned or not yet configured
/// webhook is paused at its first call instead, as before.
std::vector<Error> MissingPlatformSettings(const domain::Site& site);

/// Reads the settings fields present in the body over `settings`.
Status ReadSettingsFields(const nlohmann::json& body, domain::PublishingSettings& settings);

struct ContentFields {
    std::optional<domain::EditorialStatus> status;
    std::optional<int64_t> site_id;
    bool recurrence = false;  // the body set `recurrence` (to an object or null)
};

/// Reads the writable content fields present in the body over `content`. Read-only fields
/// (id, site_status, approved_at, …) are ignored.
Result<ContentFields> ReadContentFields(FieldReader& r, domain::Content& content);

}  // namespace herald::http
