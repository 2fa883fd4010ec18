// Finding the next of three bytes eight bytes at a time (SWAR): fields are scanned for the
// delimiter and line ends, quoted text for the quote and line ends, and that scan is the
// reader's hot loop.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace opcat::adapters {

class ByteScan {
 public:
  ByteScan(char a, char b, char c) : a_(spread(a)), b_(spread(b)), c_(spread(c)) {}

  // The first of the three bytes in [cursor, stop), or stop.
  const char* find(const char* cursor, const char* stop) const {
    if constexpr (std::endian::native == std::endian::little) {
      while (stop - cursor >= 8) {
        std::uint64_t word;
        std::memcpy(&word, cursor, sizeof word);
        // The lowest flagged byte is exact; the borrow can only flag bytes above it.
        const std::uint64_t found =
            zero_byte(word ^ a_) | zero_byte(word ^ b_) | zero_byte(word ^ c_);
        if (found != 0) return cursor + std::countr_zero(found) / 8;
        cursor += 8;
      }
    }
    const char a = static_cast<char>(a_), b = static_cast<char>(b_), c = static_cast<char>(c_);
    while (cursor != stop && *cursor != a && *cursor != b && *cursor != c) ++cursor;
    return cursor;
  }

 private:
  static constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  static constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

  static std::uint64_t spread(char byte) { return kOnes * static_cast<unsigned char>(byte); }
  static std::uint64_t zero_byte(std::uint64_t word) { return (word - kOnes) & ~word & kHighs; }

  std::uint64_t a_, b_, c_;
};

}  // namespace opcat::adapters
