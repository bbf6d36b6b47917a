#pragma once
// Domain objects → their API JSON (API.md §3). Write-only and internal fields (api_key,
// claim tokens, leases) never appear. Private to src/http/.

#include "domain/model.hpp"
#include "http/json_writer.hpp"

namespace herald::http {

void WriteSite(JsonWriter& w, const domain::Site& site);
void WriteSettings(JsonWriter& w, const domain::PublishingSettings& settings);
void WriteContent(JsonWriter& w, const domain::Content& content);
void WriteRecord(JsonWriter& w, const domain::PublishRecord& record);

}  // namespace herald::http
