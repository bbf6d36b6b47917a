#include "http/errors.hpp"

#include <string>

#include "http/json_writer.hpp"

namespace herald::http {

int ToHttpStatus(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::kBadRequest:
            return 400;
        case ErrorKind::kNotFound:
            return 404;
        case ErrorKind::kConflict:
            return 409;
        case ErrorKind::kInvalid:
            return 422;
        case ErrorKind::kUnavailable:
            return 502;
    }
    return 500;  // unreachable while the switch is complete
}

Response ErrorResponse(int status, std::string_view code, std::string_view message,
                       std::string_view field) {
    Response response;
    response.status = status;
    response.body.reserve(96 + message.size());
    JsonWriter w(response.body);
    w.BeginObject().Key("error").BeginObject();
    w.Key("code").String(code);
    w.Key("message").String(message);
    w.Key("field").OptString(field);
    w.EndObject().EndObject();
    return response;
}

void WriteErrorFields(JsonWriter& w, const Error& error) {
    w.Key("code").String(error.code);
    w.Key("message").String(error.message);
    w.Key("field").OptString(error.field);
}

Response ErrorResponse(const Error& error) {
    return ErrorResponse(ToHttpStatus(error.kind), error.code, error.message, error.field);
}

Response ErrorResponse(const std::vector<Error>& errors) {
    // One error keeps the plain shape every client knows.
    if (errors.size() == 1) return ErrorResponse(errors.front());
    const Error& first = errors.front();
    Response response;
    response.status = ToHttpStatus(first.kind);
    JsonWriter w(response.body);
    w.BeginObject().Key("error").BeginObject();
    WriteErrorFields(w, first);
    w.Key("errors").BeginArray();
    for (const Error& e : errors) {
        w.BeginObject();
        WriteErrorFields(w, e);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject().EndObject();
    return response;
}

Response NotFoundResponse(std::string_view what) {
    std::string message(what);
    message += " was not found.";
    return ErrorResponse(404, "not_found", message);
}

Response InternalErrorResponse() {
    return ErrorResponse(500, "internal_error",
                         "The server failed to handle the request; it has been logged.");
}

}  // namespace herald::http
