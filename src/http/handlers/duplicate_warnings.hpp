#pragma once
// Duplicate warnings (domain/duplicates.hpp) as the API answers them: a write that succeeded
// carries "warnings": [{"code", "message", "field", "other_content_id"}] beside its fields.
// Private to src/http/.

#include <string>
#include <vector>

#include "domain/duplicates.hpp"
#include "http/http_types.hpp"
#include "http/json_writer.hpp"
#include "storage/store.hpp"

namespace herald::http {

/// `content`'s duplicates among the other items of its site (the store's window, the
/// domain's rule).
std::vector<domain::DuplicateMatch> DuplicatesOf(storage::Store& store,
                                                 const domain::Content& content);

/// One warning object's members (inside an object the caller opened).
void WriteWarningMembers(JsonWriter& w, const domain::DuplicateMatch& match);

/// Appends "warnings": [...] to the JSON object in `response.body`.
void AddWarnings(Response& response, const std::vector<domain::DuplicateMatch>& matches);

}  // namespace herald::http
