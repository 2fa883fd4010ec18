// Turns a member's export into UTF-8, chunk by chunk, whatever it was written in.
#pragma once

#include <iconv.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "adapters/core/byte_source.hpp"
#include "adapters/readers/csv/utf8_validator.hpp"

namespace opcat::adapters {

enum class TextEncoding {
  utf8,
  windows1252,
  utf16,      // LE or BE, told by the byte order mark, which is then required
  automatic,  // the byte order mark if any, else UTF-8 if the text is valid UTF-8, else
              // Windows-1252
};

// Bytes that are not text in the file's encoding. The message says what and at which byte offset
// of the file; the reader that catches it adds the row.
class InvalidText : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A ByteSource of valid UTF-8 read from `source`. A byte order mark decides the encoding whatever
// was declared (it cannot be mistaken) and is not passed on. Without one, "automatic" looks at the
// first non-ASCII bytes (up to 64 KiB of them): valid UTF-8 means UTF-8, anything else
// Windows-1252. Other encodings are converted with iconv, chunk by chunk.
// read() first returns every valid byte before an invalid one, then throws InvalidText on this and
// every later call.
class Utf8Decoder final : public ByteSource {
 public:
  Utf8Decoder(ByteSource& source, TextEncoding encoding);
  ~Utf8Decoder() override;
  Utf8Decoder(const Utf8Decoder&) = delete;
  Utf8Decoder& operator=(const Utf8Decoder&) = delete;

  // `size` must be at least 4, the longest UTF-8 character.
  std::size_t read(char* buffer, std::size_t size) override;
  std::string name() const override { return source_.name(); }

 private:
  enum class Mode {
    start,     // the byte order mark is not looked at yet
    ascii,     // automatic, and only ASCII so far: UTF-8 and Windows-1252 still both possible
    utf8,      // validated and passed through
    converted  // through iconv
  };

  void read_byte_order_mark();
  void convert_from(const char* iconv_name, std::string encoding_name);
  std::size_t pass_ascii(char* buffer, std::size_t size);
  std::size_t pass_utf8(char* buffer, std::size_t size);
  std::size_t convert(char* buffer, std::size_t size);
  std::size_t finish();
  // Moves what is left of the raw chunk to its start and reads once into the rest.
  void fill();
  std::size_t copy_out(char* buffer, std::size_t size);
  [[noreturn]] void fail(std::string message);

  ByteSource& source_;
  TextEncoding declared_;
  Mode mode_ = Mode::start;
  std::string encoding_name_;  // what the file is read as, for messages: "UTF-8", "UTF-16LE"...
  bool utf8_byte_order_mark_ = false;  // for messages: it, not the setting, made the file UTF-8
  iconv_t converter_ = reinterpret_cast<iconv_t>(-1);
  Utf8Validator validator_;

  std::unique_ptr<char[]> raw_;  // bytes from the source not yet passed on
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool source_done_ = false;
  bool needs_more_ = false;           // what is left of the raw chunk is an incomplete character
  std::uint64_t offset_ = 0;          // where raw_[begin_] is in the file
  std::optional<std::string> error_;  // once set, every read throws it
};

}  // namespace opcat::adapters
