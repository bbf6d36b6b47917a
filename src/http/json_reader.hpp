#pragma once
// Reading request bodies: parse once with nlohmann, then pull typed fields. A field of the
// wrong JSON type records a 400 "invalid_type" naming it (the first one wins), so a handler
// reads every field, then checks error() once. Private to src/http/ (the only header with
// nlohmann in it).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "common/time.hpp"

namespace herald::http {

/// Parses a request body that must be a JSON object. An empty body counts as {} when
/// `empty_ok`. Errors: 400 malformed_json / invalid_type.
Result<nlohmann::json> ParseJsonObject(std::string_view body, bool empty_ok = false);

class FieldReader {
public:
    explicit FieldReader(const nlohmann::json& object) : object_(object) {}

    bool Has(const char* name) const { return object_.contains(name); }
    /// The field's JSON value (present: Has(name)), for nested objects.
    const nlohmann::json& At(const char* name) const { return object_.at(name); }

    /// Each getter returns true when the field is present with an acceptable type and stores
    /// it in `out`; absent → false, out untouched; wrong type → false and error() is set.
    bool String(const char* name, std::string& out, bool null_is_empty = true);
    bool Bool(const char* name, bool& out);
    bool Int(const char* name, int64_t& out);
    /// An integer or null.
    bool OptionalInt(const char* name, std::optional<int64_t>& out);
    bool StringList(const char* name, std::vector<std::string>& out);
    /// A JSON object, re-serialised (for pass-through option blobs).
    bool Object(const char* name, std::string& out);
    /// A string parsed as ISO 8601; unparsable → 422 "invalid_datetime".
    bool Time(const char* name, TimePoint& out);

    const std::optional<Error>& error() const { return error_; }

    /// Records an error unless one is already there.
    void Fail(Error error) {
        if (!error_) error_ = std::move(error);
    }

private:
    void FailType(const char* name, std::string_view expected);
    bool HasNul(const char* name, const std::string& value);

    const nlohmann::json& object_;
    std::optional<Error> error_;
};

}  // namespace herald::http
