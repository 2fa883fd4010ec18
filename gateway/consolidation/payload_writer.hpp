// Writing a consolidated submission as it is produced, in either form: JSON
// (schemas/consolidated.schema.json) or XML (schemas/consolidated.xsd). The consolidator says
// what comes in which order; a writer only knows its syntax.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <ostream>
#include <string_view>

#include "gateway/config/config.hpp"

namespace opcat::consolidation {

// What the payload calls itself (its "format" field / attribute): the version of this layout.
inline constexpr const char* kConsolidatedFormat = "opcat-gateway/consolidated-submission/1";

// The one enumeration of the two forms: what a recipient's `format` says is what is written.
using config::PayloadFormat;
using config::to_string;

// "json" or "xml"; throws std::invalid_argument for anything else.
PayloadFormat parse_payload_format(std::string_view word);
// "application/json" or "application/xml": for whoever sends the payload on.
const char* media_type(PayloadFormat format);

class PayloadWriter {
 public:
  virtual ~PayloadWriter() = default;
  virtual void begin() = 0;
  // A top-level field holding an object (period, policy, aggregates).
  virtual void field(std::string_view name, const rapidjson::Value& value) = 0;
  virtual void begin_list(std::string_view name) = 0;
  // A common-schema record: in XML, its element is named by its record_type, as in record.xsd.
  virtual void record(const rapidjson::Value& record) = 0;
  // Any other entry of a list: in XML, an element named `element`.
  virtual void entry(std::string_view element, const rapidjson::Value& value) = 0;
  virtual void end_list() = 0;
  // Closes the document and flushes the stream. Throws std::runtime_error when writing failed.
  virtual void end() = 0;
};

// Writes to `out`, which must outlive the writer; nothing is held back but a small buffer.
std::unique_ptr<PayloadWriter> make_json_payload_writer(std::ostream& out);
std::unique_ptr<PayloadWriter> make_xml_payload_writer(std::ostream& out);
std::unique_ptr<PayloadWriter> make_payload_writer(PayloadFormat format, std::ostream& out);

}  // namespace opcat::consolidation
