// A RapidJSON input stream (the Peek/Take/Tell concept) that pulls a ByteSource in 64 KiB chunks,
// so the parser never sees more than one chunk of the export at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "adapters/core/byte_source.hpp"

namespace opcat::adapters::json {

class ChunkedStream {
 public:
  using Ch = char;
  static constexpr std::size_t kChunkBytes = std::size_t{64} << 10;

  // `headroom`: the most bytes prime() will ever be given.
  ChunkedStream(ByteSource& source, std::size_t headroom);

  // RapidJSON's stream concept. '\0' means the end: of the input, at a NUL byte (which JSON
  // text cannot contain), or at the limit.
  Ch Peek() { return cur_ < stop_ ? *cur_ : slow_peek(); }
  Ch Take() { return cur_ < stop_ ? *cur_++ : slow_take(); }
  // Offset in the input of the next real byte. Inline: RapidJSON asks before every character of
  // a string that it validates.
  std::size_t Tell() const {
    const char* position = cur_ < resume_ ? resume_ : cur_;
    return base_ + static_cast<std::size_t>(position - data_);
  }
  // Output half of the concept, used only by in-situ parsing, which the reader never asks for.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }

  // Makes the stream end at input offset `offset` (not before the current position), so that
  // RapidJSON, which buffers a string whole, never holds more than the caller allows.
  void set_limit(std::size_t offset);
  // Whether the parser was stopped by the limit rather than by the input.
  bool over_limit() const { return over_limit_; }

  // The next Peek/Take return `bytes` first, then the input again; Tell() does not move.
  void prime(std::string_view bytes);

  // At the start of the input only: skips a UTF-8 byte order mark, which editors on Windows add.
  void skip_byte_order_mark();
  void skip_whitespace();
  bool at_end() { return Peek() == '\0'; }
  bool at_end_of_input() const { return eof_ && cur_ == end_; }
  // Whether the stream ended at a NUL byte, and its offset.
  bool stopped_at_nul() const { return nul_ && cur_ == end_; }
  std::size_t nul_offset() const { return base_ + static_cast<std::size_t>(end_ - data_); }

 private:
  Ch slow_peek();
  Ch slow_take();
  void refill();
  // Reads once from the source into the free space after end_; false at the end of the input.
  bool append_from_source();
  void update_stop();

  ByteSource& source_;
  std::size_t headroom_;
  std::unique_ptr<char[]> storage_;  // headroom_ bytes for prime(), then one chunk
  char* data_;                       // the chunk: data_[0] is at input offset base_
  const char* cur_;
  const char* end_;     // end of the valid bytes (stops short of a NUL byte)
  const char* stop_;    // min(end_, the limit)
  const char* resume_;  // where real bytes continue after primed ones
  std::size_t base_ = 0;
  std::size_t limit_ = static_cast<std::size_t>(-1);
  bool eof_ = false;
  bool nul_ = false;
  bool over_limit_ = false;
};

}  // namespace opcat::adapters::json
