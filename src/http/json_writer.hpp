#pragma once
// A small streaming JSON writer for responses: appends straight into the body string, so a
// page of content costs one buffer instead of a tree of nodes. Private to src/http/.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.hpp"

namespace herald::http {

class JsonWriter {
public:
    explicit JsonWriter(std::string& out) : out_(out) {}

    JsonWriter& BeginObject();
    JsonWriter& EndObject();
    JsonWriter& BeginArray();
    JsonWriter& EndArray();
    JsonWriter& Key(std::string_view key);  // keys are ours: written without escaping

    JsonWriter& String(std::string_view value);
    JsonWriter& OptString(std::string_view value);  // empty → null
    JsonWriter& Int(int64_t value);
    JsonWriter& OptInt(std::optional<int64_t> value);
    JsonWriter& Bool(bool value);
    JsonWriter& Null();
    JsonWriter& Time(TimePoint value);
    JsonWriter& OptTime(const std::optional<TimePoint>& value);
    /// Already-serialised JSON (trusted).
    JsonWriter& Raw(std::string_view json);

private:
    void Separate() {
        if (need_comma_) out_.push_back(',');
        need_comma_ = false;
    }

    std::string& out_;
    bool need_comma_ = false;
};

/// Appends `value` as a quoted, escaped JSON string.
void AppendJsonString(std::string& out, std::string_view value);

}  // namespace herald::http
