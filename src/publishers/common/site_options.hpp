#pragma once
// A site's `options` object as the adapters read it: one parse, one way to word a bad value,
// and one rule for keys no one reads, so every platform refuses a typo the same way instead
// of silently publishing with its default.

#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace herald::publishers::common {

/// What one platform reads from a site's options.
struct OptionsSpec {
    std::string_view platform;               // names it in messages: "WordPress"
    std::span<const std::string_view> keys;  // its own keys; the delivery keys come on top
};

/// The options object; empty text is {} (a site saved without options). Errors are
/// invalid_options on the field "options", worded for a site owner.
Result<nlohmann::json> ParseOptionsObject(std::string_view options_json, const OptionsSpec& spec);

/// The value of `key`, or nullptr when it is absent or null (null asks for the default).
const nlohmann::json* OptionValue(const nlohmann::json& options, std::string_view key);

/// "the site's WordPress option "status" must be …".
Error BadOption(const OptionsSpec& spec, std::string_view key, std::string_view must);

/// Refuses the first key that is neither the platform's nor a delivery option
/// (domain/delivery_options), naming it and every key the platform accepts. For the API:
/// adapters ignore such keys when publishing, so sites saved before the rule keep working.
Status RefuseUnknownKeys(const nlohmann::json& options, const OptionsSpec& spec);

/// The API's check of a site's options for one platform: `parse`'s rules for the keys it
/// knows, then RefuseUnknownKeys.
template <typename Options>
Status ValidateOptions(std::string_view options_json, const OptionsSpec& spec,
                       Result<Options> (*parse)(std::string_view)) {
    if (auto options = parse(options_json); !options) return options.error();
    auto object = ParseOptionsObject(options_json, spec);
    if (!object) return object.error();
    return RefuseUnknownKeys(*object, spec);
}

}  // namespace herald::publishers::common
