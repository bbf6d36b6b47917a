#pragma once
// Errors as the API answers them: herald::ErrorKind → HTTP status, and the one error body
// shape of API.md §2. Private to src/http/.

#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "http/http_types.hpp"

namespace herald::http {

/// When adding ErrorKind enumerators, extend this mapping (and errors_test.cpp).
int ToHttpStatus(ErrorKind kind);

/// {"error": {"code": …, "message": …, "field": … or null}}.
Response ErrorResponse(int status, std::string_view code, std::string_view message,
                       std::string_view field = {});
Response ErrorResponse(const Error& error);
/// Several field errors of one request at once (all the same kind): the first as the error,
/// and every one under "errors" ([{code, message, field}]), so a form can mark them all;
/// a single one answers the plain shape.
Response ErrorResponse(const std::vector<Error>& errors);

class JsonWriter;
/// The members "code", "message" and "field" (null when empty) of `error`, inside an object
/// the caller opened: the one shape of an error wherever an answer lists one.
void WriteErrorFields(JsonWriter& w, const Error& error);

/// Common ones.
Response NotFoundResponse(std::string_view what);
Response InternalErrorResponse();

}  // namespace herald::http
