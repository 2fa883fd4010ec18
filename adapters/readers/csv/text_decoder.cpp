#include "adapters/readers/csv/text_decoder.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace opcat::adapters {
namespace {

constexpr std::size_t kChunk = std::size_t{64} * 1024;
const iconv_t kNoConverter = reinterpret_cast<iconv_t>(-1);

// "0xE9 0x74"
std::string hex_bytes(std::string_view bytes) {
  std::string result;
  for (char byte : bytes) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%02X", static_cast<unsigned char>(byte));
    if (!result.empty()) result += ' ';
    result += text;
  }
  return result;
}

std::string not_a_character(std::string_view encoding, std::uint64_t offset,
                            std::string_view bytes) {
  return "invalid " + std::string(encoding) + " at byte offset " + std::to_string(offset) + ": " +
         hex_bytes(bytes) + " is not a character";
}

bool starts_with(const char* bytes, std::size_t size, std::string_view prefix) {
  return size >= prefix.size() && std::memcmp(bytes, prefix.data(), prefix.size()) == 0;
}

}  // namespace

Utf8Decoder::Utf8Decoder(ByteSource& source, TextEncoding encoding)
    : source_(source), declared_(encoding), raw_(std::make_unique<char[]>(kChunk)) {}

Utf8Decoder::~Utf8Decoder() {
  if (converter_ != kNoConverter) iconv_close(converter_);
}

std::size_t Utf8Decoder::read(char* buffer, std::size_t size) {
  if (error_) throw InvalidText(*error_);
  if (mode_ == Mode::start) read_byte_order_mark();
  for (;;) {
    if (begin_ == end_ || needs_more_) {
      if (source_done_) return finish();
      fill();
      continue;
    }
    std::size_t produced = 0;
    switch (mode_) {
      case Mode::start:  // replaced by read_byte_order_mark()
      case Mode::ascii:
        produced = pass_ascii(buffer, size);
        break;
      case Mode::utf8:
        produced = pass_utf8(buffer, size);
        break;
      case Mode::converted:
        produced = convert(buffer, size);
        break;
    }
    if (produced > 0) return produced;
  }
}

