// The XML form: what write_xml_record writes, and what XmlRecordSchema says about documents,
// including hostile ones.
#include <gtest/gtest.h>
#include <libxml/xmlwriter.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "adapters/schema/xml_record_schema.hpp"
#include "adapters/schema/xml_record_writer.hpp"
#include "tests/adapters/schema/corpus.hpp"

namespace opcat::schema::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHead =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<records schema_version=\"1\" xmlns=\"urn:opcat-gateway:record:1\">";

std::vector<Violation> validate(const std::string& xml) {
  return xml_schema().validate_memory(xml);
}

const Violation& only(const std::vector<Violation>& found) {
  if (found.size() != 1)
    throw std::runtime_error("expected one violation, got\n" + fields_and_codes(found));
  return found.front();
}

TEST(XmlRecordWriter, WritesTheGenericMapping) {
  const rapidjson::Document record = parse(R"({
    "record_type": "visit", "schema_version": 1, "member": "hmip", "visit_id": "hmip:V<1>&2",
    "place": {"place_id": "hmip:P1"}, "start_date": "2025-03-10", "visit_type": "inspection",
    "announced": null, "joint_with": ["cqc", "ofsted"], "persons_detained": 798,
    "visited_by": ["A\r\nB"], "ratings": [{"name": "safety", "value": 2.0}, {"name": "respect", "value": 1.25e2}],
    "source": {"locator": "row 17"}})");
  EXPECT_EQ(
      xml_document({&record}, false),
      std::string(kHead) +
          "<visit><record_type>visit</record_type><schema_version>1</schema_version>"
          "<member>hmip</member><visit_id>hmip:V&lt;1&gt;&amp;2</visit_id>"
          "<place><place_id>hmip:P1</place_id></place><start_date>2025-03-10</start_date>"
          "<visit_type>inspection</visit_type>"
          "<joint_with><item>cqc</item><item>ofsted</item></joint_with>"
          "<persons_detained>798</persons_detained><visited_by><item>A&#13;\nB</item></visited_by>"
          "<ratings><item><name>safety</name><value>2.0</value></item>"
          "<item><name>respect</name><value>125.0</value></item></ratings>"
          "<source><locator>row 17</locator></source></visit></records>\n");
  EXPECT_TRUE(validate(xml_document({&record}, false)).empty());
}

TEST(XmlRecordWriter, WritesBooleansAndEmptyLists) {
  rapidjson::Document record;
  record.CopyFrom(valid_record("visit_place_by_name"), record.GetAllocator());
  record["announced"].SetBool(true);
  const std::string xml = xml_document({&record}, false);
  EXPECT_NE(xml.find("<announced>true</announced><joint_with/>"), std::string::npos) << xml;
  EXPECT_TRUE(validate(xml).empty());
}

TEST(XmlRecordWriter, RefusesWhatXmlCannotCarryAndWritesNothingOfIt) {
  std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buffer(xmlBufferCreate(), &xmlBufferFree);
  std::unique_ptr<xmlTextWriter, decltype(&xmlFreeTextWriter)> writer(
      xmlNewTextWriterMemory(buffer.get(), 0), &xmlFreeTextWriter);
  begin_xml_document(writer.get());
  for (const char* json : {R"([1])", R"({"member": "hmip"})", R"({"record_type": ""})",
                           R"({"record_type": "two words"})", R"({"record_type": "x:y"})",
                           R"({"record_type": "place", "na me": 1})",
                           R"({"record_type": "place", "name": "bell\u0007"})",
                           R"({"record_type": "place", "name": "nul\u0000"})",
                           R"({"record_type": "place", "source": {"lo\u0001cator": "row 1"}})"}) {
    const rapidjson::Document bad = parse(json);
    EXPECT_THROW(write_xml_record(writer.get(), bad), std::invalid_argument) << json;
  }
  write_xml_record(writer.get(), valid_record("place_minimal"));
  end_xml_document(writer.get());
  writer.reset();
  const std::string xml = reinterpret_cast<const char*>(xmlBufferContent(buffer.get()));
  EXPECT_TRUE(validate(xml).empty()) << xml;
  EXPECT_EQ(xml.find("bell"), std::string::npos);
}

TEST(XmlRecordSchema, NamesLineRecordAndField) {
  rapidjson::Document bad;
  bad.CopyFrom(valid_record("visit_full"), bad.GetAllocator());
  bad["ratings"][1]["value"].SetString("three");
  bad["place"].AddMember("place_type", "gaol", bad.GetAllocator());
  const std::string xml =
      xml_document({&valid_record("place_full"), &valid_record("visit_minimal"), &bad});
  const auto found = validate(xml);
  ASSERT_EQ(found.size(), 2u) << fields_and_codes(found);

  // Lines as in the document the writer indented: count to the offending elements.
  const auto line_of = [&](const std::string& needle, std::size_t from) {
    const std::size_t at = xml.find(needle, from);
    return 1 + std::count(xml.begin(), xml.begin() + static_cast<long>(at), '\n');
  };
  const std::size_t third = xml.find("<visit>", xml.find("<visit>") + 1);
  EXPECT_EQ(found[0].field, "place.place_type");
  EXPECT_EQ(found[0].code, "unexpected");
  EXPECT_TRUE(found[0].message.starts_with("line " +
                                           std::to_string(line_of("<place_type>gaol", third)) +
                                           ", record 3 (visit): Element 'place_type'"))
      << found[0].message;
  EXPECT_EQ(found[1].field, "ratings[1].value");
  EXPECT_EQ(found[1].code, "type");
  EXPECT_TRUE(found[1].message.starts_with("line " +
                                           std::to_string(line_of("<value>three", third)) +
                                           ", record 3 (visit): Element 'value': 'three' is not a "
                                           "valid value"))
      << found[1].message;
}

