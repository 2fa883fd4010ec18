#include "adapters/readers/xml/source_feed.hpp"

#include <algorithm>

namespace opcat::adapters {

int SourceFeed::read(void* feed, char* buffer, int size) {
  auto& self = *static_cast<SourceFeed*>(feed);
  if (size <= 0) return 0;
  const std::uint64_t used = self.delivered_ - self.window_start_;
  if (used >= self.budget_) {
    self.over_budget_ = true;
    return -1;
  }
  const std::size_t wanted = static_cast<std::size_t>(
      std::min<std::uint64_t>(static_cast<std::uint64_t>(size), self.budget_ - used));
  // Exceptions must not unwind through libxml2's C frames: keep it and report a failed read.
  try {
    const std::size_t got = self.fill(buffer, wanted);
    self.delivered_ += got;
    return static_cast<int>(got);
  } catch (...) {
    self.source_failure_ = std::current_exception();
    return -1;
  }
}

int SourceFeed::close(void* /*feed*/) {
  return 0;
}  // the caller owns the ByteSource

void SourceFeed::rethrow_source_failure() const {
  if (source_failure_) std::rethrow_exception(source_failure_);
}

// Fills the whole buffer unless the source ends: a source that trickles (a pipe, a socket, one
// byte at a time) then parses exactly as a file does.
std::size_t SourceFeed::fill(char* buffer, std::size_t size) {
  std::size_t filled = 0;
  while (filled < size) {
    const std::size_t got = source_.read(buffer + filled, size - filled);
    if (got == 0) break;
    filled += got;
  }
  return filled;
}

}  // namespace opcat::adapters
