// The JSON form: one object, fields in the order the consolidator writes them, no whitespace.
#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/writer.h>

#include <stdexcept>
#include <string>

#include "gateway/consolidation/payload_writer.hpp"

namespace opcat::consolidation {
namespace {

class JsonPayloadWriter final : public PayloadWriter {
 public:
  explicit JsonPayloadWriter(std::ostream& out) : out_(out), stream_(out), json_(stream_) {}

  void begin() override {
    json_.StartObject();
    key("format");
    json_.String(kConsolidatedFormat);
    key("schema_version");
    json_.Int(1);
  }
  void field(std::string_view name, const rapidjson::Value& value) override {
    key(name);
    value.Accept(json_);
  }
  void begin_list(std::string_view name) override {
    key(name);
    json_.StartArray();
  }
  void record(const rapidjson::Value& record) override { record.Accept(json_); }
  void entry(std::string_view, const rapidjson::Value& value) override { value.Accept(json_); }
  void end_list() override { json_.EndArray(); }
  void end() override {
    json_.EndObject();
    stream_.Flush();
    out_.flush();
    if (!out_) throw std::runtime_error("writing the consolidated submission failed");
  }

 private:
  void key(std::string_view name) {
    json_.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  }

  std::ostream& out_;
  rapidjson::OStreamWrapper stream_;
  rapidjson::Writer<rapidjson::OStreamWrapper> json_;
};

}  // namespace

PayloadFormat parse_payload_format(std::string_view word) {
  if (word == "json") return PayloadFormat::json;
  if (word == "xml") return PayloadFormat::xml;
  throw std::invalid_argument("expected json or xml, got \"" + std::string(word) + "\"");
}

const char* media_type(PayloadFormat format) {
  return format == PayloadFormat::json ? "application/json" : "application/xml";
}

std::unique_ptr<PayloadWriter> make_json_payload_writer(std::ostream& out) {
  return std::make_unique<JsonPayloadWriter>(out);
}

std::unique_ptr<PayloadWriter> make_payload_writer(PayloadFormat format, std::ostream& out) {
  return format == PayloadFormat::json ? make_json_payload_writer(out)
                                       : make_xml_payload_writer(out);
}

}  // namespace opcat::consolidation
