#include "adapters/core/utf8_text.hpp"

#include <rapidjson/encodings.h>
#include <rapidjson/stream.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <cstring>

namespace opcat::adapters {

std::string valid_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    // At most four bytes make a sequence; the zero padding fails any sequence cut short. RapidJSON's
    // decoder checks exactly RFC 3629.
    char window[5] = {};
    std::memcpy(window, in.data() + i, std::min<std::size_t>(4, in.size() - i));
    rapidjson::StringStream sequence(window);
    rapidjson::StringBuffer ignored;
    if (window[0] != '\0' && rapidjson::UTF8<>::Validate(sequence, ignored)) {
      out.append(window, sequence.Tell());
      i += sequence.Tell();
    } else if (window[0] == '\0') {
      out.push_back('\0');  // U+0000 is valid UTF-8 (JSON writers escape it)
      ++i;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

std::string utf8_excerpt(std::string_view in, std::size_t max_bytes) {
  if (in.size() <= max_bytes) return valid_utf8(in);
  std::size_t cut = max_bytes;
  // Back over continuation bytes (10xxxxxx) to the start of the sequence the cut would split.
  while (cut > 0 && (static_cast<unsigned char>(in[cut]) & 0xC0) == 0x80) --cut;
  return valid_utf8(in.substr(0, cut)) + "...";
}

}  // namespace opcat::adapters
