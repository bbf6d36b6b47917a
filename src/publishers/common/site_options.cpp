#include "publishers/common/site_options.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "domain/delivery_options.hpp"

namespace herald::publishers::common {
namespace {

Error OptionsError(std::string message) {
    return Error::Invalid("invalid_options", std::move(message), "options");
}

bool Listed(std::span<const std::string_view> keys, std::string_view key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

}  // namespace

Result<nlohmann::json> ParseOptionsObject(std::string_view options_json, const OptionsSpec& spec) {
    if (options_json.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return nlohmann::json::object();
    auto options = nlohmann::json::parse(options_json, nullptr, /*allow_exceptions=*/false);
    if (!options.is_object())
        return OptionsError(
            fmt::format("the site's {} options are not a JSON object", spec.platform));
    return options;
}

const nlohmann::json* OptionValue(const nlohmann::json& options, std::string_view key) {
    const auto it = options.find(key);
    return it == options.end() || it->is_null() ? nullptr : &*it;
}

Error BadOption(const OptionsSpec& spec, std::string_view key, std::string_view must) {
    return OptionsError(
        fmt::format("the site's {} option \"{}\" must be {}", spec.platform, key, must));
}

Status RefuseUnknownKeys(const nlohmann::json& options, const OptionsSpec& spec) {
    for (const auto& [key, value] : options.items()) {
        if (Listed(spec.keys, key) || Listed(domain::kDeliveryOptionKeys, key)) continue;
        std::string accepted;
        for (auto keys :
             {spec.keys, std::span<const std::string_view>(domain::kDeliveryOptionKeys)})
            for (std::string_view k : keys)
                accepted += (accepted.empty() ? "" : ", ") + std::string(k);
        return OptionsError(
            fmt::format("the site's options have an unknown key \"{}\": a {} site accepts {}", key,
                        spec.platform, accepted));
    }
    return Ok{};
}

}  // namespace herald::publishers::common
