#include "adapters/readers/csv/utf8_validator.hpp"

#include <cstdint>
#include <cstring>

namespace opcat::adapters {
namespace {

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Skips ASCII eight bytes at a time: most of a member's export is ASCII.
std::size_t skip_ascii(const unsigned char* text, std::size_t i, std::size_t size) {
  while (i + 8 <= size) {
    std::uint64_t word;
    std::memcpy(&word, text + i, sizeof word);
    if ((word & kHighBits) != 0) break;
    i += 8;
  }
  while (i < size && text[i] < 0x80) ++i;
  return i;
}

}  // namespace

std::size_t Utf8Validator::scan(const char* text, std::size_t size) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text);
  std::size_t i = 0;
  while (i < size) {
    if (continuation_bytes_ == 0) {
      i = skip_ascii(bytes, i, size);
      if (i == size) break;
      const unsigned char lead = bytes[i];
      low_ = 0x80;
      high_ = 0xBF;
      if (lead >= 0xC2 && lead <= 0xDF) {
        continuation_bytes_ = 1;
      } else if (lead >= 0xE0 && lead <= 0xEF) {
        continuation_bytes_ = 2;
        if (lead == 0xE0) low_ = 0xA0;   // below is overlong
        if (lead == 0xED) high_ = 0x9F;  // above are the UTF-16 surrogates
      } else if (lead >= 0xF0 && lead <= 0xF4) {
        continuation_bytes_ = 3;
        if (lead == 0xF0) low_ = 0x90;   // below is overlong
        if (lead == 0xF4) high_ = 0x8F;  // above is past U+10FFFF
      } else {
        character_[0] = text[i];
        character_size_ = 1;
        return i;  // a continuation byte without a lead, C0/C1 (overlong) or F5..FF
      }
      character_[0] = text[i];
      character_size_ = 1;
      ++i;
      continue;
    }
    const unsigned char next = bytes[i];
    character_[character_size_++] = text[i];
    if (next < low_ || next > high_) return i;
    low_ = 0x80;
    high_ = 0xBF;
    --continuation_bytes_;
    ++i;
  }
  return size;
}

}  // namespace opcat::adapters
