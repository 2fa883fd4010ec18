// The explicit list of input formats. Adding a format is one entry here and one folder beside
// this file; there is no self-registration magic.
#pragma once

#include <toml++/toml.h>

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "adapters/core/byte_source.hpp"
#include "adapters/core/reader.hpp"

namespace opcat::adapters {

// Builds a reader over one export. Made once per mapping, used for every export of that member.
using ReaderFactory = std::function<std::unique_ptr<Reader>(ByteSource& source)>;

struct ReaderKind {
  std::string_view name;     // what a mapping file writes in `reader = "csv"`
  std::string_view summary;  // for `opcat-gateway adapters`
  // Validates the mapping file's [reader] table (null when absent) and returns the factory;
  // throws config::ConfigError naming "reader.<key>" and the line.
  ReaderFactory (*configure)(const toml::table* settings);
};

const std::vector<ReaderKind>& reader_kinds();
const ReaderKind* find_reader_kind(std::string_view name);

}  // namespace opcat::adapters
