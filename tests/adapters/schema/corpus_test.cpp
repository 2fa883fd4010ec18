// Every corpus record through both forms of the schema: JSON (RecordSchema) and XML (the writer,
// then XmlRecordSchema) must accept and reject the same records.
#include "tests/adapters/schema/corpus.hpp"

#include <gtest/gtest.h>
#include <rapidjson/schema.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "adapters/schema/codelist_provider.hpp"
#include "adapters/schema/json_file.hpp"

namespace opcat::schema::testing {
namespace {

struct XmlVerdict {
  bool valid = false;
  std::vector<Violation> violations;
  std::string refusal;  // what write_xml_record said when it refused the record
};

XmlVerdict xml_verdict(const rapidjson::Value& record) {
  XmlVerdict verdict;
  try {
    verdict.violations = xml_schema().validate_memory(xml_document({&record}));
    verdict.valid = verdict.violations.empty();
  } catch (const std::invalid_argument& refused) {
    verdict.refusal = refused.what();
  }
  return verdict;
}

std::multiset<std::pair<std::string, std::string>> pairs(const std::vector<Violation>& found) {
  std::multiset<std::pair<std::string, std::string>> out;
  for (const auto& violation : found) out.emplace(violation.field, violation.code);
  return out;
}

std::multiset<std::pair<std::string, std::string>> pairs(
    const std::vector<ExpectedViolation>& expected) {
  std::multiset<std::pair<std::string, std::string>> out;
  for (const auto& violation : expected) out.emplace(violation.field, violation.code);
  return out;
}

TEST(Corpus, CoversEveryRecordTypeBothWays) {
  std::set<std::string> valid_types;
  std::size_t invalid = 0;
  for (const auto& c : corpus()) {
    if (c.expect.empty()) {
      valid_types.insert(c.record["record_type"].GetString());
    } else {
      ++invalid;
    }
  }
  EXPECT_EQ(valid_types.size(), record_schema().record_types().size());
  EXPECT_GE(invalid, 50u);
}

TEST(Corpus, JsonFormReportsExactlyTheExpectedViolations) {
  for (const auto& c : corpus()) {
    SCOPED_TRACE(c.name);
    const auto found = record_schema().validate(c.record);
    EXPECT_EQ(pairs(found), pairs(c.expect)) << fields_and_codes(found);
    for (const auto& violation : found) EXPECT_FALSE(violation.message.empty());
  }
}

TEST(Corpus, XmlFormGivesTheSameVerdict) {
  for (const auto& c : corpus()) {
    SCOPED_TRACE(c.name);
    const bool json_valid = record_schema().validate(c.record).empty();
    const XmlVerdict xml = xml_verdict(c.record);
    if (c.xml_valid) {
      // The documented blind spot: text vs number, null vs absent. Still caught in JSON.
      EXPECT_FALSE(json_valid);
      EXPECT_TRUE(xml.valid) << fields_and_codes(xml.violations) << xml.refusal;
    } else {
      EXPECT_EQ(json_valid, xml.valid) << fields_and_codes(xml.violations) << xml.refusal;
    }
  }
}

// For faults in a value, the XML form names the same field with the same code.
TEST(Corpus, XmlFormNamesTheSameFieldForFaultsInValues) {
  const std::set<std::string> value_codes = {"enum",      "pattern",      "minimum",    "maximum",
                                             "minLength", "invalid_date", "uniqueItems"};
  std::size_t compared = 0;
  for (const auto& c : corpus()) {
    if (c.expect.size() != 1 || !value_codes.contains(c.expect.front().code)) continue;
    SCOPED_TRACE(c.name);
    const XmlVerdict xml = xml_verdict(c.record);
    const auto found = pairs(xml.violations);
    const std::pair<std::string, std::string> wanted{c.expect.front().field, c.expect.front().code};
    EXPECT_TRUE(found.contains(wanted)) << fields_and_codes(xml.violations);
    ++compared;
  }
  EXPECT_GE(compared, 25u);
}

// What an external draft-04 tool sees (the top-level oneOf over record types) agrees with the
// per-type dispatch, except for the checks draft-04 cannot express.
TEST(Corpus, TopLevelSchemaAgreesWithDispatchOnRecordType) {
  const std::filesystem::path file = kSchemasDir / "record.schema.json";
  const rapidjson::Document source = detail::read_json_file(file);
  CodelistProvider provider(file, source);
  const rapidjson::SchemaDocument top(source, &provider);
  const std::set<std::string> code_checks = {"invalid_date", "field_order", "duplicate_field",
                                             "invalid_character"};
  for (const auto& c : corpus()) {
    SCOPED_TRACE(c.name);
    const auto found = record_schema().validate(c.record);
    const bool only_code_checks = std::all_of(found.begin(), found.end(), [&](const Violation& v) {
      return code_checks.contains(v.code);
    });
    rapidjson::SchemaValidator validator(top);
    c.record.Accept(validator);
    EXPECT_EQ(validator.IsValid(), only_code_checks) << fields_and_codes(found);
  }
}

TEST(Corpus, AllValidRecordsMakeOneValidDocument) {
  std::vector<const rapidjson::Value*> records;
  for (const auto& c : corpus()) {
    if (c.expect.empty()) records.push_back(&c.record);
  }
  for (bool indent : {true, false}) {
    const auto found = xml_schema().validate_memory(xml_document(records, indent));
    EXPECT_TRUE(found.empty()) << fields_and_codes(found);
  }
}

}  // namespace
}  // namespace opcat::schema::testing