void Utf8Decoder::fill() {
  if (begin_ > 0) {
    std::memmove(raw_.get(), raw_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  needs_more_ = false;
  if (end_ == kChunk) return;
  const std::size_t n = source_.read(raw_.get() + end_, kChunk - end_);
  if (n == 0) source_done_ = true;
  end_ += n;
}

void Utf8Decoder::read_byte_order_mark() {
  while (end_ < 3 && !source_done_) fill();  // a source may hand out a byte at a time
  const char* bytes = raw_.get();
  if (starts_with(bytes, end_, "\xEF\xBB\xBF")) {
    begin_ = 3;
    utf8_byte_order_mark_ = true;
    mode_ = Mode::utf8;
    encoding_name_ = "UTF-8";
  } else if (starts_with(bytes, end_, "\xFF\xFE")) {
    begin_ = 2;
    convert_from("UTF-16LE", "UTF-16LE");
  } else if (starts_with(bytes, end_, "\xFE\xFF")) {
    begin_ = 2;
    convert_from("UTF-16BE", "UTF-16BE");
  } else {
    switch (declared_) {
      case TextEncoding::utf8:
        mode_ = Mode::utf8;
        encoding_name_ = "UTF-8";
        break;
      case TextEncoding::windows1252:
        convert_from("WINDOWS-1252", "Windows-1252");
        break;
      case TextEncoding::utf16:
        fail(
            "the encoding is UTF-16 but the file does not start with a byte order mark (BOM), "
            "so whether it is UTF-16LE or UTF-16BE is unknown");
      case TextEncoding::automatic:
        mode_ = Mode::ascii;
        encoding_name_ = "UTF-8";
        break;
    }
  }
  offset_ = begin_;
}

void Utf8Decoder::convert_from(const char* iconv_name, std::string encoding_name) {
  converter_ = iconv_open("UTF-8", iconv_name);
  if (converter_ == kNoConverter) {
    throw std::runtime_error(std::string("iconv cannot convert from ") + iconv_name + ": " +
                             std::strerror(errno));
  }
  mode_ = Mode::converted;
  encoding_name_ = std::move(encoding_name);
}

std::size_t Utf8Decoder::copy_out(char* buffer, std::size_t size) {
  std::memcpy(buffer, raw_.get() + begin_, size);
  begin_ += size;
  offset_ += size;
  return size;
}

// Automatic encoding: ASCII reads the same either way, so the choice waits for the first
// non-ASCII byte and is made on as much text from there as a chunk holds.
std::size_t Utf8Decoder::pass_ascii(char* buffer, std::size_t size) {
  const char* bytes = raw_.get();
  std::size_t ascii = begin_;
  const std::size_t limit = std::min(end_, begin_ + size);
  while (ascii < limit && static_cast<unsigned char>(bytes[ascii]) < 0x80) ++ascii;
  if (ascii > begin_) return copy_out(buffer, ascii - begin_);

  while (end_ < kChunk && !source_done_) fill();
  Utf8Validator trial;
  const std::size_t available = end_ - begin_;
  const bool valid = trial.scan(raw_.get() + begin_, available) == available &&
                     !(trial.in_character() && source_done_);
  if (valid) {
    mode_ = Mode::utf8;
  } else {
    convert_from("WINDOWS-1252", "Windows-1252");
  }
  return 0;
}

std::size_t Utf8Decoder::pass_utf8(char* buffer, std::size_t size) {
  const std::size_t available = std::min(size, end_ - begin_);
  const std::size_t valid = validator_.scan(raw_.get() + begin_, available);
  if (valid == available) return copy_out(buffer, valid);

  const std::string_view rejected = validator_.rejected();
  std::string message = not_a_character("UTF-8", offset_ + valid + 1 - rejected.size(), rejected);
  if (utf8_byte_order_mark_) {
    message += "; the file starts with a UTF-8 byte order mark, so it is read as UTF-8";
  } else if (declared_ == TextEncoding::automatic) {
    message +=
        "; the file was taken for UTF-8 from its first non-ASCII text: "
        "set reader.encoding if it is in another encoding";
  } else {
    message += "; if the file is in Windows-1252, set reader.encoding = \"windows-1252\"";
  }
  error_ = std::move(message);
  if (valid == 0) throw InvalidText(*error_);
  return copy_out(buffer, valid);
}

std::size_t Utf8Decoder::convert(char* buffer, std::size_t size) {
  char* in = raw_.get() + begin_;
  std::size_t in_left = end_ - begin_;
  char* out = buffer;
  std::size_t out_left = size;
  const std::size_t result = iconv(converter_, &in, &in_left, &out, &out_left);
  const int error = errno;
  const std::size_t consumed = (end_ - begin_) - in_left;
  begin_ += consumed;
  offset_ += consumed;
  const std::size_t produced = size - out_left;
  if (result != static_cast<std::size_t>(-1)) return produced;

  if (error == E2BIG) {
    if (produced == 0) throw std::invalid_argument("Utf8Decoder::read: buffer under 4 bytes");
    return produced;
  }
  if (error == EINVAL) {  // a character split across chunks: read on, then carry on from it
    needs_more_ = true;
    return produced;
  }
  // iconv stops at the start of the bad character: show a code unit of it.
  const std::size_t unit = encoding_name_.starts_with("UTF-16") ? 2 : 1;
  error_ = not_a_character(encoding_name_, offset_,
                           std::string_view(raw_.get() + begin_, std::min(unit, end_ - begin_)));
  if (produced == 0) throw InvalidText(*error_);
  return produced;
}

std::size_t Utf8Decoder::finish() {
  if (begin_ != end_ || validator_.in_character()) {
    fail("the file ends in the middle of a " + encoding_name_ + " character");
  }
  return 0;
}

void Utf8Decoder::fail(std::string message) {
  error_ = std::move(message);
  throw InvalidText(*error_);
}

}  // namespace opcat::adapters
