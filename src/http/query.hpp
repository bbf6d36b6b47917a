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

/// Writes a whole paginated body; `write_item(JsonWriter&, const T&)` writes one result.
template <typename T, typename WriteItem>
Response PageResponse(const Request& request, const storage::PageRequest& page,
                      const storage::Page<T>& result, WriteItem write_item) {
    Response response;
    response.body.reserve(128 + result.items.size() * 512);
    JsonWriter w(response.body);
    w.BeginObject();
    w.Key("count").Int(result.count);
    w.Key("next");
    if (static_cast<int64_t>(page.page) * page.page_size < result.count) {
        w.String(PageUrl(request, page.page + 1));
    } else {
        w.Null();
    }
    w.Key("previous");
    if (page.page > 1) {
        w.String(PageUrl(request, page.page - 1));
    } else {
        w.Null();
    }
    w.Key("results").BeginArray();
    for (const T& item : result.items) write_item(w, item);
    w.EndArray();
    w.EndObject();
    return response;
}

}  // namespace herald::http
