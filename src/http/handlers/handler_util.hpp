#pragma once
// Small helpers the handler files share: one-object responses and common errors.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "http/errors.hpp"
#include "http/json_writer.hpp"

namespace herald::http {

/// A response whose body is one JSON value written by `write(JsonWriter&)`.
template <typename Write>
Response JsonResponse(int status, Write write, size_t reserve = 512) {
    Response response;
    response.status = status;
    response.body.reserve(reserve);
    JsonWriter w(response.body);
    write(w);
    return response;
}

inline Error RequiredError(std::string_view field) {
    std::string message = "The field '";
    message += field;
    message += "' is required.";
    return Error::Invalid("required", std::move(message), std::string(field));
}

/// An entity tag for a row's version: a strong ETag, `"<version>"`.
std::string ETagOf(int64_t version);

/// The If-Match precondition of a request (RFC 9110 §13.1.1), checked against a version.
class IfMatch {
public:
    explicit IfMatch(std::string_view header);
    /// Whether the request names a precondition at all (`*` names none that can fail on
    /// an existing row).
    bool present() const { return present_; }
    bool Allows(int64_t version) const;

private:
    bool present_ = false;
    bool any_ = false;
    std::vector<int64_t> versions_;
};

inline Response PreconditionFailed() {
    return ErrorResponse(412, "precondition_failed",
                         "The resource changed since the version named in If-Match; reload it "
                         "and try again.");
}

inline Response NoContentResponse() {
    Response response;
    response.status = 204;
    return response;
}

}  // namespace herald::http
