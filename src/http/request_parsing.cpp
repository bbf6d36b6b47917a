#include "http/request_parsing.hpp"

namespace herald::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (Lower(a[i]) != Lower(b[i])) return false;
    }
    return true;
}

void ConfigureParser(RequestParser& parser, size_t max_body_bytes) {
    parser.body_limit(max_body_bytes);
    parser.header_limit(kHeaderLimit);
}

bool FramingIsUnambiguous(const WireRequest& req) {
    const auto te = req.find(bhttp::field::transfer_encoding);
    if (te == req.end()) return true;
    if (req.find(bhttp::field::content_length) != req.end()) return false;
    std::string_view codings(te->value().data(), te->value().size());
    while (!codings.empty() && (codings.back() == ' ' || codings.back() == '\t'))
        codings.remove_suffix(1);
    const size_t comma = codings.rfind(',');
    std::string_view last = comma == std::string_view::npos ? codings : codings.substr(comma + 1);
    while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
    return EqualsIgnoringCase(last, "chunked");
}

beast::string_view OriginForm(beast::string_view target) {
    for (beast::string_view scheme : {"http://", "https://"}) {
        if (target.size() >= scheme.size() &&
            EqualsIgnoringCase(View(target.substr(0, scheme.size())), View(scheme))) {
            const size_t path = target.find_first_of("/?", scheme.size());
            if (path == beast::string_view::npos) return "/";
            if (target[path] == '?') return "/";  // no path: the root, as a proxy would ask
            return target.substr(path);
        }
    }
    return target;
}

Request ViewOf(const WireRequest& req, std::string_view remote) {
    const beast::string_view target = OriginForm(req.target());
    const size_t question = target.find('?');
    const auto header = [&](bhttp::field f) { return View(req[f]); };
    return Request{
        .method = View(req.method_string()),
        .path = View(target.substr(0, question)),
        .query = question == beast::string_view::npos ? std::string_view()
                                                      : View(target.substr(question + 1)),
        .body = req.body(),
        .authorization = header(bhttp::field::authorization),
        .host = header(bhttp::field::host),
        .if_match = header(bhttp::field::if_match),
        .remote = remote,
        .cookie = header(bhttp::field::cookie),
        .content_type = header(bhttp::field::content_type),
    };
}

}  // namespace herald::http
