// The engine on small, hand-written mappings: what it accepts, what it reports and in whose
// terms, and when the error budget rejects an export whole.
#include "adapters/mapping/normaliser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>

#include "adapters/schema/schemas_dir.hpp"
#include "gateway/config/config.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::adapters {
namespace {

using ::testing::HasSubstr;

class CollectingSink : public RecordSink {
 public:
  void record(const rapidjson::Value& record) override {
    rapidjson::StringBuffer text;
    rapidjson::Writer<rapidjson::StringBuffer> writer(text);
    record.Accept(writer);
    records.emplace_back(text.GetString());
  }
  void error(const RecordError& error) override { errors.push_back(error); }
  std::vector<std::string> records;
  std::vector<RecordError> errors;
};

const schema::RecordSchema& record_schema() {
  static const auto loaded = schema::RecordSchema::load(schema::schemas_dir());
  return loaded;
}

class NormaliserTest : public ::testing::Test {
 protected:
  MemberMapping mapping(const std::string& toml) {
    const auto file = dir_.path() / "icva.toml";
    std::ofstream(file) << toml;
    return load_mapping(file);
  }

  Outcome run(const MemberMapping& member_mapping, std::string csv, CollectingSink& sink) {
    const Normaliser normaliser(member_mapping, record_schema());
    StringSource source(std::move(csv), "visits.csv");
    return normaliser.run(source, sink);
  }

  testing::TempDir dir_;
};

constexpr const char* kVisits = R"(
[adapter]
member = "icva"
reader = "csv"
max_rejected = 2
max_rejected_ratio = 0.5

[reader]
delimiter = ","

[[record]]
type = "visit"
id = { hash = ["Suite", "Date"] }
[record.fields]
start_date = { from = "Date", date = "dd/mm/yyyy", required = true }
"place.name" = { from = "Suite", required = true }
"place.place_type" = { value = "police_custody" }
"place.jurisdiction" = { value = "england" }
visit_type = { value = "custody_visit" }
announced = { value = false }
persons_detained = { from = "Detained", type = "integer" }
[record.ratings]
satisfactory = { from = "OK?", map = { Y = 1, N = 0 }, scale = "icva_satisfactory_0_1" }
)";

TEST_F(NormaliserTest, MapsRowsToSchemaRecordsInFieldOrder) {
  CollectingSink sink;
  const auto outcome = run(mapping(kVisits), "Suite,Date,Detained,OK?\nNorth,12/03/2025,4,Y\n", sink);
  EXPECT_EQ(outcome.verdict, Outcome::Verdict::complete);
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_THAT(sink.records[0], HasSubstr(R"({"record_type":"visit","schema_version":1,"member":"icva","visit_id":"icva:h)"));
  EXPECT_THAT(sink.records[0], HasSubstr(R"("place":{"name":"North","place_type":"police_custody","jurisdiction":"england"},"start_date":"2025-03-12")"));
  EXPECT_THAT(sink.records[0], HasSubstr(R"("announced":false,"persons_detained":4)"));
  EXPECT_THAT(sink.records[0], HasSubstr(R"("ratings":[{"name":"satisfactory","value":1,"scale":"icva_satisfactory_0_1"}])"));
  EXPECT_THAT(sink.records[0], HasSubstr(R"("source":{"locator":"row 2"})"));
}

TEST_F(NormaliserTest, HashIdsAreStableAndDifferByKey) {
  CollectingSink first, second;
  const auto member_mapping = mapping(kVisits);
  run(member_mapping, "Suite,Date,Detained,OK?\nNorth,12/03/2025,4,Y\nSouth,12/03/2025,4,Y\n", first);
  run(member_mapping, "Date,Suite,Detained,OK?\n12/03/2025,North,9,N\n", second);  // columns moved
  ASSERT_EQ(first.records.size(), 2u);
  ASSERT_EQ(second.records.size(), 1u);
  const auto id = [](const std::string& record) { return record.substr(record.find("visit_id"), 40); };
  EXPECT_EQ(id(first.records[0]), id(second.records[0]));
  EXPECT_NE(id(first.records[0]), id(first.records[1]));
}

TEST_F(NormaliserTest, ErrorsNameTheMembersColumnsAndGoodRowsStand) {
  CollectingSink sink;
  const auto outcome = run(mapping(kVisits),
                           "Suite,Date,Detained,OK?\nNorth,31/02/2025,4,Y\nSouth,01/03/2025,lots,Y\n"
                           "East,02/03/2025,3,Y\nWest,03/03/2025,2,Y\nHill,04/03/2025,1,Y\n",
                           sink);
  EXPECT_EQ(outcome.verdict, Outcome::Verdict::partial);
  EXPECT_EQ(outcome.accepted, 3u);
  EXPECT_EQ(outcome.rejected, 2u);
  ASSERT_EQ(sink.errors.size(), 2u);
  EXPECT_EQ(sink.errors[0].locator, "row 2");
  EXPECT_EQ(sink.errors[0].field, "start_date");
  EXPECT_EQ(sink.errors[0].source_field, "Date");
  EXPECT_EQ(sink.errors[0].value, "31/02/2025");
  EXPECT_EQ(sink.errors[0].code, "bad_date");
  EXPECT_EQ(sink.errors[1].field, "persons_detained");
  EXPECT_EQ(sink.errors[1].source_field, "Detained");
  EXPECT_EQ(sink.errors[1].code, "bad_integer");
}

TEST_F(NormaliserTest, UnmappedValueIsReportedWithTheKnownValues) {
  CollectingSink sink;
  run(mapping(kVisits), "Suite,Date,Detained,OK?\nNorth,12/03/2025,4,Partly\n", sink);
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].code, "unmapped_value");
  EXPECT_EQ(sink.errors[0].source_field, "OK?");
  EXPECT_THAT(sink.errors[0].message, HasSubstr("n, y"));
}

