#pragma once
// What the fuzz targets share: a property check that aborts (a crash to libFuzzer, a failed
// test to the replay driver) and a small reader that turns fuzz bytes into choices.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond, what)                                                              \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            std::fprintf(stderr, "fuzz property violated at %s:%d: %s\n  (%s)\n", __FILE__, \
                         __LINE__, what, #cond);                                            \
            std::abort();                                                                   \
        }                                                                                   \
    } while (0)

namespace herald::fuzz {

/// Consumes fuzz bytes front to back; past the end every read is 0, so any input is usable.
class ByteReader {
public:
    ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

    uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    uint32_t U32() {
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v = (v << 8) | Byte();
        return v;
    }
    /// A value in [lo, hi].
    int64_t Range(int64_t lo, int64_t hi) {
        const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
        return lo + static_cast<int64_t>(U32() % span);
    }
    bool Bool() { return Byte() & 1; }
    std::string_view Rest() {
        const auto* begin = reinterpret_cast<const char*>(data_ + pos_);
        const size_t n = pos_ < size_ ? size_ - pos_ : 0;
        pos_ = size_;
        return {begin, n};
    }

private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

}  // namespace herald::fuzz
