#include "tests/adapters/schema/corpus.hpp"

#include <libxml/xmlwriter.h>
#include <rapidjson/pointer.h>

#include <memory>
#include <stdexcept>

#include "adapters/schema/json_file.hpp"
#include "adapters/schema/xml_record_writer.hpp"

namespace opcat::schema::testing {
namespace {

const std::filesystem::path kCorpusDir =
    std::filesystem::path(OPCAT_SOURCE_DIR) / "tests" / "adapters" / "schema" / "corpus";

const rapidjson::Document& valid_file() {
  static const rapidjson::Document document = detail::read_json_file(kCorpusDir / "valid.json");
  return document;
}

std::vector<CorpusCase> build_corpus() {
  std::vector<CorpusCase> cases;
  for (const auto& entry : valid_file().GetObject()) {
    CorpusCase valid;
    valid.name = entry.name.GetString();
    valid.record.CopyFrom(entry.value, valid.record.GetAllocator());
    cases.push_back(std::move(valid));
  }
  const rapidjson::Document invalid = detail::read_json_file(kCorpusDir / "invalid.json");
  for (const auto& item : invalid.GetArray()) {
    CorpusCase made;
    made.name = item["name"].GetString();
    auto& allocator = made.record.GetAllocator();
    if (item.HasMember("record")) {
      made.record.CopyFrom(item["record"], allocator);
    } else {
      made.record.CopyFrom(valid_record(item["base"].GetString()), allocator);
    }
    if (item.HasMember("remove")) {
      for (const auto& pointer : item["remove"].GetArray()) {
        if (!rapidjson::Pointer(pointer.GetString()).Erase(made.record)) {
          throw std::runtime_error(made.name + ": nothing to remove at " + pointer.GetString());
        }
      }
    }
    if (item.HasMember("set")) {
      for (const auto& change : item["set"].GetObject()) {
        rapidjson::Value value(change.value, allocator);
        rapidjson::Pointer(change.name.GetString()).Set(made.record, value, allocator);
      }
    }
    for (const auto& violation : item["expect"].GetArray()) {
      made.expect.push_back({violation["field"].GetString(), violation["code"].GetString()});
    }
    made.xml_valid = item.HasMember("xml") && item["xml"] == "valid";
    cases.push_back(std::move(made));
  }
  return cases;
}

}  // namespace

const RecordSchema& record_schema() {
  static const RecordSchema schema = RecordSchema::load(kSchemasDir);
  return schema;
}

const XmlRecordSchema& xml_schema() {
  static const XmlRecordSchema schema = XmlRecordSchema::load(kSchemasDir);
  return schema;
}

const std::vector<CorpusCase>& corpus() {
  static const std::vector<CorpusCase> cases = build_corpus();
  return cases;
}

const rapidjson::Value& valid_record(const std::string& name) {
  const auto found = valid_file().FindMember(name.c_str());
  if (found == valid_file().MemberEnd()) throw std::runtime_error("no valid record " + name);
  return found->value;
}

rapidjson::Document parse(const std::string& json) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (document.HasParseError()) throw std::runtime_error("test JSON does not parse: " + json);
  return document;
}

std::string xml_document(const std::vector<const rapidjson::Value*>& records, bool indent) {
  std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buffer(xmlBufferCreate(), &xmlBufferFree);
  std::unique_ptr<xmlTextWriter, decltype(&xmlFreeTextWriter)> writer(
      xmlNewTextWriterMemory(buffer.get(), 0), &xmlFreeTextWriter);
  if (indent) xmlTextWriterSetIndent(writer.get(), 1);
  begin_xml_document(writer.get());
  for (const auto* record : records) write_xml_record(writer.get(), *record);
  end_xml_document(writer.get());
  writer.reset();  // flushes into the buffer
  return reinterpret_cast<const char*>(xmlBufferContent(buffer.get()));
}

std::string fields_and_codes(const std::vector<Violation>& violations) {
  std::string text;
  for (const auto& violation : violations) {
    text += violation.field + " " + violation.code + ": " + violation.message + "\n";
  }
  return text.empty() ? "(none)" : text;
}

}  // namespace opcat::schema::testing
