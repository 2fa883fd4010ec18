// What XML 1.0 can carry: the records' JSON form may hold text its XML form cannot.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace opcat::schema {

// Why `text` cannot be XML 1.0 character data (invalid UTF-8, or a character outside the Char
// production: controls other than tab, LF and CR, U+FFFE, U+FFFF), or nothing when it can.
std::optional<std::string> xml_text_problem(std::string_view text);

}  // namespace opcat::schema
