#pragma once
// Small text helpers shared by the layers.

#include <cstddef>
#include <string_view>

namespace herald {

/// The longest prefix of `text` of at most `max_bytes` bytes that does not end inside a UTF-8
/// character, for echoing user input back in messages without producing invalid UTF-8.
inline std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    size_t end = max_bytes;
    // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return text.substr(0, end);
}

}  // namespace herald
