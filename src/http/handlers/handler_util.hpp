#pragma once
// Small helpers the handler files share: one-object responses and common errors.

#include <string>
#include <string_view>

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

inline Response NoContentResponse() {
    Response response;
    response.status = 204;
    return response;
}

}  // namespace herald::http
