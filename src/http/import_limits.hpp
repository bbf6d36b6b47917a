#pragma once
// The limits of one bulk import (the README and docs/planner-io.md quote them); light, so the
// route table can name the import's body limit without the import's parsers.

#include <cstddef>

namespace herald::http {

inline constexpr size_t kMaxImportBodyBytes = size_t{32} * 1024 * 1024;
inline constexpr size_t kMaxImportItems = 20'000;
inline constexpr size_t kMaxUnzippedBytes = size_t{64} * 1024 * 1024;  // all files together

}  // namespace herald::http
