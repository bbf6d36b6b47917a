#pragma once
// Query strings: decoding, typed parameters with API errors, and the paginated list body
// {"count", "next", "previous", "results"} with absolute next/previous URLs. Private.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "common/time.hpp"
#include "http/http_types.hpp"
#include "http/json_writer.hpp"
#include "storage/store.hpp"

namespace herald::http {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

class QueryParams {
public:
    explicit QueryParams(std::string_view raw);

    /// The last value given for `name`, percent-decoded ('+' stays '+', so ISO offsets
    /// survive unencoded); nullptr when absent.
    const std::string* Get(std::string_view name) const;
    /// Get for a list filter or page parameter: nullptr also when the value is empty, so a
    /// templated URL (`?content_id=&site_id=`) filters nothing by the parameters it left
    /// blank. Not for switches such as dry_run, where a bare `?dry_run` must not mean "no".
    const std::string* Filter(std::string_view name) const;

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

/// Each returns nullopt-in-ok when absent; 400 invalid_type / 422 invalid_* naming it.
Result<std::optional<int64_t>> IntParam(const QueryParams& query, std::string_view name);
Result<std::optional<TimePoint>> TimeParam(const QueryParams& query, std::string_view name);
/// page ≥ 1, page_size 1…500 (larger is clamped to 500).
Result<storage::PageRequest> PageParams(const QueryParams& query);

/// The absolute URL of `page` of this same request (other parameters kept).
std::string PageUrl(const Request& request, int page);

/// Writes a paginated body's `{"count", "next", "previous", "results":` (its value next).
void WritePageHead(JsonWriter& w, const Request& request, const storage::PageRequest& page,
                   int64_t count);

/// Writes a whole paginated body; `write_item(JsonWriter&, const T&)` writes one result.
template <typename T, typename WriteItem>
Response PageResponse(const Request& request, const storage::PageRequest& page,
                      const storage::Page<T>& result, WriteItem write_item) {
    Response response;
    response.body.reserve(128 + result.items.size() * 512);
    JsonWriter w(response.body);
    WritePageHead(w, request, page, result.count);
    w.BeginArray();
    for (const T& item : result.items) write_item(w, item);
    w.EndArray();
    w.EndObject();
    return response;
}

/// A page written while the store reads it: `write_rows(JsonWriter&)` writes each result as
/// its row is read and answers the count. The rows come before the count is known, so they
/// go to a buffer this thread keeps (its capacity reused from request to request, up to
/// kKeptRowsBuffer) and are copied in behind the head.
template <typename WriteRows>
Response StreamedPageResponse(const Request& request, const storage::PageRequest& page,
                              WriteRows write_rows) {
    constexpr size_t kKeptRowsBuffer = size_t{1} << 20;
    thread_local std::string rows;
    rows.clear();
    JsonWriter rw(rows);
    rw.BeginArray();
    const int64_t count = write_rows(rw);
    rw.EndArray();
    Response response;
    response.body.reserve(256 + request.host.size() + 2 * request.query.size() + rows.size());
    JsonWriter w(response.body);
    WritePageHead(w, request, page, count);
    w.Raw(rows);
    w.EndObject();
    if (rows.capacity() > kKeptRowsBuffer) std::string().swap(rows);  // a huge page's
    return response;
}

}  // namespace herald::http
