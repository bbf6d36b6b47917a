#pragma once
// Result<T>: a value or an expected failure (validation, illegal move, conflict).
// Exceptions are kept for infrastructure failures; see docs/architecture.md.

#include <string>
#include <utility>
#include <variant>

namespace herald {

/// What went wrong, in terms the HTTP layer maps to a status code.
/// When adding enumerators here, also update http::ToHttpStatus().
enum class ErrorKind {
    kBadRequest,   // malformed input or wrong types (400)
    kNotFound,     // missing, or another account's (404)
    kConflict,     // state does not allow it (409)
    kInvalid,      // well-formed but invalid value (422)
    kUnavailable,  // a remote platform or dependency failed (502)
};

struct Error {
    ErrorKind kind = ErrorKind::kInvalid;
    std::string code;     // snake_case, stable, machine-readable
    std::string message;  // a human sentence
    std::string field;    // the offending field, or empty

    static Error Invalid(std::string code, std::string message, std::string field = {}) {
        return {ErrorKind::kInvalid, std::move(code), std::move(message), std::move(field)};
    }
    static Error Conflict(std::string code, std::string message, std::string field = {}) {
        return {ErrorKind::kConflict, std::move(code), std::move(message), std::move(field)};
    }
    static Error BadRequest(std::string code, std::string message, std::string field = {}) {
        return {ErrorKind::kBadRequest, std::move(code), std::move(message), std::move(field)};
    }
    static Error NotFound(std::string message) {
        return {ErrorKind::kNotFound, "not_found", std::move(message), {}};
    }
};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : data_(std::move(value)) {}      // NOLINT: implicit on purpose
    Result(Error error) : data_(std::move(error)) {}  // NOLINT: implicit on purpose

    bool ok() const { return data_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(data_); }
    const T& value() const& { return std::get<0>(data_); }
    T&& value() && { return std::get<0>(std::move(data_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<1>(data_); }

private:
    std::variant<T, Error> data_;
};

/// For operations that succeed with nothing to return.
struct Ok {};
using Status = Result<Ok>;

}  // namespace herald
