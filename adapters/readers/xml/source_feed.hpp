// Feeds libxml2's streaming reader from a ByteSource, and bounds what one libxml2 call may pull:
// libxml2 reads as much as it needs to finish a node (xmlTextReaderExpand: a whole record), so
// the only place to stop an oversized record before it is in memory is the read callback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>

#include "adapters/core/byte_source.hpp"

namespace opcat::adapters {

class SourceFeed {
 public:
  SourceFeed(ByteSource& source, std::size_t budget) : source_(source), budget_(budget) {}

  // libxml2's xmlInputReadCallback and xmlInputCloseCallback; `feed` is a SourceFeed.
  static int read(void* feed, char* buffer, int size);
  static int close(void* feed);

  // Starts a new budget: call before each libxml2 call that may read.
  void open_window() { window_start_ = delivered_; }
  // True once the budget of the current window was refused to libxml2.
  bool over_budget() const { return over_budget_; }
  std::uint64_t delivered() const { return delivered_; }
  // Rethrows what the ByteSource threw, if it did: libxml2 only saw a failed read.
  void rethrow_source_failure() const;

 private:
  std::size_t fill(char* buffer, std::size_t size);

  ByteSource& source_;
  std::size_t budget_;
  std::uint64_t delivered_ = 0;
  std::uint64_t window_start_ = 0;
  bool over_budget_ = false;
  std::exception_ptr source_failure_;
};

}  // namespace opcat::adapters
