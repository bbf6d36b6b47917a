// The query-string parser (http/query.hpp) on any query string, with properties:
//   - the typed parameters either parse or refuse with a 400/422 naming the parameter;
//   - a page request is always in range (page ≥ 1, page_size 1…500);
//   - the next/previous URLs keep every other parameter as given, carry exactly one `page`,
//     and parse back to the page they name with the same page_size.

#include <cstddef>
#include <cstdint>
#include <string>

#include "check.hpp"
#include "http/query.hpp"

namespace {

using namespace herald;
using namespace herald::http;

void CheckRefusal(const Error& error, std::string_view name) {
    FUZZ_CHECK(error.kind == ErrorKind::kBadRequest || error.kind == ErrorKind::kInvalid,
               "a bad parameter is a 400 or a 422");
    FUZZ_CHECK(!error.code.empty() && !error.message.empty(), "an error names code and message");
    FUZZ_CHECK(name.empty() || error.field == name, "the error names the parameter");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string raw(reinterpret_cast<const char*>(data), size);
    const QueryParams query(raw);

    for (const char* name : {"site_id", "cluster_id", "content_id"}) {
        auto value = IntParam(query, name);
        if (!value)
            CheckRefusal(value.error(), name);
        else
            // An empty value (`?site_id=`) filters nothing, like an absent one.
            FUZZ_CHECK(
                value->has_value() == (query.Get(name) != nullptr && !query.Get(name)->empty()),
                "absent or empty is nullopt");
    }
    for (const char* name : {"scheduled_after", "scheduled_before"}) {
        auto value = TimeParam(query, name);
        if (!value) {
            CheckRefusal(value.error(), name);
        } else if (*value) {
            const auto back = ParseIso(FormatIso(**value));
            FUZZ_CHECK(back && *back == **value, "a parsed time formats and parses back");
        }
    }

    auto page = PageParams(query);
    if (!page) {
        CheckRefusal(page.error(), {});
        return 0;
    }
    FUZZ_CHECK(page->page >= 1 && page->page_size >= 1 && page->page_size <= kMaxPageSize,
               "a page request is in range");

    Request request;
    request.host = "herald.test";
    request.path = "/api/v1/writer/content/";
    request.query = raw;
    for (const int target : {page->page + 1, page->page > 1 ? page->page - 1 : 1}) {
        // The last page a request may name (10^9) never has a next one: no list is that long,
        // so PageResponse writes null (fuzz/regressions/query/last-allowed-page).
        if (target > 1'000'000'000) continue;
        const std::string url = PageUrl(request, target);
        const std::string prefix = "http://herald.test/api/v1/writer/content/?";
        FUZZ_CHECK(url.compare(0, prefix.size(), prefix) == 0, "the URL keeps host and path");
        const std::string tail = url.substr(prefix.size());
        const QueryParams again(tail);
        auto again_page = PageParams(again);
        FUZZ_CHECK(again_page.ok(), "a page URL is a valid page request");
        FUZZ_CHECK(again_page->page == target, "a page URL names its page");
        FUZZ_CHECK(again_page->page_size == page->page_size, "a page URL keeps page_size");
        for (const char* name : {"site_id", "status", "ordering", "scheduled_after"}) {
            const std::string* before = query.Get(name);
            const std::string* after = again.Get(name);
            FUZZ_CHECK((before == nullptr) == (after == nullptr) && (!before || *before == *after),
                       "a page URL keeps the other parameters");
        }
    }
    return 0;
}
