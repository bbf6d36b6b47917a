#pragma once
// How herald reads a request off the wire: the Beast parser and its limits, the framing
// check, and the Request view handlers get. Shared by server.cpp and the fuzz target
// (fuzz/http_request_fuzz.cpp), so the fuzzer parses exactly as the server does. Includes
// Beast: only those two may include it.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/http_types.hpp"

namespace herald::http {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
using WireRequest = RequestParser::value_type;

inline constexpr uint32_t kHeaderLimit = 16 * 1024;

/// A fresh parser for one request, with herald's body limit (ServerSettings::max_body_bytes;
/// larger answers 413) and header limit (16 KiB; larger answers 431).
void ConfigureParser(RequestParser& parser, size_t max_body_bytes);

/// RFC 9112 §6.1/§6.3: a request whose Transfer-Encoding does not end in `chunked`, or that
/// has Content-Length as well, has no trustworthy length; a proxy in front may have framed it
/// differently (request smuggling). Beast reads such a body by its length, so refuse it here.
bool FramingIsUnambiguous(const WireRequest& req);

/// An absolute-form target (`http://host/path?q`, RFC 9112 §3.2.2) is routed by its path,
/// like the origin form every browser sends.
boost::beast::string_view OriginForm(boost::beast::string_view target);

/// The handlers' view of a parsed request; it points into `req` (and `remote`).
Request ViewOf(const WireRequest& req, std::string_view remote);

/// ASCII case-insensitive equality, for header values and schemes. Not beast::iequals:
/// Boost 1.74's reads one byte past the end of both arguments when their last characters
/// differ only in case (fuzz/http_request found it on the target "Http://").
bool EqualsIgnoringCase(std::string_view a, std::string_view b);

}  // namespace herald::http
