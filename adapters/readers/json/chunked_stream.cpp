#include "adapters/readers/json/chunked_stream.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace opcat::adapters::json {

ChunkedStream::ChunkedStream(ByteSource& source, std::size_t headroom)
    : source_(source),
      headroom_(headroom),
      storage_(new char[headroom + kChunkBytes]),
      data_(storage_.get() + headroom),
      cur_(data_),
      end_(data_),
      stop_(data_),
      resume_(data_) {}

void ChunkedStream::set_limit(std::size_t offset) {
  limit_ = offset;
  over_limit_ = false;
  update_stop();
}

void ChunkedStream::update_stop() {
  const std::size_t available = static_cast<std::size_t>(end_ - data_);
  const std::size_t until_limit = limit_ > base_ ? limit_ - base_ : 0;
  stop_ = data_ + std::min(available, until_limit);
  // Primed bytes sit before resume_ and are always readable.
  if (stop_ < cur_) stop_ = cur_ < resume_ ? resume_ : cur_;
}

ChunkedStream::Ch ChunkedStream::slow_peek() {
  if (cur_ < end_) {
    over_limit_ = true;
    return '\0';
  }
  if (eof_ || nul_) return '\0';
  refill();
  if (cur_ < stop_) return *cur_;
  if (cur_ < end_) over_limit_ = true;
  return '\0';
}

ChunkedStream::Ch ChunkedStream::slow_take() {
  const Ch c = slow_peek();
  if (cur_ < stop_) ++cur_;
  return c;
}

void ChunkedStream::refill() {
  base_ += static_cast<std::size_t>(end_ - data_);
  cur_ = end_ = resume_ = data_;
  append_from_source();
  update_stop();
}

bool ChunkedStream::append_from_source() {
  char* free_space = data_ + (end_ - data_);
  const std::size_t room = kChunkBytes - static_cast<std::size_t>(end_ - data_);
  const std::size_t n = source_.read(free_space, room);
  if (n == 0) {
    eof_ = true;
    return false;
  }
  // A NUL byte would read as the end to RapidJSON: end the valid bytes there and say so.
  if (const void* nul = std::memchr(free_space, '\0', n)) {
    end_ = static_cast<const char*>(nul);
    nul_ = true;
    return false;
  }
  end_ = free_space + n;
  return true;
}

void ChunkedStream::prime(std::string_view bytes) {
  // The bytes before cur_ were consumed (or are headroom), so the primed ones can go there.
  if (bytes.size() > headroom_ + static_cast<std::size_t>(cur_ - data_)) {
    throw std::logic_error("ChunkedStream::prime: more bytes than the headroom");
  }
  char* start = data_ + (cur_ - data_) - static_cast<std::ptrdiff_t>(bytes.size());
  std::memcpy(start, bytes.data(), bytes.size());
  resume_ = cur_;
  cur_ = start;
  update_stop();
}

void ChunkedStream::skip_byte_order_mark() {
  // A source may hand out one byte per read: gather the three a mark takes.
  while (!eof_ && !nul_ && end_ - data_ < 3 && append_from_source()) {
  }
  update_stop();
  if (end_ - cur_ >= 3 && std::memcmp(cur_, "\xEF\xBB\xBF", 3) == 0) cur_ += 3;
}

void ChunkedStream::skip_whitespace() {
  for (;;) {
    const Ch c = Peek();
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
    Take();
  }
}

}  // namespace opcat::adapters::json