TEST_F(NormaliserTest, OverTheCountBudgetTheExportIsRejectedWhole) {
  CollectingSink sink;
  std::string csv = "Suite,Date,Detained,OK?\n";
  for (int i = 0; i < 10; ++i) csv += "North,99/99/2025,4,Y\n";
  const auto outcome = run(mapping(kVisits), csv, sink);
  EXPECT_EQ(outcome.verdict, Outcome::Verdict::rejected);
  EXPECT_THAT(outcome.reason, HasSubstr("more than 2 records rejected"));
  EXPECT_EQ(outcome.rejected, 3u);  // stops at once, does not read the rest
}

TEST_F(NormaliserTest, OverTheRatioBudgetTheExportIsRejectedWhole) {
  CollectingSink sink;
  const auto outcome = run(mapping(kVisits),
                           "Suite,Date,Detained,OK?\nNorth,12/03/2025,4,Y\nSouth,bad,4,Y\nEast,bad,4,Y\n", sink);
  EXPECT_EQ(outcome.verdict, Outcome::Verdict::rejected);
  EXPECT_THAT(outcome.reason, HasSubstr("2 of 3 records rejected"));
}

TEST_F(NormaliserTest, RaggedRowIsOneRejectedRecord) {
  CollectingSink sink;
  const auto outcome = run(mapping(kVisits), "Suite,Date,Detained,OK?\nNorth,12/03/2025\nSouth,12/03/2025,4,Y\nEast,12/03/2025,1,N\n", sink);
  EXPECT_EQ(outcome.verdict, Outcome::Verdict::partial);
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].code, "malformed");
  EXPECT_EQ(sink.errors[0].locator, "row 2");
}

TEST_F(NormaliserTest, MissingRequiredColumnRejectsTheExportNamingIt) {
  CollectingSink sink;
  const auto outcome = run(mapping(kVisits), "Suite,Detained,OK?\nNorth,4,Y\n", sink);
  EXPECT_EQ(outcome.verdict, Outcome::Verdict::rejected);
  EXPECT_THAT(outcome.reason, HasSubstr("Date"));
}

TEST_F(NormaliserTest, AnEmptyExportIsRejected) {
  CollectingSink sink;
  const auto outcome = run(mapping(kVisits), "Suite,Date,Detained,OK?\n", sink);
  EXPECT_EQ(outcome.verdict, Outcome::Verdict::rejected);
  EXPECT_THAT(outcome.reason, HasSubstr("no records"));
}

TEST_F(NormaliserTest, SubmissionIdIsStampedIntoSource) {
  CollectingSink sink;
  const auto member_mapping = mapping(kVisits);
  const Normaliser normaliser(member_mapping, record_schema());
  StringSource source("Suite,Date,Detained,OK?\nNorth,12/03/2025,4,Y\n");
  normaliser.run(source, sink, {"sub-42"});
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_THAT(sink.records[0], HasSubstr(R"("source":{"submission_id":"sub-42","locator":"row 2"})"));
}

