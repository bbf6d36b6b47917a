#include "domain/delivery_options.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace herald::domain {
namespace {

struct Parsed {
    DeliveryOptions options;
    std::string problem;  // first bad key
};

Parsed Parse(std::string_view options_json) {
    Parsed out;
    const bool mentions = options_json.find("max_in_flight") != std::string_view::npos ||
                          options_json.find("rate_limit_") != std::string_view::npos ||
                          options_json.find("retry_window_minutes") != std::string_view::npos;
    if (!mentions) return out;  // the common case costs no parse
    const auto json = nlohmann::json::parse(options_json, nullptr, false);
    if (!json.is_object()) return out;
    const auto whole = [&](const char* key, int min, int max, std::optional<int>& into) {
        const auto it = json.find(key);
        if (it == json.end()) return;
        const bool whole_number =
            it->is_number_integer() ||
            (it->is_number_float() && std::trunc(it->get<double>()) == it->get<double>());
        if (!whole_number || it->get<double>() < min || it->get<double>() > max) {
            if (out.problem.empty())
                out.problem =
                    fmt::format("options.{} must be a whole number from {} to {}", key, min, max);
            return;
        }
        into = static_cast<int>(it->get<double>());
    };
    const auto number = [&](const char* key, double min, std::optional<double>& into) {
        const auto it = json.find(key);
        if (it == json.end()) return;
        if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < min) {
            if (out.problem.empty())
                out.problem = fmt::format("options.{} must be a number of at least {}", key, min);
            return;
        }
        into = it->get<double>();
    };
    whole("max_in_flight", 1, 1'000'000, out.options.max_in_flight);
    number("rate_limit_per_minute", 0, out.options.rate_limit_per_minute);
    number("rate_limit_burst", 1, out.options.rate_limit_burst);
    whole("retry_window_minutes", 0, kMaxRetryWindowMinutes, out.options.retry_window_minutes);
    return out;
}

}  // namespace

DeliveryOptions ReadDeliveryOptions(std::string_view options_json) {
    return Parse(options_json).options;
}

std::string ValidateDeliveryOptions(std::string_view options_json) {
    return Parse(options_json).problem;
}

}  // namespace herald::domain
