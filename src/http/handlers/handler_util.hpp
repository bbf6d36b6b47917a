#pragma once
// Small helpers the handler files share: one-object responses and common errors.

#include <optional>
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

/// A write that lost a race re-reads and applies its change again; contention on one row is
/// a handful of people and the dispatcher, so this many rounds only run out under a storm.
inline constexpr int kMaxWriteRounds = 32;

/// What a round does when another writer got there first: with If-Match the version it named
/// is gone (412); without, nullopt runs the round again on what the other writer left.
inline std::optional<Response> LostRace(const IfMatch& precondition) {
    if (precondition.present()) return PreconditionFailed();
    return std::nullopt;
}

/// The one retry loop of the API's versioned writes (API.md §10): runs `round` (read, check,
/// write under the version read) until it answers; nullopt means it lost a race. After
/// kMaxWriteRounds lost rounds: 409 concurrent_update about `what` ("The content").
template <typename Round>
Response RetryLostRaces(std::string_view what, Round round) {
    for (int i = 0; i < kMaxWriteRounds; ++i) {
        if (std::optional<Response> answer = round()) return std::move(*answer);
    }
    std::string message(what);
    message += " kept changing while this request was handled; reload and try again.";
    return ErrorResponse(409, "concurrent_update", message);
}

inline Response NoContentResponse() {
    Response response;
    response.status = 204;
    return response;
}

}  // namespace herald::http
