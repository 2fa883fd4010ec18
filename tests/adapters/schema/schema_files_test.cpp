// The schema's files agree with each other: record.xsd mirrors record.schema.json (field order,
// required fields, sensitivity, simple types and patterns) and the code lists, and the member
// code list is members.tsv.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "adapters/schema/json_file.hpp"
#include "tests/adapters/schema/corpus.hpp"

namespace opcat::schema::testing {
namespace {

namespace fs = std::filesystem;

const char* c(const xmlChar* text) {
  return reinterpret_cast<const char*>(text);
}
const xmlChar* x(const char* text) {
  return reinterpret_cast<const xmlChar*>(text);
}

// record.xsd, parsed once, queried with XPath.
class Xsd {
 public:
  Xsd() {
    const std::string path = (kSchemasDir / "record.xsd").string();
    document_ = xmlReadFile(path.c_str(), nullptr, XML_PARSE_NONET);
    if (document_ == nullptr) throw std::runtime_error("cannot parse " + path);
    context_ = xmlXPathNewContext(document_);
    xmlXPathRegisterNs(context_, x("xs"), x("http://www.w3.org/2001/XMLSchema"));
    xmlXPathRegisterNs(context_, x("r"), x("urn:opcat-gateway:record:1"));
  }
  ~Xsd() {
    xmlXPathFreeContext(context_);
    xmlFreeDoc(document_);
  }
  Xsd(const Xsd&) = delete;
  Xsd& operator=(const Xsd&) = delete;

  std::vector<xmlNodePtr> nodes(const std::string& xpath, xmlNodePtr from = nullptr) const {
    context_->node = from != nullptr ? from : xmlDocGetRootElement(document_);
    std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> result(
        xmlXPathEvalExpression(x(xpath.c_str()), context_), &xmlXPathFreeObject);
    std::vector<xmlNodePtr> found;
    if (result && result->nodesetval != nullptr) {
      for (int i = 0; i < result->nodesetval->nodeNr; ++i)
        found.push_back(result->nodesetval->nodeTab[i]);
    }
    return found;
  }
  std::vector<std::string> strings(const std::string& xpath, xmlNodePtr from = nullptr) const {
    std::vector<std::string> out;
    for (xmlNodePtr node : nodes(xpath, from)) {
      xmlChar* text = xmlNodeGetContent(node);
      out.emplace_back(text != nullptr ? c(text) : "");
      xmlFree(text);
    }
    return out;
  }

