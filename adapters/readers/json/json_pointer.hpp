// JSON Pointers (RFC 6901) as the JSON reader uses them, for the `records` setting and for the
// mapping's selectors, with one extension: a "*" segment matches any array index or object key
// ("/pages/*/locations" in a paginated API dump). A literal "*" key cannot be addressed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opcat::adapters::json {

struct PointerSegment {
  std::string token;  // unescaped: "a/b" for "a~1b"
  bool wildcard = false;
  // The token as an array index when it is one ("0", "17"; not "01", "-", "1e3").
  std::optional<std::uint32_t> index;

  bool matches_key(std::string_view key) const { return wildcard || token == key; }
  bool matches_index(std::uint64_t position) const { return wildcard || index == position; }
};

struct JsonPointer {
  std::string text;  // as the mapping wrote it, for messages
  std::vector<PointerSegment> segments;
};

// "" (the whole value) or "/a/b~1c/0/*". Throws std::invalid_argument naming the pointer.
JsonPointer parse_json_pointer(std::string_view text);

// Appends "/<token>" with "~" and "/" escaped, so that locators are valid JSON Pointers.
void append_pointer_token(std::string& pointer, std::string_view token);
void append_pointer_index(std::string& pointer, std::uint64_t index);

}  // namespace opcat::adapters::json
