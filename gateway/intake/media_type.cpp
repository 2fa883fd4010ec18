#include "gateway/intake/media_type.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>

namespace opcat::intake {
namespace {

struct ReaderTypes {
  std::string_view reader;
  std::span<const std::string_view> types;
};

// text/plain is accepted for CSV and JSON because export tools and curl users label them so;
// application/vnd.ms-excel because Windows registers it for .csv files.
constexpr std::array<std::string_view, 5> kCsv = {"text/csv", "application/csv", "text/plain",
                                                  "application/vnd.ms-excel", "text/x-csv"};
constexpr std::array<std::string_view, 2> kXml = {"application/xml", "text/xml"};
constexpr std::array<std::string_view, 5> kJson = {"application/json", "application/x-ndjson",
                                                   "application/jsonl", "application/json-seq",
                                                   "text/plain"};
constexpr std::array<ReaderTypes, 3> kReaders = {
    ReaderTypes{"csv", kCsv}, ReaderTypes{"xml", kXml}, ReaderTypes{"json", kJson}};

std::span<const std::string_view> types_of(std::string_view reader) {
  for (const auto& entry : kReaders) {
    if (entry.reader == reader) return entry.types;
  }
  return {};
}

}  // namespace

std::string media_type_of(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  std::erase_if(type, [](unsigned char c) { return std::isspace(c) != 0; });
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

bool reader_accepts(std::string_view reader, std::string_view content_type) {
  const std::string type = media_type_of(content_type);
  if (type.empty() || type == "application/octet-stream") return true;
  // RFC 7303: any "+xml" suffix type is XML.
  if (reader == "xml" && type.size() > 4 && type.ends_with("+xml")) return true;
  if (reader == "json" && type.size() > 5 && type.ends_with("+json")) return true;
  const auto types = types_of(reader);
  return std::find(types.begin(), types.end(), type) != types.end();
}

std::string accepted_types(std::string_view reader) {
  std::string list;
  for (const auto type : types_of(reader)) {
    list += list.empty() ? "" : ", ";
    list += type;
  }
  return list + (list.empty() ? "" : ", ") + "application/octet-stream";
}

}  // namespace opcat::intake
