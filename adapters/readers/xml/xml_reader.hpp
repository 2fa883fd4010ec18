// The XML input format: records are the elements at one absolute path, fields are XPath
// expressions relative to a record. Built on libxml2's streaming reader, hardened for input from
// outside (no DOCTYPE, no external entities, no network).
#pragma once

#include <toml++/toml.h>

#include "adapters/readers/registry.hpp"

namespace opcat::adapters {

// Validates the mapping file's [reader] table for an XML export and returns the factory.
// Keys: `record` (required, "/inspections/inspection" or "/h:report/h:inspection"),
// `namespaces` (prefix = "URI", for the record path and the field XPaths), `max_record_bytes`
// (default 16 MiB). Throws config::ConfigError naming "reader.<key>" and the line.
ReaderFactory configure_xml_reader(const toml::table* settings);

}  // namespace opcat::adapters