TEST(XmlRecordSchema, ReportsDatesThatDoNotExist) {
  rapidjson::Document bad;
  bad.CopyFrom(valid_record("population_full"), bad.GetAllocator());
  bad["date"].SetString("2025-02-29");
  const Violation v = only(validate(xml_document({&bad})));
  EXPECT_EQ(v.field, "date");
  EXPECT_EQ(v.code, "invalid_date");
}

TEST(XmlRecordSchema, ChecksTheRootElement) {
  EXPECT_EQ(only(validate("<records xmlns=\"urn:opcat-gateway:record:1\"/>")).code, "attribute");
  EXPECT_EQ(
      only(validate("<records xmlns=\"urn:opcat-gateway:record:1\" schema_version=\"2\"/>")).code,
      "enum");
  EXPECT_EQ(only(validate("<records schema_version=\"1\"/>")).code, "root");
  EXPECT_EQ(only(validate("<visit xmlns=\"urn:opcat-gateway:record:1\"/>")).code, "root");
  EXPECT_TRUE(
      validate("<records xmlns=\"urn:opcat-gateway:record:1\" schema_version=\"1\"/>").empty());
  EXPECT_EQ(only(validate(std::string(kHead) + "stray text</records>")).code, "unexpected");
  // An element is named by its record_type: an unknown name is an unknown record_type.
  const Violation gaol = only(validate(std::string(kHead) + "<gaol/></records>"));
  EXPECT_EQ(gaol.field, "record_type");
  EXPECT_EQ(gaol.code, "enum");
}

TEST(XmlRecordSchema, ReportsXmlThatIsNotWellFormedWithItsLine) {
  const auto found =
      validate(std::string(kHead) + "\n<place>\n<record_type>place</record_typ>\n</records>");
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0].code, "xml");
  EXPECT_TRUE(found[0].message.starts_with("line 4: ")) << found[0].message;
  EXPECT_EQ(validate("").at(0).code, "xml");
  EXPECT_EQ(validate("<records").at(0).code, "xml");
}

TEST(XmlRecordSchema, RefusesAnyDoctypeWithoutReadingEntities) {
  const fs::path secret =
      fs::temp_directory_path() / ("opcat-schema-secret-" + std::to_string(::getpid()));
  std::ofstream(secret) << "TOP-SECRET-CONTENT";
  const std::string xxe =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE records [<!ENTITY x SYSTEM \"file://" + secret.string() +
      "\">]>\n<records xmlns=\"urn:opcat-gateway:record:1\" schema_version=\"1\">"
      "<place><record_type>&x;</record_type></place></records>";
  std::string laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE records [<!ENTITY l0 \"lol\">";
  for (int i = 1; i < 10; ++i) {
    laughs += "<!ENTITY l" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) laughs += "&l" + std::to_string(i - 1) + ";";
    laughs += "\">";
  }
  laughs += "]>\n<records xmlns=\"urn:opcat-gateway:record:1\" schema_version=\"1\">&l9;</records>";
  ::testing::internal::CaptureStderr();
  for (const std::string& hostile : {xxe, laughs}) {
    const Violation v = only(validate(hostile));
    EXPECT_EQ(v.code, "doctype");
    EXPECT_EQ(v.message, "line 2: a DOCTYPE is not allowed in a records document");
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  fs::remove(secret);
}

TEST(XmlRecordSchema, PrintsNothingWhateverTheDocument) {
  ::testing::internal::CaptureStderr();
  validate("<records");
  validate(std::string(kHead) + "<place><capacity>x</capacity></place></records>");
  validate("\xff\xfe<");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(XmlRecordSchema, CanBeUsedFromManyThreads) {
  rapidjson::Document bad;
  bad.CopyFrom(valid_record("visit_full"), bad.GetAllocator());
  bad["start_date"].SetString("2025-02-30");
  const std::string xml =
      xml_document({&valid_record("place_full"), &bad, &valid_record("indicator")});
  const auto expected = validate(xml);
  ASSERT_EQ(expected.size(), 1u);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 30; ++round) {
        if (validate(xml) != expected) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches, 0);
}

TEST(XmlRecordSchema, ValidatesFilesAsAStream) {
  std::vector<const rapidjson::Value*> records;
  for (int i = 0; i < 500; ++i) {
    for (const auto& c : corpus()) {
      if (c.expect.empty()) records.push_back(&c.record);
    }
  }
  const fs::path file =
      fs::temp_directory_path() / ("opcat-schema-stream-" + std::to_string(::getpid()) + ".xml");
  std::ofstream(file) << xml_document(records);
  EXPECT_TRUE(xml_schema().validate_file(file).empty());
  fs::remove(file);
  EXPECT_THROW(xml_schema().validate_file(file), std::runtime_error);
}

}  // namespace
}  // namespace opcat::schema::testing
