// One row of a delimited file as split by CsvParser: its fields back to back in one buffer, so a
// row costs no allocation per field (and none at all once the buffers are warm).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace opcat::adapters {

struct CsvRecord {
  // The kept fields' contents, each followed by one separator byte (whatever it is): an
  // unquoted row is then stored as it is in the file, with one copy.
  std::string bytes;
  std::vector<std::uint32_t> ends;   // where each kept field ends in `bytes`
  std::size_t fields = 0;            // every field of the row, kept or not
  std::size_t line = 0;              // the 1-based physical line where the row starts
  std::size_t text_after_quote = 0;  // the first field (1-based) with text after its closing
                                     // quote ("ab"cd), or 0

  std::size_t kept() const { return ends.size(); }
  std::string_view field(std::size_t index) const {
    const std::size_t begin = index == 0 ? 0 : ends[index - 1] + 1;
    return std::string_view(bytes.data() + begin, ends[index] - begin);
  }
  void clear_fields() {
    bytes.clear();
    ends.clear();
    fields = 0;
    text_after_quote = 0;
  }
  void clear() {
    clear_fields();
    line = 0;
  }
};

}  // namespace opcat::adapters
