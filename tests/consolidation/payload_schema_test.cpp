// PayloadSchema::problem_in_file: real consolidated payloads of the fixtures, in both forms, pass;
// a payload with a field removed or of the wrong type, a truncated one, and hostile ones (entity
// bombs, endless nesting, a member's <records> export in place of a submission) fail with a
// message that says where and why.
#include "gateway/consolidation/payload_schema.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <sstream>

#include "gateway/consolidation/consolidator.hpp"
#include "tests/consolidation/fixture_store.hpp"

namespace opcat::consolidation::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

const Period kYear = {"2024-04-01", "2025-03-31"};

class PayloadSchemaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    record_schema_ = new schema::RecordSchema(schema::RecordSchema::load(kSchemas));
    fixtures_ = new FixtureStore(*record_schema_);
    payload_schema_ = new PayloadSchema(PayloadSchema::load(kSchemas));
    for (const PayloadFormat format : {PayloadFormat::json, PayloadFormat::xml}) {
      std::ostringstream out;
      consolidate(fixtures_->store(), kYear, npm(), format, out);
      (format == PayloadFormat::json ? json_ : xml_) = new std::string(std::move(out).str());
    }
  }
  static void TearDownTestSuite() {
    delete xml_;
    delete json_;
    delete payload_schema_;
    delete fixtures_;
    delete record_schema_;
  }

  static DataPolicy npm() {
    return DataPolicy::load(kSchemas / "policies" / "npm.toml", *record_schema_);
  }

  fs::path write(const std::string& name, const std::string& bytes) const {
    const fs::path path = dir_.path() / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::string json_problem(const std::string& bytes) const {
    return payload_schema_->problem_in_file(write("payload.json", bytes), PayloadFormat::json);
  }
  std::string xml_problem(const std::string& bytes) const {
    return payload_schema_->problem_in_file(write("payload.xml", bytes), PayloadFormat::xml);
  }

  // The real JSON payload changed by `edit`.
  template <class Edit>
  static std::string edited_json(Edit edit) {
    rapidjson::Document document;
    document.Parse(json_->data(), json_->size());
    EXPECT_FALSE(document.HasParseError());
    edit(document);
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    document.Accept(writer);
    return {buffer.GetString(), buffer.GetSize()};
  }

  // The real XML payload with the first `from` replaced by `to`.
  static std::string edited_xml(const std::string& from, const std::string& to) {
    std::string xml = *xml_;
    const std::size_t at = xml.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) xml.replace(at, from.size(), to);
    return xml;
  }

  static inline schema::RecordSchema* record_schema_ = nullptr;
  static inline FixtureStore* fixtures_ = nullptr;
  static inline PayloadSchema* payload_schema_ = nullptr;
  static inline std::string* json_ = nullptr;
  static inline std::string* xml_ = nullptr;
  opcat::testing::TempDir dir_{"opcat-payload-schema"};
};

