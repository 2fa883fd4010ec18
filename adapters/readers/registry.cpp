#include "adapters/readers/registry.hpp"

#include "adapters/readers/csv/csv_reader.hpp"
#include "adapters/readers/json/json_reader.hpp"
#include "adapters/readers/xml/xml_reader.hpp"

namespace opcat::adapters {

const std::vector<ReaderKind>& reader_kinds() {
  static const std::vector<ReaderKind> kinds{
      {"csv", "delimited text (RFC 4180 and real-world variants; UTF-8, Windows-1252, UTF-16)",
       configure_csv_reader},
      {"xml", "XML, streamed; records by element path, fields by XPath; no DTDs, no entities",
       configure_xml_reader},
      {"json", "JSON, streamed; records at a JSON Pointer (pages with *), fields by JSON Pointer",
       configure_json_reader},
  };
  return kinds;
}

const ReaderKind* find_reader_kind(std::string_view name) {
  for (const auto& kind : reader_kinds()) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

}  // namespace opcat::adapters
