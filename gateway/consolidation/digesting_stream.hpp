// An output stream that passes every byte on to another and counts and hashes them on the way:
// the payload's size and SHA-256 (which the delivery sends in a header) without a second read.
#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <streambuf>
#include <string>

#include "adapters/core/sha256.hpp"

namespace opcat::consolidation {

class DigestingStreambuf final : public std::streambuf {
 public:
  explicit DigestingStreambuf(std::streambuf& target) : target_(target) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }

  // Bytes passed on so far (call after flushing the stream).
  std::uint64_t bytes() const { return bytes_; }
  // Once only, after the stream is flushed.
  std::string finish_hex() { return sha256_.finish_hex(); }

 protected:
  int_type overflow(int_type c) override;
  int sync() override;

 private:
  // Hashes and passes on what is buffered; false when the target refused bytes.
  bool drain();

  // Writers put one character at a time (RapidJSON's stream wrapper does): buffered, each byte
  // costs a store, not a virtual call and a digest update.
  std::array<char, 64 * 1024> buffer_;
  std::streambuf& target_;
  adapters::Sha256 sha256_;
  std::uint64_t bytes_ = 0;
};

}  // namespace opcat::consolidation
