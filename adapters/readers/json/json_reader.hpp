// The "json" reader: records are the elements of an array found by a JSON Pointer, in one JSON
// document or in a sequence of them (one API page per line), streamed with RapidJSON's SAX parser.
//
// [reader] settings:
//   records = "/data/locations"  the array of records; "" or "/" for the top-level value; a "*"
//                                segment matches any index or key ("/pages/*/locations")
//   documents = "single"         or "sequence": several top-level values, the pointer applied
//                                to each
//   max_depth = 64               containers open at once (records included)
//   max_record_bytes = 16777216  bytes of the file one record may span
#pragma once

#include <toml++/toml.h>

#include "adapters/readers/registry.hpp"

namespace opcat::adapters {

// Throws config::ConfigError naming "reader.<key>" and the line.
ReaderFactory configure_json_reader(const toml::table* settings);

}  // namespace opcat::adapters
