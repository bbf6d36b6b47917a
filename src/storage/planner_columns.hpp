#pragma once
// The planner settings' stored forms, shared by both backends: missed_slot_policy as its
// API name, blackout_dates as a JSON array of {"from", "to", "reason"} with YYYY-MM-DD dates
// (readable in the database and in `herald db copy`).

#include <string>
#include <string_view>
#include <vector>

#include "domain/model.hpp"

namespace herald::storage {

std::string BlackoutsToJson(const std::vector<domain::BlackoutRange>& ranges);
/// @throws StorageError when the stored text is not such an array.
std::vector<domain::BlackoutRange> BlackoutsFromJson(const std::string& text);
/// @throws StorageError on an unknown name.
domain::MissedSlotPolicy PolicyFromColumn(const std::string& text);

}  // namespace herald::storage
