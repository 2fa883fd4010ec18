// The [reader] table of a mapping file whose reader is "json".
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "adapters/readers/json/json_pointer.hpp"

namespace opcat::adapters::json {

struct JsonReaderSettings {
  // The array whose elements are the records; no segments means the top-level value.
  JsonPointer records;
  // Several top-level values one after another (one API page per line) instead of one.
  bool sequence = false;
  // Containers open at once, records included. RapidJSON has no limit of its own, and what the
  // mapping does with a record (lookups, copies) must not depend on an attacker's nesting.
  std::uint32_t max_depth = 64;
  // Bytes of the file one record may span; also the longest run of bytes outside records
  // without an event (one huge string), since RapidJSON buffers a string whole.
  std::size_t max_record_bytes = std::size_t{16} << 20;
};

// Throws config::ConfigError naming "reader.<key>" and the line.
JsonReaderSettings read_json_reader_settings(const toml::table* settings);

// How a message names the records pointer: "/data/locations" or "the top level".
std::string describe_records(const JsonReaderSettings& settings);

}  // namespace opcat::adapters::json
