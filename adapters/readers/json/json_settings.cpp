#include "adapters/readers/json/json_settings.hpp"

#include <stdexcept>
#include <string>

#include "gateway/config/toml_section.hpp"

namespace opcat::adapters::json {
namespace {

namespace detail = config::detail;

constexpr std::int64_t kDeepestAllowed = 4096;  // frames and resume bytes scale with it
constexpr std::int64_t kLargestRecordAllowed = std::int64_t{1}
                                               << 30;  // offsets in a record are 32-bit

// "/" is the top level here, as mapping authors read it, not RFC 6901's member named "".
JsonPointer records_pointer(const std::string& text) {
  if (text == "/") return parse_json_pointer("");
  return parse_json_pointer(text);
}

bool sequence_of_documents(const std::string& text) {
  if (text == "single") return false;
  if (text == "sequence") return true;
  throw std::invalid_argument("expected \"single\" or \"sequence\", got \"" + text + "\"");
}

}  // namespace

JsonReaderSettings read_json_reader_settings(const toml::table* settings) {
  const detail::Section section(settings, "reader",
                                {"records", "documents", "max_depth", "max_record_bytes"});
  JsonReaderSettings result;

  // Section::string refuses "", which is a valid pointer (the top level): accept it here.
  const toml::node* records = section.find("records");
  const bool records_empty =
      records != nullptr && records->is_string() && records->as_string()->get().empty();
  if (!records_empty) {
    if (auto pointer = section.converted("records", records_pointer)) result.records = *pointer;
  }
  if (auto sequence = section.converted("documents", sequence_of_documents)) {
    result.sequence = *sequence;
  }
  if (auto depth = section.integer("max_depth", 1, kDeepestAllowed)) {
    result.max_depth = static_cast<std::uint32_t>(*depth);
  }
  if (auto bytes = section.integer("max_record_bytes", 1, kLargestRecordAllowed)) {
    result.max_record_bytes = static_cast<std::size_t>(*bytes);
  }

  // The records array sits one level below the pointer's last segment.
  const std::size_t needed = result.records.segments.size() + 1;
  if (result.max_depth < needed) {
    const toml::node* depth = section.find("max_depth");
    detail::fail(section.key("max_depth"),
                 std::to_string(result.max_depth) + " is too small for records = \"" +
                     result.records.text + "\", which needs at least " + std::to_string(needed),
                 depth != nullptr ? &depth->source() : section.where());
  }
  return result;
}

std::string describe_records(const JsonReaderSettings& settings) {
  return settings.records.segments.empty() ? std::string("the top level") : settings.records.text;
}

}  // namespace opcat::adapters::json
