#pragma once
// Domain objects → their API JSON (API.md §3). Write-only and internal fields (api_key,
// claim tokens, leases) never appear. Private to src/http/.

#include <vector>

#include "domain/model.hpp"
#include "domain/unscheduled.hpp"
#include "http/json_writer.hpp"

namespace herald::http {

void WriteSite(JsonWriter& w, const domain::Site& site);
/// `warnings` (the settings answers; not for embedding elsewhere): "warnings": [{code,
/// message, field}].
void WriteSettings(JsonWriter& w, const domain::PublishingSettings& settings,
                   const std::vector<domain::UnscheduledReason>* warnings = nullptr);
/// One reason an item stays unscheduled, or a settings warning: {code, message, field}.
void WriteReason(JsonWriter& w, domain::UnscheduledReason reason);
/// The fields a writer sets (title … featured_image_url), into an open object: the content
/// answer and the ndjson export share them.
void WriteContentFields(JsonWriter& w, const domain::Content& content);
void WriteContent(JsonWriter& w, const domain::Content& content);
void WriteRecord(JsonWriter& w, const domain::PublishRecord& record);

}  // namespace herald::http