TEST_F(NormaliserTest, MapTargetEmptyLeavesTheValueOut) {
  std::string text = kVisits;
  text.replace(text.find("map = { Y = 1, N = 0 }"), 22, R"(map = { Y = 1, N = 0, "n/k" = "" })");
  CollectingSink sink;
  const auto outcome = run(mapping(text), "Suite,Date,Detained,OK?\nNorth,12/03/2025,4,n/k\nSouth,12/03/2025,4,N\n", sink);
  EXPECT_EQ(outcome.verdict, Outcome::Verdict::complete);
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_THAT(sink.records[0], ::testing::Not(HasSubstr("ratings")));
  EXPECT_THAT(sink.records[1], HasSubstr(R"("ratings":[{"name":"satisfactory","value":0)"));
}

TEST_F(NormaliserTest, WhenSkipsUnitsWithoutTheValueSilently) {
  std::string text = kVisits;
  text.replace(text.find(R"(type = "visit")"), 14, "type = \"visit\"\nwhen = \"Date\"");
  CollectingSink sink;
  const auto outcome = run(mapping(text), "Suite,Date,Detained,OK?\nNorth,,4,Y\nSouth,12/03/2025,4,N\n", sink);
  EXPECT_EQ(outcome.verdict, Outcome::Verdict::complete);
  EXPECT_EQ(sink.records.size(), 1u);
  EXPECT_TRUE(sink.errors.empty());
}

TEST_F(NormaliserTest, OneProblemIsReportedOnce) {
  CollectingSink sink;
  run(mapping(kVisits), "Suite,Date,Detained,OK?\n,12/03/2025,4,Y\nSouth,12/03/2025,4,N\n", sink);
  ASSERT_EQ(sink.errors.size(), 1u);  // "missing place.name", not also the schema's "place" complaint
  EXPECT_EQ(sink.errors[0].field, "place.name");
  EXPECT_EQ(sink.errors[0].code, "missing");
}

TEST_F(NormaliserTest, AFieldTheSchemaDoesNotHaveIsAMappingError) {
  std::string text = kVisits;
  text.replace(text.find("persons_detained"), 16, "persons_detaned");
  const auto member_mapping = mapping(text);
  try {
    Normaliser normaliser(member_mapping, record_schema());
    FAIL() << "a misspelt field was accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("record[0].fields.persons_detaned"));
  }
}

TEST_F(NormaliserTest, AnUnknownPartOfANestedFieldIsAMappingError) {
  std::string text = kVisits;
  text.replace(text.find(R"("place.name")"), 12, R"("place.nmae")");
  const auto member_mapping = mapping(text);
  EXPECT_THROW(Normaliser(member_mapping, record_schema()), config::ConfigError);
}

// Mapping file validation: each mistake names its key and line.
struct BadMapping {
  const char* name;
  std::string from, to, expected;
};

class MappingFileTest : public NormaliserTest, public ::testing::WithParamInterface<BadMapping> {};

TEST_P(MappingFileTest, NamesTheKeyAndLine) {
  std::string text = kVisits;
  const auto& bad = GetParam();
  const auto at = text.find(bad.from);
  ASSERT_NE(at, std::string::npos) << bad.from;
  text.replace(at, bad.from.size(), bad.to);
  try {
    mapping(text);
    FAIL() << "accepted: " << bad.name;
  } catch (const config::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr(bad.expected));
    EXPECT_THAT(e.what(), HasSubstr("line "));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Mistakes, MappingFileTest,
    ::testing::Values(
        BadMapping{"unknown_reader", R"(reader = "csv")", R"(reader = "xlsx")", "adapter.reader: unknown reader \"xlsx\""},
        BadMapping{"unknown_key", "max_rejected = 2", "max_rejectd = 2", "adapter.max_rejectd: unknown key"},
        BadMapping{"bad_type", R"(type = "visit")", R"(type = "vist")", "record[0].type: unknown record type"},
        BadMapping{"bad_date_format", R"(date = "dd/mm/yyyy")", R"(date = "mm/dd/yy")", "record[0].fields.start_date.date"},
        BadMapping{"from_and_value", R"("place.place_type" = { value = "police_custody" })",
                   R"("place.place_type" = { value = "police_custody", from = "X" })", "record[0].fields.place.place_type"},
        BadMapping{"bad_match", R"(from = "Suite", required = true)", R"(from = "Suite", match = "fuzzy")",
                   "record[0].fields.place.name.match"},
        BadMapping{"reader_setting", R"(delimiter = ",")", R"(delimiter = "::")", "reader.delimiter"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace opcat::adapters
