// RecordSchema: loading (and refusing broken schema files), messages people can act on, the
// normative field order, sensitivity classes, code lists.
#include "adapters/schema/record_schema.hpp"

#include <gtest/gtest.h>
#include <rapidjson/pointer.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "adapters/schema/json_file.hpp"
#include "adapters/schema/schemas_dir.hpp"
#include "adapters/schema/xml_record_schema.hpp"
#include "tests/adapters/schema/corpus.hpp"

namespace opcat::schema::testing {
namespace {

namespace fs = std::filesystem;

// A private copy of schemas/ that a test may break.
class SchemaCopy {
 public:
  SchemaCopy() {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("opcat-schema-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::copy(kSchemasDir, dir_, fs::copy_options::recursive);
  }
  ~SchemaCopy() { fs::remove_all(dir_); }
  SchemaCopy(const SchemaCopy&) = delete;
  SchemaCopy& operator=(const SchemaCopy&) = delete;

  const fs::path& dir() const { return dir_; }

  // Replaces the first `from` in the file with `to`.
  void edit(const std::string& file, const std::string& from, const std::string& to) const {
    std::string text = detail::read_file(dir_ / file);
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(dir_ / file, std::ios::binary | std::ios::trunc) << text;
  }

 private:
  fs::path dir_;
};

std::string load_error(const fs::path& dir) {
  try {
    RecordSchema::load(dir);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(loaded)";
}

const Violation& only(const std::vector<Violation>& found) {
  if (found.size() != 1)
    throw std::runtime_error("expected one violation, got\n" + fields_and_codes(found));
  return found.front();
}

rapidjson::Document with(const std::string& base, const char* pointer, const std::string& json) {
  rapidjson::Document record;
  record.CopyFrom(valid_record(base), record.GetAllocator());
  const rapidjson::Document value = parse(json);
  rapidjson::Value copy(value, record.GetAllocator());
  rapidjson::Pointer(pointer).Set(record, copy, record.GetAllocator());
  return record;
}

TEST(RecordSchema, LoadsTheSchemaOfTheSourceTree) {
  EXPECT_EQ(
      record_schema().record_types(),
      (std::vector<std::string>{"place", "visit", "recommendation", "population", "indicator"}));
}

TEST(RecordSchema, SchemasDirIsTheSourceTreeUnlessTheEnvironmentSaysOtherwise) {
  ::unsetenv("OPCAT_SCHEMAS_DIR");
  EXPECT_EQ(fs::weakly_canonical(schemas_dir()), fs::weakly_canonical(kSchemasDir));
  ::setenv("OPCAT_SCHEMAS_DIR", "/opt/opcat/schemas", 1);
  EXPECT_EQ(schemas_dir(), fs::path("/opt/opcat/schemas"));
  ::unsetenv("OPCAT_SCHEMAS_DIR");
}

TEST(RecordSchema, FieldOrderIsTheSchemasPropertyOrder) {
  EXPECT_EQ(record_schema().field_order("visit"),
            (std::vector<std::string>{"record_type", "schema_version", "member", "visit_id",
                                      "place", "start_date", "end_date", "visit_type", "announced",
                                      "joint_with", "persons_detained", "persons_interviewed",
                                      "visited_by", "ratings", "report_published", "source"}));
  EXPECT_EQ(record_schema().field_order("population"),
            (std::vector<std::string>{"record_type", "schema_version", "member", "place", "date",
                                      "detained", "capacity", "source"}));
  for (const auto& type : record_schema().record_types()) {
    const auto& order = record_schema().field_order(type);
    EXPECT_EQ(order.front(), "record_type");
    EXPECT_EQ(order.back(), "source");
  }
  EXPECT_THROW(record_schema().field_order("inspection"), std::out_of_range);
}

TEST(RecordSchema, SensitivityOfFields) {
  const RecordSchema& schema = record_schema();
  EXPECT_EQ(schema.sensitivity("visit", "visited_by"), "personal");
  EXPECT_EQ(schema.sensitivity("visit", "visited_by[2]"), "personal");
  EXPECT_EQ(schema.sensitivity("visit", "ratings[0].value"), "public");
  EXPECT_EQ(schema.sensitivity("visit", "ratings.name"), "public");
  EXPECT_EQ(schema.sensitivity("visit", "place.place_type"), "public");
  EXPECT_EQ(schema.sensitivity("visit", "start_date"), "public");
  EXPECT_EQ(schema.sensitivity("recommendation", "text"), "may_contain_personal");
  EXPECT_EQ(schema.sensitivity("recommendation", "addressee"), "may_contain_personal");
  EXPECT_EQ(schema.sensitivity("place", "source"), "may_contain_personal");
  EXPECT_EQ(schema.sensitivity("place", "source.original_id"), "may_contain_personal");
  EXPECT_EQ(schema.sensitivity("place", "source.locator"), "public");
  EXPECT_EQ(schema.sensitivity("population", "detained"), "public");
  EXPECT_EQ(schema.sensitivity("indicator", "member"), "public");
  EXPECT_THROW(schema.sensitivity("visit", "colour"), std::out_of_range);
  EXPECT_THROW(schema.sensitivity("visit", "place.colour"), std::out_of_range);
  EXPECT_THROW(schema.sensitivity("visit", ""), std::out_of_range);
  EXPECT_THROW(schema.sensitivity("inspection", "member"), std::out_of_range);
}

TEST(RecordSchema, EveryFieldOfEveryRecordTypeHasASensitivity) {
  // Walks a valid record of each type, every field at every depth.
  std::function<void(const std::string&, const rapidjson::Value&, const std::string&)> walk =
      [&](const std::string& type, const rapidjson::Value& value, const std::string& path) {
        if (value.IsObject()) {
          for (const auto& member : value.GetObject()) {
            const std::string at =
                path.empty() ? member.name.GetString() : path + "." + member.name.GetString();
            const std::string_view sensitivity = record_schema().sensitivity(type, at);
            EXPECT_TRUE(sensitivity == "public" || sensitivity == "may_contain_personal" ||
                        sensitivity == "personal")
                << type << " " << at;
            walk(type, member.value, at);
          }
        } else if (value.IsArray()) {
          for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
            walk(type, value[i], path + "[" + std::to_string(i) + "]");
          }
        }
      };
  for (const char* name : {"place_full", "visit_full", "visit_place_by_name", "recommendation_full",
                           "population_full", "indicator"}) {
    const rapidjson::Value& record = valid_record(name);
    walk(record["record_type"].GetString(), record, "");
  }
}

TEST(RecordSchema, MessagesSayWhatWasExpected) {
  const RecordSchema& schema = record_schema();
  const Violation gaol = only(schema.validate(with("place_full", "/place_type", "\"gaol\"")));
  EXPECT_EQ(gaol.field, "place_type");
  EXPECT_TRUE(gaol.message.starts_with(
      "\"gaol\" is not a place_type (expected one of prison, young_offender_institution, "))
      << gaol.message;
  EXPECT_TRUE(gaol.message.ends_with("terrorism_act_detention)")) << gaol.message;

  EXPECT_EQ(only(schema.validate(with("visit_full", "/start_date", "\"2025-02-30\""))).message,
            "\"2025-02-30\" is not a calendar date: February 2025 has 28 days");
  EXPECT_EQ(only(schema.validate(with("visit_full", "/start_date", "\"10/03/2025\""))).message,
            "\"10/03/2025\" is not a date in the form YYYY-MM-DD");
  EXPECT_EQ(only(schema.validate(with("visit_full", "/visit_id", "\"INS-2025-014\""))).message,
            "\"INS-2025-014\" is not a member-scoped id (<member>:<original id>, on one line)");
  EXPECT_EQ(only(schema.validate(with("place_full", "/capacity", "\"twelve\""))).message,
            "expected a whole number, got text \"twelve\"");
  EXPECT_EQ(only(schema.validate(with("visit_full", "/announced", "\"yes\""))).message,
            "expected true or false or null, got text \"yes\"");
  EXPECT_EQ(only(schema.validate(with("visit_full", "/persons_detained", "-1"))).message,
            "-1 is less than the minimum, 0");
  EXPECT_EQ(only(schema.validate(with("place_full", "/latitude", "91.5"))).message,
            "91.5 is more than the maximum, 90");
  EXPECT_EQ(only(schema.validate(with("visit_full", "/joint_with/1", "\"cqc\""))).message,
            "lists \"cqc\" more than once");
  EXPECT_EQ(only(schema.validate(with("place_full", "/colour", "\"blue\""))).message,
            "\"colour\" is not a field of a place record (fields: record_type, schema_version, "
            "member, place_id, name, place_type, jurisdiction, capacity, operator, postcode, "
            "local_authority, latitude, longitude, source)");
  EXPECT_EQ(only(schema.validate(with("visit_full", "/source/row", "17"))).message,
            "\"row\" is not a field of source (fields: submission_id, locator, original_id)");

  rapidjson::Document missing;
  missing.CopyFrom(valid_record("visit_full"), missing.GetAllocator());
  missing.EraseMember("start_date");
  EXPECT_EQ(only(schema.validate(missing)).message, "a visit record needs start_date");
  rapidjson::Pointer("/source/locator").Erase(missing);
  missing.AddMember("start_date", "2025-03-10", missing.GetAllocator());
  const auto both = schema.validate(missing);
  ASSERT_EQ(both.size(), 2u) << fields_and_codes(both);
  EXPECT_EQ(both[0].field, "source.locator");
  EXPECT_EQ(both[0].message, "source needs locator");
  EXPECT_EQ(both[1].code, "field_order");

  const Violation mixed = only(schema.validate(
      with("visit_minimal", "/place", R"({"place_id": "imb-ni:x", "name": "HMP Example"})")));
  EXPECT_EQ(mixed.field, "place");
  EXPECT_NE(
      mixed.message.find("either its place_id alone, or its name, place_type and jurisdiction"),
      std::string::npos)
      << mixed.message;
  EXPECT_NE(mixed.message.find("Fields given: place_id, name."), std::string::npos)
      << mixed.message;
}

TEST(RecordSchema, RefusesWhatIsNoRecord) {
  const RecordSchema& schema = record_schema();
  EXPECT_EQ(only(schema.validate(parse("[1, 2]"))).code, "type");
  EXPECT_EQ(only(schema.validate(parse("\"place\""))).code, "type");
  EXPECT_EQ(only(schema.validate(parse("{}"))),
            (Violation{"record_type", "required",
                       "every record needs a record_type (place, visit, recommendation, "
                       "population, indicator)"}));
  EXPECT_EQ(only(schema.validate(parse(R"({"record_type": 3})"))).code, "type");
  EXPECT_EQ(only(schema.validate(parse(R"({"record_type": "inspection"})"))).message,
            "\"inspection\" is not a record type (expected one of place, visit, recommendation, "
            "population, indicator)");
}

TEST(RecordSchema, ShortensLongValuesInMessages) {
  const std::string huge(200000, 'x');
  const Violation v =
      only(record_schema().validate(with("place_full", "/place_type", "\"" + huge + "\"")));
  EXPECT_EQ(v.code, "enum");
  EXPECT_LT(v.message.size(), 1000u);
  EXPECT_NE(v.message.find("\"..."), std::string::npos);
}

TEST(RecordSchema, ReportsEveryFaultOfARecordAtOnce) {
  rapidjson::Document record = with("visit_full", "/member", "\"hmipp\"");
  rapidjson::Pointer("/place/place_type").Set(record, "gaol");
  rapidjson::Pointer("/visit_type").Set(record, "visit");
  rapidjson::Pointer("/ratings/1/value").Set(record, "three");
  rapidjson::Pointer("/report_published").Set(record, "2025-09-31");
  record.EraseMember("visit_id");
  const auto found = record_schema().validate(record);
  EXPECT_EQ(fields_and_codes(found).find("(none)"), std::string::npos);
  std::set<std::string> fields;
  for (const auto& violation : found) fields.insert(violation.field + " " + violation.code);
  EXPECT_EQ(fields, (std::set<std::string>{"member enum", "place.place_type enum",
                                           "visit_type enum", "ratings[1].value type",
                                           "report_published invalid_date", "visit_id required"}))
      << fields_and_codes(found);
}

TEST(RecordSchema, CanBeUsedFromManyThreads) {
  std::vector<std::vector<Violation>> expected;
  for (const auto& c : corpus()) expected.push_back(record_schema().validate(c.record));
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 20; ++round) {
        for (std::size_t i = 0; i < corpus().size(); ++i) {
          if (record_schema().validate(corpus()[i].record) != expected[i]) ++mismatches;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches, 0);
}

TEST(RecordSchema, GivesItsCodeLists) {
  const Codelist* places = record_schema().codelist("place_type");
  ASSERT_NE(places, nullptr);
  EXPECT_EQ(places->codes.size(), 15u);
  EXPECT_EQ(places->label("secure_childrens_home"), "Secure children's home");
  EXPECT_TRUE(places->contains("police_custody"));
  EXPECT_FALSE(places->contains("gaol"));
  EXPECT_EQ(record_schema().codelist("nothing"), nullptr);
  EXPECT_EQ(record_schema().codelists().size(), 9u);
}

TEST(RecordSchemaLoad, NamesTheFileThatIsMissing) {
  const std::string error = load_error("/nonexistent/schemas");
  EXPECT_NE(error.find("/nonexistent/schemas/record.schema.json: cannot be read"),
            std::string::npos)
      << error;
}

TEST(RecordSchemaLoad, NamesTheLineOfAJsonSyntaxError) {
  SchemaCopy copy;
  copy.edit("record.schema.json", "\"type\": \"object\",", "\"type\": \"object\",,");
  const std::string error = load_error(copy.dir());
  EXPECT_NE(error.find("record.schema.json: line 5, column"), std::string::npos) << error;
}

TEST(RecordSchemaLoad, NamesACodeListThatCannotBeRead) {
  SchemaCopy copy;
  fs::remove(copy.dir() / "codelists" / "visit_type.json");
  const std::string error = load_error(copy.dir());
  EXPECT_NE(error.find("codelists/visit_type.json: cannot be read"), std::string::npos) << error;
}

TEST(RecordSchemaLoad, RefusesACodeListWithoutLabels) {
  SchemaCopy copy;
  copy.edit("codelists/operator.json", "\"voluntary\": \"Voluntary or charitable sector\"",
            "\"volunteer\": \"Voluntary or charitable sector\"");
  const std::string error = load_error(copy.dir());
  EXPECT_NE(error.find("operator.json: code \"voluntary\" has no label"), std::string::npos)
      << error;
}

TEST(RecordSchemaLoad, RefusesAPropertyWithoutSensitivity) {
  SchemaCopy copy;
  copy.edit(
      "record.schema.json", "\"description\": \"Names of the monitors who visited.\",",
      "\"description\": \"Names of the monitors who visited.\", \"sensitivity\": \"secret\",");
  const std::string error = load_error(copy.dir());
  EXPECT_NE(error.find("/definitions/visit/properties/visited_by: every property needs"),
            std::string::npos)
      << error;
}

TEST(RecordSchemaLoad, RefusesARefThatResolvesToNothing) {
  SchemaCopy copy;
  copy.edit("record.schema.json", "\"$ref\": \"#/definitions/count\"",
            "\"$ref\": \"#/definitions/cuont\"");
  const std::string error = load_error(copy.dir());
  EXPECT_NE(error.find("\"#/definitions/cuont\" resolves to nothing"), std::string::npos) << error;
}

TEST(RecordSchemaLoad, RefusesARefOutsideTheCodeLists) {
  SchemaCopy copy;
  copy.edit("record.schema.json", "\"$ref\": \"codelists/operator.json\"",
            "\"$ref\": \"http://example.org/operator.json\"");
  const std::string error = load_error(copy.dir());
  EXPECT_NE(error.find("\"http://example.org/operator.json\" is not supported"), std::string::npos)
      << error;
}

TEST(RecordSchemaLoad, RefusesAPatternRapidJsonCannotCompile) {
  SchemaCopy copy;
  copy.edit("record.schema.json", "\"^[a-z][a-z0-9_]*$\"", "\"^[a-z\"");
  const std::string error = load_error(copy.dir());
  EXPECT_NE(error.find("\"pattern\": \"^[a-z\" is not a regular expression"), std::string::npos)
      << error;
}

TEST(XmlRecordSchemaLoad, NamesTheXsdAndPrintsNothing) {
  SchemaCopy copy;
  copy.edit("record.xsd", "type=\"r:record_id\"", "type=\"r:record_identifier\"");
  ::testing::internal::CaptureStderr();
  std::string error = "(loaded)";
  try {
    XmlRecordSchema::load(copy.dir());
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_NE(error.find("record.xsd: "), std::string::npos) << error;
  EXPECT_NE(error.find("record_identifier"), std::string::npos) << error;

  copy.edit("record.xsd", "</xs:schema>", "</xs:schem>");
  ::testing::internal::CaptureStderr();
  try {
    XmlRecordSchema::load(copy.dir());
    ADD_FAILURE() << "a broken XSD loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("record.xsd: line "), std::string::npos) << e.what();
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace opcat::schema::testing
