#include "gateway/consolidation/digesting_stream.hpp"

namespace opcat::consolidation {

bool DigestingStreambuf::drain() {
  const std::streamsize pending = pptr() - pbase();
  if (pending == 0) return true;
  const std::streamsize written = target_.sputn(pbase(), pending);
  if (written > 0) {
    sha256_.update({pbase(), static_cast<std::size_t>(written)});
    bytes_ += static_cast<std::uint64_t>(written);
  }
  setp(buffer_.data(), buffer_.data() + buffer_.size());
  return written == pending;
}

DigestingStreambuf::int_type DigestingStreambuf::overflow(int_type c) {
  if (!drain()) return traits_type::eof();
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  *pptr() = traits_type::to_char_type(c);
  pbump(1);
  return c;
}

int DigestingStreambuf::sync() {
  if (!drain()) return -1;
  return target_.pubsync();
}

}  // namespace opcat::consolidation
