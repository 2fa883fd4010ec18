// What a mapping file's [reader] table says about an XML export, validated once per mapping.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <string>
#include <vector>

namespace opcat::adapters {

// A prefix the mapping uses for a namespace URI. Prefixes are the mapping's own: a document may
// use another prefix, or the default namespace, for the same URI.
struct XmlNamespace {
  std::string prefix;
  std::string uri;
};

// One element name of the record path, matched by namespace URI (empty: no namespace) and local
// name, as XPath 1.0 does: an unprefixed step never matches an element in a default namespace.
struct XmlPathStep {
  std::string uri;
  std::string local_name;
};

struct XmlSettings {
  std::vector<XmlPathStep> record;  // from the root element down to the record element
  std::vector<XmlNamespace> namespaces;
  std::size_t max_record_bytes = 16 * 1024 * 1024;
};

// Throws config::ConfigError naming "reader.<key>" and where it was written.
XmlSettings parse_xml_settings(const toml::table* settings);

}  // namespace opcat::adapters
