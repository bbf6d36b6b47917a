#include "http/handlers/handler_util.hpp"

#include <charconv>

namespace herald::http {

std::string ETagOf(int64_t version) { return "\"" + std::to_string(version) + "\""; }

IfMatch::IfMatch(std::string_view header) {
    // A list of entity tags, each `"v"` or `W/"v"` (weak tags never match under If-Match's
    // strong comparison, but herald's tags are strong, so a client sending W/ means ours).
    size_t i = 0;
    while (i < header.size()) {
        while (i < header.size() && (header[i] == ' ' || header[i] == '\t' || header[i] == ','))
            ++i;
        if (i >= header.size()) break;
        present_ = true;
        const size_t end = header.find(',', i);
        std::string_view tag = header.substr(i, end == std::string_view::npos ? end : end - i);
        i = end == std::string_view::npos ? header.size() : end + 1;
        while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
        if (tag == "*") {
            any_ = true;
            continue;
        }
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"')
            tag = tag.substr(1, tag.size() - 2);
        int64_t version = 0;
        const auto [ptr, ec] = std::from_chars(tag.data(), tag.data() + tag.size(), version);
        // Anything else is a tag herald never issued: it matches nothing.
        if (ec == std::errc() && ptr == tag.data() + tag.size()) versions_.push_back(version);
    }
}

bool IfMatch::Allows(int64_t version) const {
    if (!present_ || any_) return true;
    for (int64_t v : versions_) {
        if (v == version) return true;
    }
    return false;
}

}  // namespace herald::http
