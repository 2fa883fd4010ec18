// The CSV reader: delimited text exports (RFC 4180 and real-world variants) in UTF-8,
// Windows-1252 or UTF-16, one SourceNode per data row, columns bound by header name.
#pragma once

#include <toml++/toml.h>

#include <memory>

#include "adapters/core/byte_source.hpp"
#include "adapters/core/reader.hpp"
#include "adapters/readers/csv/csv_settings.hpp"
#include "adapters/readers/registry.hpp"

namespace opcat::adapters {

// Validates a mapping file's [reader] table (keys: delimiter, encoding, header_row,
// max_field_bytes, max_row_bytes) and returns a factory of CSV readers. Throws config::ConfigError.
ReaderFactory configure_csv_reader(const toml::table* settings);

// A reader over `source`, which must outlive it. Reads the header (and any preamble before it);
// throws UnreadableInput when there is no usable header.
std::unique_ptr<Reader> open_csv_reader(ByteSource& source, const CsvSettings& settings);

}  // namespace opcat::adapters
