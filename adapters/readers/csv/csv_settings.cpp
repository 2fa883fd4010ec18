#include "adapters/readers/csv/csv_settings.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>

#include "gateway/config/toml_section.hpp"

namespace opcat::adapters {
namespace {

constexpr std::int64_t kMaxLimit = std::int64_t{1} << 30;  // offsets in a row are 32-bit
constexpr std::int64_t kMaxHeaderRow = 1'000'000;

std::optional<char> delimiter_named(const std::string& name) {
  if (name == "auto") return std::nullopt;
  if (name == "," || name == ";" || name == "|" || name == "\t") return name[0];
  if (name == "tab") return '\t';
  throw std::invalid_argument(R"(must be "auto", ",", ";", "\t" (or "tab") or "|", got ")" + name +
                              "\"");
}

TextEncoding encoding_named(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "utf-8") return TextEncoding::utf8;
  if (lower == "windows-1252") return TextEncoding::windows1252;
  if (lower == "utf-16") return TextEncoding::utf16;
  if (lower == "auto") return TextEncoding::automatic;
  throw std::invalid_argument(R"(must be "utf-8", "windows-1252", "utf-16" or "auto", got ")" +
                              name + "\"");
}

}  // namespace

CsvSettings parse_csv_settings(const toml::table* settings) {
  const config::detail::Section section(
      settings, "reader",
      {"delimiter", "encoding", "header_row", "max_field_bytes", "max_row_bytes"});
  CsvSettings parsed;
  if (auto delimiter = section.converted("delimiter", delimiter_named))
    parsed.delimiter = *delimiter;
  if (auto encoding = section.converted("encoding", encoding_named)) parsed.encoding = *encoding;
  if (auto row = section.integer("header_row", 1, kMaxHeaderRow)) {
    parsed.header_row = static_cast<std::size_t>(*row);
  }
  if (auto limit = section.integer("max_field_bytes", 1, kMaxLimit)) {
    parsed.max_field_bytes = static_cast<std::size_t>(*limit);
  }
  if (auto limit = section.integer("max_row_bytes", 1, kMaxLimit)) {
    parsed.max_row_bytes = static_cast<std::size_t>(*limit);
  }
  if (parsed.max_row_bytes < parsed.max_field_bytes) {
    const toml::node* node = section.find("max_row_bytes");
    config::detail::fail(
        section.key(node != nullptr ? "max_row_bytes" : "max_field_bytes"),
        "reader.max_row_bytes (" + std::to_string(parsed.max_row_bytes) +
            ") must not be smaller than reader.max_field_bytes (" +
            std::to_string(parsed.max_field_bytes) + ")",
        node != nullptr ? &node->source() : &section.find("max_field_bytes")->source());
  }
  return parsed;
}

}  // namespace opcat::adapters
