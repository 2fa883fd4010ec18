#include "adapters/schema/xml_text.hpp"

#include <cstdint>
#include <cstdio>

namespace opcat::schema {
namespace {

std::string code_point_name(std::uint32_t cp) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(cp));
  return buffer;
}

bool is_xml_char(std::uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

}  // namespace

std::optional<std::string> xml_text_problem(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    // Most text is printable ASCII: step over it without decoding.
    if (lead >= 0x20 && lead < 0x80) {
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    std::size_t length = 0;
    if (lead < 0x80) {
      cp = lead;
      length = 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      cp = lead & 0x1Fu;
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      cp = lead & 0x0Fu;
      length = 3;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      cp = lead & 0x07u;
      length = 4;
    } else {
      return "invalid UTF-8 at byte " + std::to_string(i);
    }
    if (i + length > text.size()) return "invalid UTF-8 at byte " + std::to_string(i);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0u) != 0x80u) return "invalid UTF-8 at byte " + std::to_string(i);
      cp = (cp << 6) | (next & 0x3Fu);
    }
    // Overlong forms and surrogates are not UTF-8 either.
    const bool overlong = (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000);
    if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return "invalid UTF-8 at byte " + std::to_string(i);
    }
    if (!is_xml_char(cp)) {
      return "contains " + code_point_name(cp) +
             ", which XML 1.0 cannot carry (of the control characters only tab, line feed and "
             "carriage return are allowed)";
    }
    i += length;
  }
  return std::nullopt;
}

}  // namespace opcat::schema