 private:
  xmlDocPtr document_ = nullptr;
  xmlXPathContextPtr context_ = nullptr;
};

const Xsd& xsd() {
  static const Xsd parsed;
  return parsed;
}

const rapidjson::Document& json_schema() {
  static const rapidjson::Document document =
      detail::read_json_file(kSchemasDir / "record.schema.json");
  return document;
}

std::string attribute(xmlNodePtr node, const char* name) {
  xmlChar* value = xmlGetProp(node, x(name));
  std::string text = value != nullptr ? c(value) : "";
  xmlFree(value);
  return text;
}

std::vector<std::string> json_list(const rapidjson::Value& array) {
  std::vector<std::string> out;
  for (const auto& item : array.GetArray()) out.emplace_back(item.GetString());
  return out;
}

TEST(SchemaFiles, EveryXsdEnumerationIsItsCodeList) {
  std::set<std::string> lists_in_xsd;
  for (xmlNodePtr type : xsd().nodes("/xs:schema/xs:simpleType[xs:restriction/xs:enumeration]")) {
    const std::string name = attribute(type, "name");
    if (name == "schema_version") continue;  // a version number, not a code list
    lists_in_xsd.insert(name);
    SCOPED_TRACE(name);
    const Codelist* list = record_schema().codelist(name);
    ASSERT_NE(list, nullptr) << "an XSD enumeration with no code list";
    EXPECT_EQ(xsd().strings("xs:restriction/xs:enumeration/@value", type), list->codes);
    EXPECT_EQ(xsd().strings("xs:restriction/xs:enumeration/xs:annotation/xs:documentation", type),
              list->labels);
  }
  std::set<std::string> lists_in_json;
  for (const Codelist* list : record_schema().codelists()) lists_in_json.insert(list->name);
  EXPECT_EQ(lists_in_xsd, lists_in_json);
}

TEST(SchemaFiles, EveryCodeListFileIsUsed) {
  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(kSchemasDir / "codelists")) {
    if (entry.path().extension() == ".json") files.insert(entry.path().stem().string());
  }
  std::set<std::string> used;
  for (const Codelist* list : record_schema().codelists()) used.insert(list->name);
  EXPECT_EQ(files, used);
}

TEST(SchemaFiles, MemberCodeListIsMembersTsv) {
  std::ifstream tsv(kSchemasDir / "codelists" / "members.tsv");
  std::string line;
  std::getline(tsv, line);
  EXPECT_EQ(line, "code\tname");
  std::vector<std::string> codes;
  std::vector<std::string> names;
  while (std::getline(tsv, line)) {
    if (line.empty()) continue;
    const auto tab = line.find('\t');
    codes.push_back(line.substr(0, tab));
    names.push_back(line.substr(tab + 1));
  }
  const Codelist* members = record_schema().codelist("member");
  ASSERT_NE(members, nullptr);
  EXPECT_EQ(members->codes, codes);
  EXPECT_EQ(members->labels, names);
  EXPECT_EQ(codes.size(), 21u);
}

// Element names of a complexType's content model, in document order, with their annotations.
struct XsdField {
  std::string name;
  std::string sensitivity;
  bool optional = false;
};

std::vector<XsdField> xsd_fields(const std::string& complex_type) {
  std::vector<XsdField> fields;
  const auto types = xsd().nodes("/xs:schema/xs:complexType[@name='" + complex_type + "']");
  if (types.size() != 1) return fields;
  for (xmlNodePtr element :
       xsd().nodes("(xs:sequence|xs:choice)//xs:element[not(ancestor::xs:element)]", types[0])) {
    XsdField field;
    field.name = attribute(element, "name");
    const auto sensitivity = xsd().strings("xs:annotation/xs:appinfo/r:sensitivity", element);
    field.sensitivity = sensitivity.size() == 1 ? sensitivity[0] : "(none)";
    field.optional = attribute(element, "minOccurs") == "0";
    fields.push_back(field);
  }
  return fields;
}

TEST(SchemaFiles, XsdSequencesFollowTheJsonPropertiesWithTheSameSensitivity) {
  std::size_t compared = 0;
  for (const auto& definition : json_schema()["definitions"].GetObject()) {
    if (!definition.value.HasMember("properties")) continue;
    const std::string name = definition.name.GetString();
    const auto& types = record_schema().record_types();
    const bool is_record = std::find(types.begin(), types.end(), name) != types.end();
    const std::string complex_type = is_record ? name + "_record" : name;
    SCOPED_TRACE(complex_type);
    const auto fields = xsd_fields(complex_type);
    const auto& properties = definition.value["properties"];
    std::set<std::string> required;
    if (definition.value.HasMember("required")) {
      for (const auto& field : json_list(definition.value["required"])) required.insert(field);
    }
    ASSERT_EQ(fields.size(), properties.MemberCount());
    std::size_t i = 0;
    for (const auto& property : properties.GetObject()) {
      EXPECT_EQ(fields[i].name, property.name.GetString());
      EXPECT_EQ(fields[i].sensitivity, property.value["sensitivity"].GetString()) << fields[i].name;
      // place_ref's fields are optional one by one in JSON; its xs:choice makes them required by
      // form.
      if (name != "place_ref") {
        EXPECT_EQ(fields[i].optional, !required.contains(property.name.GetString()))
            << fields[i].name;
      }
      ++i;
    }
    if (is_record) {
      EXPECT_EQ(record_schema().field_order(name).size(), fields.size());
    }
    ++compared;
  }
  EXPECT_EQ(compared, 8u);  // five record types, place_ref, rating, source
}

// An object's sensitivity is at least that of each of its fields: a policy dropping personal
// data can drop a whole object by its class.
TEST(SchemaFiles, ObjectsAreAsSensitiveAsTheirMostSensitiveField) {
  const std::map<std::string, int> rank = {
      {"public", 0}, {"may_contain_personal", 1}, {"personal", 2}};
  const auto& definitions = json_schema()["definitions"];
  for (const auto& definition : definitions.GetObject()) {
    if (!definition.value.HasMember("properties")) continue;
    for (const auto& property : definition.value["properties"].GetObject()) {
      const auto ref = property.value.FindMember("$ref");
      if (ref == property.value.MemberEnd() ||
          !std::string(ref->value.GetString()).starts_with("#"))
        continue;
      const std::string target =
          std::string(ref->value.GetString()).substr(std::string("#/definitions/").size());
      if (!definitions[target.c_str()].HasMember("properties")) continue;
      for (const auto& inner : definitions[target.c_str()]["properties"].GetObject()) {
        EXPECT_GE(rank.at(property.value["sensitivity"].GetString()),
                  rank.at(inner.value["sensitivity"].GetString()))
            << definition.name.GetString() << "." << property.name.GetString() << "."
            << inner.name.GetString();
      }
    }
  }
}

TEST(SchemaFiles, SimpleTypesHaveTheSameNamesAndPatterns) {
  std::size_t patterns = 0;
  for (const auto& definition : json_schema()["definitions"].GetObject()) {
    if (definition.value.HasMember("properties")) continue;
    const std::string name = definition.name.GetString();
    SCOPED_TRACE(name);
    const auto types = xsd().nodes("/xs:schema/xs:simpleType[@name='" + name + "']");
    ASSERT_EQ(types.size(), 1u);
    const auto xsd_pattern = xsd().strings("xs:restriction/xs:pattern/@value", types[0]);
    if (!definition.value.HasMember("pattern")) continue;
    ASSERT_EQ(xsd_pattern.size(), 1u);
    // XSD patterns are anchored already and escape '-' inside classes; JSON ones are not.
    std::string expected = xsd_pattern[0];
    for (auto at = expected.find("\\-"); at != std::string::npos; at = expected.find("\\-", at)) {
      expected.erase(at, 1);
    }
    EXPECT_EQ(definition.value["pattern"].GetString(), "^" + expected + "$");
    ++patterns;
  }
  EXPECT_EQ(patterns, 3u);  // record_id, code, date
}

// The README's examples are records the schema accepts, in both forms.
TEST(SchemaFiles, ReadmeExamplesAreValid) {
  const std::string readme = detail::read_file(kSchemasDir / "README.md");
  const auto block = [&](const std::string& language) {
    const std::string fence = "```" + language + "\n";
    const auto start = readme.find(fence);
    if (start == std::string::npos) return std::string();
    const auto body = start + fence.size();
    return readme.substr(body, readme.find("```", body) - body);
  };
  std::istringstream lines(block("json"));
  std::set<std::string> types;
  for (std::string line; std::getline(lines, line);) {
    const rapidjson::Document record = parse(line);
    EXPECT_TRUE(record_schema().validate(record).empty())
        << line << "\n"
        << fields_and_codes(record_schema().validate(record));
    types.insert(record["record_type"].GetString());
  }
  EXPECT_EQ(types.size(), record_schema().record_types().size());
  const auto xml = xml_schema().validate_memory(block("xml"));
  EXPECT_TRUE(xml.empty()) << fields_and_codes(xml);
}

TEST(SchemaFiles, XmllintAcceptsAWrittenDocument) {
  if (std::system("command -v xmllint > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "xmllint is not installed (Debian package libxml2-utils)";
  }
  std::vector<const rapidjson::Value*> records;
  for (const auto& c : corpus()) {
    if (c.expect.empty()) records.push_back(&c.record);
  }
  const fs::path file =
      fs::temp_directory_path() / ("opcat-schema-xmllint-" + std::to_string(::getpid()) + ".xml");
  std::ofstream(file) << xml_document(records);
  const std::string command = "xmllint --noout --nonet --schema '" +
                              (kSchemasDir / "record.xsd").string() + "' '" + file.string() +
                              "' > /dev/null 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0);

  rapidjson::Document bad;
  bad.CopyFrom(valid_record("visit_full"), bad.GetAllocator());
  bad["start_date"].SetString("2025-02-30");
  std::ofstream(file, std::ios::trunc) << xml_document({&bad});
  EXPECT_NE(std::system(command.c_str()), 0);
  fs::remove(file);
}

}  // namespace
}  // namespace opcat::schema::testing
