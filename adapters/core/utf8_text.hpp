// Text from outside (a client's path, a recipient's error body, a certificate name) made safe to
// put in JSON: invalid UTF-8 would make the whole document unparsable.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace opcat::adapters {

// `in` with each byte that does not start a valid UTF-8 sequence (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF) replaced by U+FFFD.
std::string valid_utf8(std::string_view in);

// At most `max_bytes` of `in`, cut at a character boundary (never inside a UTF-8 sequence), with
// "..." appended when anything was cut; invalid sequences replaced as by valid_utf8.
std::string utf8_excerpt(std::string_view in, std::size_t max_bytes);

}  // namespace opcat::adapters
