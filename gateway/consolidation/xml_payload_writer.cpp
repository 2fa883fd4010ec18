// The XML form: <consolidated_submission> in the records' namespace (consolidated.xsd includes
// record.xsd), records written by the adapters' own record writer, everything else mapped from
// JSON the way record.xsd maps records: an object's fields become child elements in order, an
// array holds one <item> per element, an absent or null value is left out.
#include <libxml/xmlwriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>
#include <string>

#include "adapters/schema/xml_record_writer.hpp"
#include "gateway/consolidation/payload_writer.hpp"

namespace opcat::consolidation {
namespace {

const xmlChar* x(const char* text) { return reinterpret_cast<const xmlChar*>(text); }

void check(int result, const char* what) {
  if (result < 0) throw std::runtime_error(std::string("writing the XML payload: ") + what);
}

// libxml2's output callback: bytes go straight on to the stream.
int write_to_stream(void* context, const char* bytes, int length) {
  auto& out = *static_cast<std::ostream*>(context);
  out.write(bytes, length);
  return out ? length : -1;
}

class XmlPayloadWriter final : public PayloadWriter {
 public:
  explicit XmlPayloadWriter(std::ostream& out) : out_(out) {
    xmlOutputBufferPtr buffer = xmlOutputBufferCreateIO(write_to_stream, nullptr, &out_, nullptr);
    if (buffer == nullptr) throw std::runtime_error("cannot start the XML payload");
    writer_ = xmlNewTextWriter(buffer);  // owns the buffer from here on
    if (writer_ == nullptr) {
      xmlOutputBufferClose(buffer);
      throw std::runtime_error("cannot start the XML payload");
    }
  }
  ~XmlPayloadWriter() override { xmlFreeTextWriter(writer_); }
  XmlPayloadWriter(const XmlPayloadWriter&) = delete;
  XmlPayloadWriter& operator=(const XmlPayloadWriter&) = delete;

  void begin() override {
    check(xmlTextWriterStartDocument(writer_, "1.0", "UTF-8", nullptr), "the declaration");
    check(xmlTextWriterStartElementNS(writer_, nullptr, x("consolidated_submission"),
                                      x(schema::kRecordNamespace)),
          "the root element");
    check(xmlTextWriterWriteAttribute(writer_, x("format"), x(kConsolidatedFormat)), "format");
    check(xmlTextWriterWriteAttribute(writer_, x("schema_version"), x("1")), "schema_version");
  }
  void field(std::string_view name, const rapidjson::Value& value) override {
    element(std::string(name), value);
  }
  void begin_list(std::string_view name) override {
    check(xmlTextWriterStartElement(writer_, x(std::string(name).c_str())), "a list");
  }
  void record(const rapidjson::Value& record) override { schema::write_xml_record(writer_, record); }
  void entry(std::string_view name, const rapidjson::Value& value) override {
    element(std::string(name), value);
  }
  void end_list() override { check(xmlTextWriterEndElement(writer_), "a list's end"); }
  void end() override {
    check(xmlTextWriterEndElement(writer_), "the root's end");
    check(xmlTextWriterEndDocument(writer_), "the document's end");
    check(xmlTextWriterFlush(writer_), "flushing");
    out_.flush();
    if (!out_) throw std::runtime_error("writing the consolidated submission failed");
  }

 private:
  // Only the consolidator's own values come here (names and codes it chose, digests, counts),
  // so field names are XML names already.
  void element(const std::string& name, const rapidjson::Value& value) {
    if (value.IsNull()) return;
    check(xmlTextWriterStartElement(writer_, x(name.c_str())), "an element");
    if (value.IsObject()) {
      for (const auto& member : value.GetObject()) element(member.name.GetString(), member.value);
    } else if (value.IsArray()) {
      for (const auto& item : value.GetArray()) element("item", item);
    } else if (value.IsString()) {
      check(xmlTextWriterWriteString(writer_, x(value.GetString())), "text");
    } else if (value.IsBool()) {
      check(xmlTextWriterWriteString(writer_, x(value.GetBool() ? "true" : "false")), "a boolean");
    } else {
      rapidjson::StringBuffer number;
      rapidjson::Writer<rapidjson::StringBuffer> json(number);
      value.Accept(json);
      check(xmlTextWriterWriteString(writer_, x(number.GetString())), "a number");
    }
    check(xmlTextWriterEndElement(writer_), "an element's end");
  }

  std::ostream& out_;
  xmlTextWriterPtr writer_ = nullptr;
};

}  // namespace

std::unique_ptr<PayloadWriter> make_xml_payload_writer(std::ostream& out) {
  return std::make_unique<XmlPayloadWriter>(out);
}

}  // namespace opcat::consolidation
