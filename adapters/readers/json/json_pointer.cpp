#include "adapters/readers/json/json_pointer.hpp"

#include <stdexcept>

namespace opcat::adapters::json {
namespace {

[[noreturn]] void invalid(std::string_view text, std::string_view why) {
  throw std::invalid_argument("invalid JSON Pointer \"" + std::string(text) +
                              "\": " + std::string(why));
}

// RFC 6901 array indexes: "0" or digits without a leading zero. Nine digits at most, which is
// more elements than a record can hold within any size limit we accept.
std::optional<std::uint32_t> array_index(std::string_view token) {
  if (token.empty() || token.size() > 9) return std::nullopt;
  if (token.size() > 1 && token[0] == '0') return std::nullopt;
  std::uint32_t value = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return value;
}

PointerSegment segment(std::string_view text, std::string_view escaped) {
  PointerSegment result;
  result.token.reserve(escaped.size());
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] != '~') {
      result.token += escaped[i];
      continue;
    }
    const char next = i + 1 < escaped.size() ? escaped[i + 1] : '\0';
    if (next != '0' && next != '1') invalid(text, "\"~\" must be followed by 0 or 1");
    result.token += next == '0' ? '~' : '/';
    ++i;
  }
  result.wildcard = escaped == "*";
  result.index = array_index(result.token);
  return result;
}

}  // namespace

JsonPointer parse_json_pointer(std::string_view text) {
  JsonPointer pointer;
  pointer.text = std::string(text);
  if (text.empty()) return pointer;
  if (text.front() != '/') invalid(text, "must be empty or start with \"/\"");
  std::size_t start = 1;
  for (;;) {
    const std::size_t slash = text.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? text.size() : slash;
    pointer.segments.push_back(segment(text, text.substr(start, end - start)));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return pointer;
}

void append_pointer_token(std::string& pointer, std::string_view token) {
  pointer += '/';
  for (char c : token) {
    if (c == '~') {
      pointer += "~0";
    } else if (c == '/') {
      pointer += "~1";
    } else {
      pointer += c;
    }
  }
}

void append_pointer_index(std::string& pointer, std::uint64_t index) {
  pointer += '/';
  pointer += std::to_string(index);
}

}  // namespace opcat::adapters::json
