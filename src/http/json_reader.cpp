#include "http/json_reader.hpp"

namespace herald::http {
namespace {

constexpr int kMaxDepth = 64;

// nlohmann's DOM is fine with deep nesting, but nothing we accept nests past a few levels,
// and bounding it keeps pathological bodies cheap.
bool NestingWithin(std::string_view body, int max_depth) {
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth) return false;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return true;
}

}  // namespace

Result<nlohmann::json> ParseJsonObject(std::string_view body, bool empty_ok) {
    const bool blank = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
    if (blank) {
        if (empty_ok) return nlohmann::json::object();
        return Error::BadRequest("malformed_json", "The request body must be a JSON object.");
    }
    if (!NestingWithin(body, kMaxDepth))
        return Error::BadRequest("malformed_json", "The request body is nested too deeply.");
    nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded())
        return Error::BadRequest("malformed_json", "The request body is not valid JSON.");
    if (!parsed.is_object())
        return Error::BadRequest("invalid_type", "The request body must be a JSON object.");
    return parsed;
}

void FieldReader::FailType(const char* name, std::string_view expected) {
    std::string message = "The field '";
    message += name;
    message += "' must be ";
    message += expected;
    message += '.';
    Fail(Error::BadRequest("invalid_type", std::move(message), name));
}

// "\u0000" is valid JSON but no text herald stores may hold it (PostgreSQL refuses it, and
// every platform would): refused with the field named, like any invalid value.
bool FieldReader::HasNul(const char* name, const std::string& value) {
    if (value.find('\0') == std::string::npos) return false;
    std::string message = "The field '";
    message += name;
    message += "' may not contain the NUL character.";
    Fail(Error::Invalid("invalid_characters", std::move(message), name));
    return true;
}

bool FieldReader::String(const char* name, std::string& out, bool null_is_empty) {
    const auto it = object_.find(name);
    if (it == object_.end()) return false;
    if (it->is_string()) {
        if (HasNul(name, it->get_ref<const std::string&>())) return false;
        out = it->get_ref<const std::string&>();
        return true;
    }
    if (it->is_null() && null_is_empty) {
        out.clear();
        return true;
    }
    FailType(name, "a string");
    return false;
}

bool FieldReader::Bool(const char* name, bool& out) {
    const auto it = object_.find(name);
    if (it == object_.end()) return false;
    if (!it->is_boolean()) {
        FailType(name, "true or false");
        return false;
    }
    out = it->get<bool>();
    return true;
}

bool FieldReader::Int(const char* name, int64_t& out) {
    const auto it = object_.find(name);
    if (it == object_.end()) return false;
    if (it->is_number_integer() && !it->is_number_unsigned()) {
        out = it->get<int64_t>();
        return true;
    }
    if (it->is_number_unsigned()) {
        const auto value = it->get<uint64_t>();
        if (value > static_cast<uint64_t>(INT64_MAX)) {
            Fail(Error::Invalid("out_of_range",
                                std::string("The field '") + name + "' is out of range.", name));
            return false;
        }
        out = static_cast<int64_t>(value);
        return true;
    }
    FailType(name, "an integer");
    return false;
}

bool FieldReader::OptionalInt(const char* name, std::optional<int64_t>& out) {
    const auto it = object_.find(name);
    if (it == object_.end()) return false;
    if (it->is_null()) {
        out.reset();
        return true;
    }
    int64_t value = 0;
    if (!Int(name, value)) {
        if (!error_) FailType(name, "an integer or null");
        return false;
    }
    out = value;
    return true;
}

bool FieldReader::StringList(const char* name, std::vector<std::string>& out) {
    const auto it = object_.find(name);
    if (it == object_.end()) return false;
    if (!it->is_array()) {
        FailType(name, "a list of strings");
        return false;
    }
    std::vector<std::string> values;
    values.reserve(it->size());
    for (const auto& item : *it) {
        if (!item.is_string()) {
            FailType(name, "a list of strings");
            return false;
        }
        if (HasNul(name, item.get_ref<const std::string&>())) return false;
        values.push_back(item.get<std::string>());
    }
    out = std::move(values);
    return true;
}

bool FieldReader::Object(const char* name, std::string& out) {
    const auto it = object_.find(name);
    if (it == object_.end()) return false;
    if (it->is_null()) {
        out = "{}";
        return true;
    }
    if (!it->is_object()) {
        FailType(name, "a JSON object");
        return false;
    }
    out = it->dump();
    return true;
}

bool FieldReader::Time(const char* name, TimePoint& out) {
    std::string text;
    if (!String(name, text, /*null_is_empty=*/false)) return false;
    const auto parsed = ParseIso(text);
    if (!parsed) {
        Fail(Error::Invalid("invalid_datetime",
                            std::string("The field '") + name +
                                "' must be an ISO 8601 time with an offset, e.g. "
                                "2026-01-20T14:00:00Z.",
                            name));
        return false;
    }
    out = *parsed;
    return true;
}

}  // namespace herald::http
