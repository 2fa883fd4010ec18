#include "gateway/cli/record_output.hpp"

#include <libxml/xmlwriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>

#include "adapters/core/record_error_json.hpp"
#include "adapters/schema/xml_record_writer.hpp"

namespace opcat::cli {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void write_line(std::FILE* out, const rapidjson::StringBuffer& text) {
  std::fwrite(text.GetString(), 1, text.GetSize(), out);
  std::fputc('\n', out);
}

void field(JsonWriter& json, const char* key, const std::string& value) {
  json.Key(key);
  json.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

// Problems and the summary are the same for both record formats.
class ProblemsToStream {
 public:
  explicit ProblemsToStream(std::FILE* out) : out_(out) {}

  void error(const adapters::RecordError& error) {
    const std::string line = adapters::to_json(error);
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fputc('\n', out_);
  }

  void summary(const adapters::Outcome& outcome, const adapters::MemberMapping& mapping,
               const std::string& source_name) {
    rapidjson::StringBuffer text;
    JsonWriter json(text);
    json.StartObject();
    json.Key("summary");
    json.StartObject();
    field(json, "member", mapping.member);
    field(json, "adapter", mapping.name);
    json.Key("mapping_version");
    json.Int64(mapping.version);
    field(json, "file", source_name);
    field(json, "verdict", adapters::to_string(outcome.verdict));
    json.Key("units");
    json.Uint64(outcome.units);
    json.Key("accepted");
    json.Uint64(outcome.accepted);
    json.Key("rejected");
    json.Uint64(outcome.rejected);
    if (!outcome.reason.empty()) field(json, "reason", outcome.reason);
    if (!outcome.locator.empty()) field(json, "locator", outcome.locator);
    json.EndObject();
    json.EndObject();
    write_line(out_, text);
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
};

class JsonLinesOutput final : public RecordOutput {
 public:
  JsonLinesOutput(std::FILE* records, std::FILE* problems) : records_(records), problems_(problems) {}

  void record(const rapidjson::Value& record) override {
    buffer_.Clear();
    JsonWriter json(buffer_);
    record.Accept(json);
    write_line(records_, buffer_);
  }
  void error(const adapters::RecordError& error) override { problems_.error(error); }
  void finish(const adapters::Outcome& outcome, const adapters::MemberMapping& mapping,
              const std::string& source_name) override {
    std::fflush(records_);
    problems_.summary(outcome, mapping, source_name);
  }

 private:
  std::FILE* records_;
  ProblemsToStream problems_;
  rapidjson::StringBuffer buffer_;
};

class XmlOutput final : public RecordOutput {
 public:
  XmlOutput(std::FILE* records, std::FILE* problems) : problems_(problems) {
    xmlOutputBufferPtr buffer = xmlOutputBufferCreateFile(records, nullptr);
    writer_ = xmlNewTextWriter(buffer);  // owns the buffer from here on
    if (writer_ == nullptr) throw std::runtime_error("cannot start the XML output");
    schema::begin_xml_document(writer_);
  }
  ~XmlOutput() override {
    if (writer_ != nullptr) xmlFreeTextWriter(writer_);
  }

  void record(const rapidjson::Value& record) override { schema::write_xml_record(writer_, record); }
  void error(const adapters::RecordError& error) override { problems_.error(error); }
  void finish(const adapters::Outcome& outcome, const adapters::MemberMapping& mapping,
              const std::string& source_name) override {
    schema::end_xml_document(writer_);
    xmlFreeTextWriter(writer_);  // flushes
    writer_ = nullptr;
    problems_.summary(outcome, mapping, source_name);
  }

 private:
  xmlTextWriterPtr writer_ = nullptr;
  ProblemsToStream problems_;
};

}  // namespace

std::unique_ptr<RecordOutput> make_record_output(const std::string& format, std::FILE* records,
                                                 std::FILE* problems) {
  if (format == "xml") return std::make_unique<XmlOutput>(records, problems);
  return std::make_unique<JsonLinesOutput>(records, problems);
}

}  // namespace opcat::cli
