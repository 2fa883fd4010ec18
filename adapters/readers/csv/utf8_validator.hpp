// Incremental UTF-8 validation (Unicode 15, table 3-7): no overlong forms, no surrogates, nothing
// past U+10FFFF. A character may be split across calls, as chunk boundaries fall anywhere.
#pragma once

#include <cstddef>
#include <string_view>

namespace opcat::adapters {

class Utf8Validator {
 public:
  // How many bytes of `text` are valid UTF-8 given what came before: `size` when all are, else the
  // index of the first byte that cannot be part of a character there. Bytes of a character that
  // is still incomplete at the end count as valid; in_character() says so.
  std::size_t scan(const char* text, std::size_t size);

  // Whether the bytes so far end in the middle of a character.
  bool in_character() const { return continuation_bytes_ != 0; }

  // After scan() stopped short: the bytes of the rejected character, from its first byte (which
  // an earlier call may have seen) to the byte that cannot follow; for messages.
  std::string_view rejected() const { return {character_, character_size_}; }

 private:
  unsigned continuation_bytes_ = 0;  // still expected for the current character
  char character_[4] = {};           // the current character's bytes so far
  std::size_t character_size_ = 0;
  unsigned char low_ = 0x80;  // the range allowed for the next continuation byte
  unsigned char high_ = 0xBF;
};

}  // namespace opcat::adapters
