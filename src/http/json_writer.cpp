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
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
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

namespace {

void Put2(char*& p, unsigned v) {
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
}

}  // namespace

// Same text as FormatIso, without snprintf and a temporary string: a page of content
// writes a few hundred of these.
JsonWriter& JsonWriter::Time(TimePoint value) {
    const int64_t ms_total = ToUnixMillis(value);
    int64_t days = ms_total / 86'400'000;
    int64_t ms_of_day = ms_total % 86'400'000;
    if (ms_of_day < 0) {
        ms_of_day += 86'400'000;
        --days;
    }
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    const int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned day = doy - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    const int64_t year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);
    if (year < 0 || year > 9999) return String(FormatIso(value));

    char buf[32];
    char* p = buf;
    *p++ = '"';
    Put2(p, static_cast<unsigned>(year / 100));
    Put2(p, static_cast<unsigned>(year % 100));
    *p++ = '-';
    Put2(p, month);
    *p++ = '-';
    Put2(p, day);
    *p++ = 'T';
    const auto secs = static_cast<unsigned>(ms_of_day / 1000);
    Put2(p, secs / 3600);
    *p++ = ':';
    Put2(p, secs / 60 % 60);
    *p++ = ':';
    Put2(p, secs % 60);
    if (const auto ms = static_cast<unsigned>(ms_of_day % 1000); ms != 0) {
        *p++ = '.';
        *p++ = static_cast<char>('0' + ms / 100);
        Put2(p, ms % 100);
    }
    *p++ = 'Z';
    *p++ = '"';
    Separate();
    out_.append(buf, p);
    need_comma_ = true;
    return *this;
}

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
