#include "adapters/readers/xml/xml_settings.hpp"

#include <stdexcept>

#include "adapters/readers/xml/xml_names.hpp"
#include "gateway/config/toml_section.hpp"

namespace opcat::adapters {
namespace {

using config::detail::fail;
using config::detail::Section;
using config::detail::type_name;

constexpr std::int64_t kMinRecordBytes = 1024;
constexpr std::int64_t kMaxRecordBytes = std::int64_t{1} << 30;

// namespaces = { h = "urn:example:hmip" }: the mapping's prefixes, each bound to one URI.
std::vector<XmlNamespace> read_namespaces(const Section& section) {
  std::vector<XmlNamespace> namespaces;
  const toml::table* table = section.table("namespaces");
  if (table == nullptr) return namespaces;
  for (auto&& [prefix, value] : *table) {
    const std::string key = section.key("namespaces") + "." + std::string(prefix.str());
    if (!is_ncname(prefix.str()))
      fail(key, "a prefix must be an XML name without a colon", &prefix.source());
    // "xml" is bound by XML itself and "xmlns" is not a prefix at all: rebinding either would
    // make the mapping mean something other than what it says.
    if (prefix.str() == "xml" || prefix.str() == "xmlns")
      fail(key, "this prefix is reserved", &prefix.source());
    if (!value.is_string()) {
      fail(key, "expected a string (the namespace URI), got " + std::string(type_name(value)),
           &value.source());
    }
    const std::string& uri = value.as_string()->get();
    if (uri.empty()) fail(key, "the namespace URI must not be empty", &value.source());
    namespaces.push_back(XmlNamespace{std::string(prefix.str()), uri});
  }
  return namespaces;
}

}  // namespace

XmlSettings parse_xml_settings(const toml::table* settings) {
  const Section section(settings, "reader", {"record", "namespaces", "max_record_bytes"});
  section.require("record");
  XmlSettings result;
  result.namespaces = read_namespaces(section);
  result.record = *section.converted("record", [&](const std::string& text) {
    return parse_record_path(text, result.namespaces);
  });
  if (auto bytes = section.integer("max_record_bytes", kMinRecordBytes, kMaxRecordBytes)) {
    result.max_record_bytes = static_cast<std::size_t>(*bytes);
  }
  return result;
}

}  // namespace opcat::adapters