TEST_F(PayloadSchemaTest, RealPayloadsOfTheFixturesPass) {
  ASSERT_GT(json_->size(), 100'000u) << "a payload with records, not an empty one";
  ASSERT_GT(xml_->size(), 100'000u);
  EXPECT_EQ(json_problem(*json_), "");
  EXPECT_EQ(xml_problem(*xml_), "");
  EXPECT_EQ(payload_schema_->problem(*json_), "");
  // The committed golden file too (stable ids in place of submission ids).
  EXPECT_EQ(payload_schema_->problem_in_file(kFixtures / "npm-2024-25.json", PayloadFormat::json),
            "");
}

TEST_F(PayloadSchemaTest, JsonWithAFieldRemovedOrOfTheWrongTypeFails) {
  EXPECT_EQ(json_problem(edited_json([](rapidjson::Document& d) { d.RemoveMember("lineage"); })),
            "#: required");
  EXPECT_EQ(json_problem(edited_json(
                [](rapidjson::Document& d) { d["visits"][0].RemoveMember("start_date"); })),
            "#/visits/0: required");
  EXPECT_EQ(json_problem(edited_json([](rapidjson::Document& d) {
              d["aggregates"]["visits"]["total"].SetString("many");
            })),
            "#/aggregates/visits/total: type");
  EXPECT_EQ(json_problem(edited_json([](rapidjson::Document& d) {
              d["visits"][1]["place"]["place_type"].SetString("castle");
            })),
            "#/visits/1/place/place_type: enum");
  // In memory, the same answer.
  EXPECT_EQ(payload_schema_->problem(
                edited_json([](rapidjson::Document& d) { d.RemoveMember("lineage"); })),
            "#: required");
}

TEST_F(PayloadSchemaTest, XmlWithAnElementRemovedOrOfTheWrongTypeFails) {
  const std::size_t period = xml_->find("<period>");
  const std::size_t policy = xml_->find("<policy>");
  ASSERT_NE(period, std::string::npos);
  ASSERT_NE(policy, std::string::npos);
  std::string without_period = *xml_;
  without_period.erase(period, policy - period);
  EXPECT_THAT(xml_problem(without_period),
              MatchesRegex("line [0-9]+: Element 'policy': This element is not expected\\. "
                           "Expected is \\( period \\)\\."));

  const std::string wrong_type = edited_xml("<persons_detained>28<", "<persons_detained>many<");
  EXPECT_THAT(xml_problem(wrong_type), StartsWith("line "));
  EXPECT_THAT(xml_problem(wrong_type),
              HasSubstr("Element 'persons_detained': 'many' is not a valid"));

  EXPECT_THAT(xml_problem(edited_xml("<place_type>police_custody<", "<place_type>castle<")),
              HasSubstr("Element 'place_type': [facet 'enumeration'] The value 'castle'"));
}

TEST_F(PayloadSchemaTest, TruncatedFilesFail) {
  EXPECT_THAT(json_problem(json_->substr(0, json_->size() / 2)),
              MatchesRegex("byte [0-9]+: not well-formed JSON: .+"));
  EXPECT_THAT(json_problem(""), StartsWith("byte 0: not well-formed JSON: "));
  EXPECT_THAT(xml_problem(xml_->substr(0, xml_->size() / 2)), MatchesRegex("line [0-9]+: .+"));
  EXPECT_THAT(xml_problem(xml_->substr(0, xml_->size() - 3)), MatchesRegex("line [0-9]+: .+"));
  EXPECT_EQ(xml_problem(""), "the document is empty");
}

TEST_F(PayloadSchemaTest, AnXmlEntityBombIsRefusedWithoutExpanding) {
  const std::string bomb =
      "<!DOCTYPE lolz [\n"
      " <!ENTITY lol \"lol\">\n"
      " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
      " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
      " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
      " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
      " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
      " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
      " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
      " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
      " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
      " <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n"
      "]>\n"
      "<consolidated_submission xmlns=\"urn:opcat-gateway:record:1\">&lol9;&xxe;"
      "</consolidated_submission>\n";
  EXPECT_EQ(xml_problem("<?xml version=\"1.0\"?>\n" + bomb),
            "line 2: a DOCTYPE is not allowed in a consolidated submission");

  // Behind a prolog longer than the scan for a DOCTYPE reads ahead: the reader meets it, and
  // still nothing in it is expanded or loaded.
  std::string padded = "<?xml version=\"1.0\"?>\n<!-- ";
  padded += std::string(2 * 1024 * 1024, 'x');
  padded += " -->\n" + bomb;
  EXPECT_EQ(xml_problem(padded), "a DOCTYPE is not allowed in a consolidated submission");
  // The same DOCTYPE before a real, valid payload: refused when the reader reaches it.
  std::string before_valid = "<?xml version=\"1.0\"?>\n<!-- ";
  before_valid += std::string(2 * 1024 * 1024, 'x');
  before_valid += " -->\n" + bomb.substr(0, bomb.find("<consolidated_submission"));
  before_valid += xml_->substr(xml_->find("<consolidated_submission"));
  EXPECT_THAT(xml_problem(before_valid),
              MatchesRegex("line [0-9]+: a DOCTYPE is not allowed in a consolidated submission"));
}

TEST_F(PayloadSchemaTest, EndlessJsonNestingStopsAtTheLimit) {
  // "format" is checked against an enum, so the validator reads the whole value before judging.
  const std::string deep = "{\"format\":" + std::string(100'000, '[');
  EXPECT_THAT(json_problem(deep), MatchesRegex("byte 7[0-9]: nested deeper than 64 levels"));
}

TEST_F(PayloadSchemaTest, NotUtf8IsNotJson) {
  std::string bad = *json_;
  const std::size_t at = bad.find("Marsh Lane");
  ASSERT_NE(at, std::string::npos);
  bad[at] = '\xff';
  EXPECT_THAT(json_problem(bad), HasSubstr("not well-formed JSON: Invalid encoding in string."));
}

TEST_F(PayloadSchemaTest, AMembersRecordsDocumentIsNoConsolidatedSubmission) {
  // Valid against record.xsd, which consolidated.xsd includes with its global <records>.
  const std::string records =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<records xmlns=\"urn:opcat-gateway:record:1\" schema_version=\"1\"></records>\n";
  EXPECT_EQ(
      xml_problem(records),
      "line 2: the root element is not consolidated_submission in urn:opcat-gateway:record:1");
  EXPECT_THAT(xml_problem("<consolidated_submission/>"),
              StartsWith("line 1: Element 'consolidated_submission': No matching global"));
}

TEST_F(PayloadSchemaTest, AFileThatCannotBeReadIsNamed) {
  const fs::path missing = dir_.path() / "missing.json";
  for (const PayloadFormat format : {PayloadFormat::json, PayloadFormat::xml}) {
    try {
      payload_schema_->problem_in_file(missing, format);
      ADD_FAILURE() << "expected an error";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), missing.string() + ": cannot be read");
    }
  }
}

TEST(PayloadSchemaLoadTest, AMissingXsdIsNamed) {
  opcat::testing::TempDir dir("opcat-payload-schema-load");
  for (const auto& entry : fs::recursive_directory_iterator(kSchemas)) {
    const fs::path to = dir.path() / fs::relative(entry.path(), kSchemas);
    if (entry.is_directory()) {
      fs::create_directories(to);
    } else if (entry.path().filename() != "consolidated.xsd") {
      fs::copy_file(entry.path(), to);
    }
  }
  try {
    PayloadSchema::load(dir.path());
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir.path() / "consolidated.xsd").string() + ": cannot be read");
  }
}

}  // namespace
}  // namespace opcat::consolidation::testing
