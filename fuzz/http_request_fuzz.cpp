// The HTTP/1.1 request parser exactly as the server configures it (http/request_parsing.hpp:
// Beast's parser, herald's body and header limits, the framing check, the handlers' view),
// fed a byte stream that may hold several pipelined requests. Properties:
//   - no crash, hang or sanitizer report on any bytes;
//   - every read error is one the server answers (an HTTP parse error, 413 or 431);
//   - an accepted body is within the limit and, with Content-Length, exactly that long;
//   - the view's path and query are the origin-form target split at the first '?', and
//     every view string points into the parsed request.

#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "check.hpp"
#include "http/api_server.hpp"
#include "http/request_parsing.hpp"

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using namespace herald::http;

const size_t kMaxBody = ServerSettings{}.max_body_bytes;

/// Feeds `buffer` to `parser` as Beast's read/read_header do when the peer has sent just
/// these bytes and then closed: until the header (or the whole message) is done, or an error.
beast::error_code Feed(RequestParser& parser, beast::flat_buffer& buffer, bool header_only) {
    beast::error_code ec;
    for (;;) {
        if (parser.is_done() || (header_only && parser.is_header_done())) return {};
        if (buffer.size() > 0) {
            const size_t used = parser.put(buffer.data(), ec);
            buffer.consume(used);
            if (!ec) continue;
            if (ec != bhttp::error::need_more) return ec;
            ec = {};
        }
        // Nothing more will come: the peer closed.
        if (!parser.got_some()) return bhttp::error::end_of_stream;
        parser.put_eof(ec);
        if (ec) return ec;
        if (!parser.is_done()) return bhttp::error::partial_message;
        return {};
    }
}

bool Within(std::string_view part, const char* begin, size_t size) {
    return part.empty() || (part.data() >= begin && part.data() + part.size() <= begin + size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    beast::flat_buffer buffer;
    buffer.commit(boost::asio::buffer_copy(buffer.prepare(size), boost::asio::buffer(data, size)));

    // One connection: requests in order while the client keeps it alive (as Session does).
    for (int i = 0; i < 64; ++i) {
        RequestParser parser;
        ConfigureParser(parser, kMaxBody);
        beast::error_code ec = Feed(parser, buffer, /*header_only=*/true);
        if (!ec) {
            if (!FramingIsUnambiguous(parser.get())) return 0;  // 400, then close
            ec = Feed(parser, buffer, /*header_only=*/false);
        }
        if (ec) {
            FUZZ_CHECK(
                ec == bhttp::error::end_of_stream || ec == bhttp::error::body_limit ||
                    ec == bhttp::error::header_limit ||
                    ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category(),
                "every read error is one the server answers");
            return 0;
        }
        FUZZ_CHECK(parser.is_done(), "a request is complete before it is handled");

        const auto declared = parser.content_length();  // as Beast read Content-Length
        const WireRequest request = parser.release();
        const std::string& body = request.body();
        FUZZ_CHECK(body.size() <= kMaxBody, "an accepted body is within the limit");
        if (declared && !request.chunked())
            FUZZ_CHECK(body.size() == *declared, "a body is as long as its Content-Length");

        const Request view = ViewOf(request, "127.0.0.1");
        const auto target = OriginForm(request.target());
        std::string joined(view.path);
        if (target.find('?') != beast::string_view::npos) {
            joined += '?';
            joined += view.query;
        }
        FUZZ_CHECK(joined == std::string(target.data(), target.size()),
                   "path and query are the target split at its first '?'");
        FUZZ_CHECK(view.path.find('?') == std::string_view::npos, "the path holds no '?'");
        // (OriginForm may answer a static "/" for an absolute form without a path.)
        FUZZ_CHECK(Within(view.path, target.data(), target.size()) &&
                       Within(view.query, target.data(), target.size()),
                   "path and query point into the target");
        FUZZ_CHECK(view.body.data() == body.data() && view.body.size() == body.size(),
                   "the body is the request's");
        FUZZ_CHECK(view.method == std::string_view(request.method_string().data(),
                                                   request.method_string().size()),
                   "the method is the request's");
        if (!request.keep_alive()) return 0;
    }
    return 0;
}
