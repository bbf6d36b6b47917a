#include "storage/planner_columns.hpp"

#include <nlohmann/json.hpp>

#include "domain/planner_settings.hpp"
#include "storage/store_types.hpp"

namespace herald::storage {

std::string BlackoutsToJson(const std::vector<domain::BlackoutRange>& ranges) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : ranges) {
        out.push_back({{"from", domain::FormatLocalDate(r.from_day)},
                       {"to", domain::FormatLocalDate(r.to_day)},
                       {"reason", r.reason}});
    }
    return out.dump();
}

std::vector<domain::BlackoutRange> BlackoutsFromJson(const std::string& text) {
    std::vector<domain::BlackoutRange> out;
    try {
        const nlohmann::json parsed = nlohmann::json::parse(text);
        if (!parsed.is_array()) throw StorageError("corrupt blackout_dates: " + text);
        for (const auto& item : parsed) {
            const auto from = domain::ParseLocalDate(item.at("from").get<std::string>(), "from");
            const auto to = domain::ParseLocalDate(item.at("to").get<std::string>(), "to");
            if (!from || !to) throw StorageError("corrupt blackout_dates: " + text);
            out.push_back({*from, *to, item.value("reason", std::string())});
        }
    } catch (const nlohmann::json::exception& e) {
        throw StorageError(std::string("corrupt blackout_dates: ") + e.what());
    }
    return out;
}

domain::MissedSlotPolicy PolicyFromColumn(const std::string& text) {
    const auto parsed = domain::ParseMissedSlotPolicy(text);
    if (!parsed) throw StorageError("unexpected missed_slot_policy '" + text + "'");
    return *parsed;
}

}  // namespace herald::storage
