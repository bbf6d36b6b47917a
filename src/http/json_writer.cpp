#include "http/json_writer.hpp"

#include <charconv>

namespace herald::http {

void AppendJsonString(std::string& out, std::string_view value) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    size_t run_start = 0;
    for (size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(value.data() + run_start, i - run_start);
        run_start = i + 1;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xf]);
        }
    }
    out.append(value.data() + run_start, value.size() - run_start);
    out.push_back('"');
}

JsonWriter& JsonWriter::BeginObject() {
    Separate();
    out_.push_back('{');
    return *this;
}

JsonWriter& JsonWriter::EndObject() {
    out_.push_back('}');
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::BeginArray() {
    Separate();
    out_.push_back('[');
    return *this;
}

JsonWriter& JsonWriter::EndArray() {
    out_.push_back(']');
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
    Separate();
    out_.push_back('"');
    out_.append(key);
    out_ += "\":";
    return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
    Separate();
    AppendJsonString(out_, value);
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::OptString(std::string_view value) {
    return value.empty() ? Null() : String(value);
}

JsonWriter& JsonWriter::Int(int64_t value) {
    Separate();
    char buf[24];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out_.append(buf, end);
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::OptInt(std::optional<int64_t> value) {
    return value ? Int(*value) : Null();
}

JsonWriter& JsonWriter::Bool(bool value) {
    Separate();
    out_ += value ? "true" : "false";
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::Null() {
    Separate();
    out_ += "null";
    need_comma_ = true;
    return *this;
}

JsonWriter& JsonWriter::Time(TimePoint value) { return String(FormatIso(value)); }

JsonWriter& JsonWriter::OptTime(const std::optional<TimePoint>& value) {
    return value ? Time(*value) : Null();
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
    Separate();
    out_.append(json);
    need_comma_ = true;
    return *this;
}

}  // namespace herald::http
