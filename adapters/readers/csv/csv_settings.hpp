// The [reader] table of a CSV member's mapping file, validated.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <optional>

#include "adapters/readers/csv/text_decoder.hpp"

namespace opcat::adapters {

struct CsvSettings {
  std::optional<char> delimiter;  // delimiter = "auto" (the default): sniffed from the header
  TextEncoding encoding = TextEncoding::utf8;
  std::size_t header_row = 1;  // the physical line of the header; the lines before are a preamble
  std::size_t max_field_bytes = std::size_t{16} << 20;
  std::size_t max_row_bytes = std::size_t{64} << 20;
};

// Reads `settings` (null when the mapping has no [reader] table). Throws config::ConfigError
// naming "reader.<key>" and its line for unknown keys and bad values.
CsvSettings parse_csv_settings(const toml::table* settings);

}  // namespace opcat::adapters
