#include "http/query.hpp"

#include <charconv>

namespace herald::http {
namespace {

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string Decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int hi = HexValue(text[i + 1]);
            const int lo = HexValue(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

std::string Named(std::string_view name) { return std::string(name); }

}  // namespace

QueryParams::QueryParams(std::string_view raw) {
    size_t pos = 0;
    while (pos < raw.size()) {
        const size_t end = std::min(raw.find('&', pos), raw.size());
        const std::string_view part = raw.substr(pos, end - pos);
        if (!part.empty()) {
            const size_t eq = part.find('=');
            if (eq == std::string_view::npos) {
                items_.emplace_back(Decode(part), std::string());
            } else {
                items_.emplace_back(Decode(part.substr(0, eq)), Decode(part.substr(eq + 1)));
            }
        }
        pos = end + 1;
    }
}

const std::string* QueryParams::Get(std::string_view name) const {
    for (auto it = items_.rbegin(); it != items_.rend(); ++it)
        if (it->first == name) return &it->second;
    return nullptr;
}

const std::string* QueryParams::Filter(std::string_view name) const {
    const std::string* value = Get(name);
    return value && !value->empty() ? value : nullptr;
}

Result<std::optional<int64_t>> IntParam(const QueryParams& query, std::string_view name) {
    const std::string* text = query.Filter(name);
    if (!text) return std::optional<int64_t>{};
    int64_t value = 0;
    const char* first = text->data();
    const char* last = first + text->size();
    const auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || ptr != last) {
        return Error::BadRequest(
            "invalid_type", "The parameter '" + Named(name) + "' must be an integer.", Named(name));
    }
    return std::optional<int64_t>{value};
}

Result<std::optional<TimePoint>> TimeParam(const QueryParams& query, std::string_view name) {
    const std::string* text = query.Filter(name);
    if (!text) return std::optional<TimePoint>{};
    const auto parsed = ParseIso(*text);
    if (!parsed) {
        return Error::Invalid("invalid_datetime",
                              "The parameter '" + Named(name) +
                                  "' must be an ISO 8601 time with an offset, e.g. "
                                  "2026-01-20T14:00:00Z (encode '+' as %2B).",
                              Named(name));
    }
    return std::optional<TimePoint>{*parsed};
}

Result<storage::PageRequest> PageParams(const QueryParams& query) {
    storage::PageRequest page{1, kDefaultPageSize};
    auto number = IntParam(query, "page");
    if (!number) return number.error();
    if (*number) {
        if (**number < 1 || **number > 1'000'000'000) {
            return Error::Invalid("invalid_page", "The page number starts at 1.", "page");
        }
        page.page = static_cast<int>(**number);
    }
    auto size = IntParam(query, "page_size");
    if (!size) return size.error();
    if (*size) {
        if (**size < 1) {
            return Error::Invalid("invalid_page_size", "The page size must be at least 1.",
                                  "page_size");
        }
        page.page_size = static_cast<int>(std::min<int64_t>(**size, kMaxPageSize));
    }
    return page;
}

void WritePageHead(JsonWriter& w, const Request& request, const storage::PageRequest& page,
                   int64_t count) {
    w.BeginObject();
    w.Key("count").Int(count);
    w.Key("next");
    if (static_cast<int64_t>(page.page) * page.page_size < count) {
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
    w.Key("results");
}

std::string PageUrl(const Request& request, int page) {
    std::string url = "http://";
    url += request.host.empty() ? std::string_view("localhost") : request.host;
    url += request.path;
    url += '?';
    size_t pos = 0;
    const std::string_view raw = request.query;
    while (pos < raw.size()) {
        const size_t end = std::min(raw.find('&', pos), raw.size());
        const std::string_view part = raw.substr(pos, end - pos);
        const std::string_view key = part.substr(0, part.find('='));
        if (!part.empty() && key != "page") {
            url += part;
            url += '&';
        }
        pos = end + 1;
    }
    url += "page=";
    url += std::to_string(page);
    return url;
}

}  // namespace herald::http
