// Golden tests of the member mappings: every synthetic export in tests/fixtures/members/<code>/
// goes through adapters/members/<code>.toml in process, and what comes out must equal, byte for
// byte, <export>.expected.jsonl (the accepted records, one JSON object per line) and
// <export>.errors.jsonl (the problems, {locator, field, source_field, value, code, message} per
// line; no file means no problems). The golden files are the specification of each mapping.
//
// Also checked: the export is not rejected as a whole, every record conforms to the JSON Schema
// and, in its XML form, to record.xsd, and a second run gives the same bytes.
//
// OPCAT_UPDATE_GOLDEN=1 rewrites the golden files from what the mappings produce now, instead of
// comparing (the other checks still run). Review the diff before committing it.
#include <gtest/gtest.h>
#include <libxml/xmlwriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/core/byte_source.hpp"
#include "adapters/core/record_error_json.hpp"
#include "adapters/mapping/catalogue.hpp"
#include "adapters/mapping/normaliser.hpp"
#include "adapters/schema/record_schema.hpp"
#include "adapters/schema/xml_record_schema.hpp"
#include "adapters/schema/xml_record_writer.hpp"

namespace opcat::adapters {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(OPCAT_SOURCE_DIR) / "tests" / "fixtures" / "members";
const fs::path kMappings = fs::path(OPCAT_SOURCE_DIR) / "adapters" / "members";
const fs::path kSchemas = fs::path(OPCAT_SOURCE_DIR) / "schemas";

constexpr std::string_view kExpectedSuffix = ".expected.jsonl";
constexpr std::string_view kErrorsSuffix = ".errors.jsonl";
constexpr std::size_t kProblemsShown = 10;

// One member export to check: the folder's name is the member code.
struct Fixture {
  std::string member;
  fs::path input;

  fs::path expected() const { return fs::path(input.string() + std::string(kExpectedSuffix)); }
  fs::path errors() const { return fs::path(input.string() + std::string(kErrorsSuffix)); }
};

// "icva/custody-visits-2024-25.csv". gtest_discover_tests puts this in place of the test's index,
// so that each export's ctest entry is named by the export (ctest -R icva).
void PrintTo(const Fixture& fixture, std::ostream* out) {
  *out << fixture.member << "/" << fixture.input.filename().string();
}

bool is_export(const fs::directory_entry& file) {
  const std::string name = file.path().filename().string();
  return file.is_regular_file() && name != "README.md" && !name.ends_with(kExpectedSuffix) &&
         !name.ends_with(kErrorsSuffix);
}

std::vector<fs::path> member_folders() {
  std::vector<fs::path> folders;
  std::error_code ec;
  if (!fs::is_directory(kFixtures, ec)) return folders;
  for (const auto& entry : fs::directory_iterator(kFixtures)) {
    if (entry.is_directory()) folders.push_back(entry.path());
  }
  std::sort(folders.begin(), folders.end());
  return folders;
}

// Every export of every member folder, in a stable order.
std::vector<Fixture> discover() {
  std::vector<Fixture> fixtures;
  for (const auto& folder : member_folders()) {
    for (const auto& file : fs::directory_iterator(folder)) {
      if (is_export(file)) fixtures.push_back({folder.filename().string(), file.path()});
    }
  }
  std::sort(fixtures.begin(), fixtures.end(),
            [](const Fixture& a, const Fixture& b) { return a.input < b.input; });
  return fixtures;
}

bool update_mode() {
  const char* value = std::getenv("OPCAT_UPDATE_GOLDEN");
  return value != nullptr && std::string_view(value) == "1";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

const MappingCatalogue& catalogue() {
  static const MappingCatalogue loaded = MappingCatalogue::load(kMappings);
  return loaded;
}

const schema::RecordSchema& record_schema() {
  static const schema::RecordSchema loaded = schema::RecordSchema::load(kSchemas);
  return loaded;
}

const schema::XmlRecordSchema& xml_schema() {
  static const schema::XmlRecordSchema loaded = schema::XmlRecordSchema::load(kSchemas);
  return loaded;
}

// What one run of the normaliser over an export gave.
struct Result {
  Outcome outcome;
  std::string records;                // JSON lines
  std::string errors;                 // JSON lines
  std::string xml;                    // the records as one <records> document
  std::vector<std::string> problems;  // records the JSON Schema or the XML writer refused
};

// Keeps what the normaliser hands over, in the forms the golden files and the XSD check need.
class GoldenSink final : public RecordSink {
 public:
  explicit GoldenSink(Result& result) : result_(result) {
    buffer_ = xmlBufferCreate();
    writer_ = xmlNewTextWriterMemory(buffer_, 0);
    if (buffer_ == nullptr || writer_ == nullptr)
      throw std::runtime_error("cannot start an XML writer");
    schema::begin_xml_document(writer_);
  }
  ~GoldenSink() override {
    if (writer_ != nullptr) xmlFreeTextWriter(writer_);
    xmlBufferFree(buffer_);
  }
  GoldenSink(const GoldenSink&) = delete;
  GoldenSink& operator=(const GoldenSink&) = delete;

  void record(const rapidjson::Value& record) override {
    rapidjson::StringBuffer text;
    rapidjson::Writer<rapidjson::StringBuffer> json(text);
    record.Accept(json);
    result_.records.append(text.GetString(), text.GetSize()).push_back('\n');
    ++count_;
    const std::string which = "record " + std::to_string(count_) + " (" + locator(record) + ")";
    for (const auto& violation : record_schema().validate(record)) {
      result_.problems.push_back(which + ": JSON Schema: " + violation.field + ": " +
                                 violation.code + ": " + violation.message);
    }
    try {
      schema::write_xml_record(writer_, record);
    } catch (const std::exception& e) {
      result_.problems.push_back(which + ": no XML form: " + e.what());
    }
  }

  void error(const RecordError& error) override {
    result_.errors.append(to_json(error)).push_back('\n');
  }

  // Closes the XML document and hands it to the result.
  void finish() {
    schema::end_xml_document(writer_);
    xmlFreeTextWriter(writer_);  // flushes into buffer_, which stays ours
    writer_ = nullptr;
    result_.xml.assign(reinterpret_cast<const char*>(xmlBufferContent(buffer_)),
                       static_cast<std::size_t>(xmlBufferLength(buffer_)));
  }

 private:
  static std::string locator(const rapidjson::Value& record) {
    if (record.IsObject() && record.HasMember("source") && record["source"].IsObject() &&
        record["source"].HasMember("locator") && record["source"]["locator"].IsString()) {
      return record["source"]["locator"].GetString();
    }
    return "no locator";
  }

  Result& result_;
  xmlBufferPtr buffer_ = nullptr;
  xmlTextWriterPtr writer_ = nullptr;
  std::size_t count_ = 0;
};

Result normalise(const MemberMapping& mapping, const fs::path& input) {
  Result result;
  GoldenSink sink(result);
  FileSource source(input);
  const Normaliser normaliser(mapping, record_schema());
  result.outcome = normaliser.run(source, sink);
  sink.finish();
  return result;
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    out.push_back(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return out;
}

// A readable account of how `actual` differs from the golden file: the first line that differs,
// not megabytes of both.
std::string difference(const std::string& actual, const std::string& expected) {
  const auto got = lines(actual);
  const auto want = lines(expected);
  std::ostringstream out;
  out << "produced " << got.size() << " lines, the golden file has " << want.size() << ".";
  for (std::size_t i = 0; i < std::max(got.size(), want.size()); ++i) {
    const std::string_view a = i < got.size() ? got[i] : std::string_view("<no line>");
    const std::string_view b = i < want.size() ? want[i] : std::string_view("<no line>");
    if (a != b) {
      out << " First difference at line " << (i + 1) << ":\n  golden:   " << b
          << "\n  produced: " << a;
      break;
    }
  }
  if (actual.size() != expected.size() && got == want) out << " (line ends differ)";
  return out.str();
}

void compare_or_update(const fs::path& golden, const std::string& produced, bool optional) {
  const bool exists = fs::exists(golden);
  if (update_mode()) {
    if (optional && produced.empty()) {
      if (exists) fs::remove(golden);
    } else {
      write_file(golden, produced);
    }
    return;
  }
  if (!exists) {
    if (optional && produced.empty()) return;
    ADD_FAILURE() << golden << " is missing: write it with OPCAT_UPDATE_GOLDEN=1 and review it.\n"
                  << difference(produced, "");
    return;
  }
  const std::string expected = read_file(golden);
  if (produced != expected) {
    ADD_FAILURE() << "the output differs from " << golden.filename()
                  << " (rerun with OPCAT_UPDATE_GOLDEN=1 "
                  << "if the change is intended, and review the diff): "
                  << difference(produced, expected);
  }
}

std::string shown(const std::vector<std::string>& problems) {
  std::string out;
  for (std::size_t i = 0; i < problems.size() && i < kProblemsShown; ++i) {
    out += "\n  " + problems[i];
  }
  if (problems.size() > kProblemsShown) {
    out += "\n  ... and " + std::to_string(problems.size() - kProblemsShown) + " more";
  }
  return out;
}

class MemberGolden : public testing::TestWithParam<Fixture> {};

TEST_P(MemberGolden, MatchesGoldenFiles) {
  const Fixture& fixture = GetParam();
  const MemberMapping* mapping = catalogue().find(fixture.member);
  ASSERT_NE(mapping, nullptr) << "tests/fixtures/members/" << fixture.member
                              << "/ has no mapping adapters/members/" << fixture.member << ".toml";

  const Result first = normalise(*mapping, fixture.input);
  EXPECT_NE(first.outcome.verdict, Outcome::Verdict::rejected)
      << "the whole export was rejected: " << first.outcome.reason << " (at "
      << first.outcome.locator << ")";
  EXPECT_GT(first.outcome.accepted, 0U);
  EXPECT_TRUE(first.problems.empty())
      << first.problems.size() << " records are not valid:" << shown(first.problems);

  const auto xml_violations = xml_schema().validate_memory(first.xml);
  std::vector<std::string> xml_problems;
  for (const auto& violation : xml_violations) {
    xml_problems.push_back(violation.field + ": " + violation.code + ": " + violation.message);
  }
  EXPECT_TRUE(xml_problems.empty())
      << "the records' XML form is not valid against record.xsd:" << shown(xml_problems);

  const Result second = normalise(*mapping, fixture.input);
  EXPECT_TRUE(second.records == first.records) << "a second run gave other records";
  EXPECT_TRUE(second.errors == first.errors) << "a second run gave other errors";
  EXPECT_TRUE(second.xml == first.xml) << "a second run gave another XML document";
  EXPECT_EQ(second.outcome.accepted, first.outcome.accepted);
  EXPECT_EQ(second.outcome.rejected, first.outcome.rejected);

  compare_or_update(fixture.expected(), first.records, /*optional=*/false);
  compare_or_update(fixture.errors(), first.errors, /*optional=*/true);
  if (update_mode()) {
    std::cout << "wrote the golden files of " << fixture.input.filename() << ": "
              << first.outcome.accepted << " records, " << first.outcome.rejected << " rejected\n";
  }
}

INSTANTIATE_TEST_SUITE_P(members_golden, MemberGolden, testing::ValuesIn(discover()));
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(MemberGolden);

// The folders follow the rules of docs/adding-a-member.md: each is a member with a mapping, says
// its data is synthetic, and holds at least one export; every mapping has a folder.
TEST(MembersGoldenFolders, EachFolderIsAMemberWithAMappingAReadmeAndAnExport) {
  for (const auto& folder : member_folders()) {
    const std::string member = folder.filename().string();
    EXPECT_NE(catalogue().find(member), nullptr)
        << folder << ": no mapping adapters/members/" << member << ".toml";
    const std::string readme = read_file(folder / "README.md");
    EXPECT_NE(readme.find("Synthetic data"), std::string::npos)
        << folder << "/README.md must say that the data is synthetic (\"Synthetic data\")";
    const auto exports =
        std::count_if(fs::directory_iterator(folder), fs::directory_iterator(), is_export);
    EXPECT_GT(exports, 0) << folder << " holds no export";
  }
}

TEST(MembersGoldenFolders, EveryMappingHasSampleExports) {
  for (const auto& mapping : catalogue().all()) {
    EXPECT_TRUE(fs::is_directory(kFixtures / mapping.member))
        << mapping.file.filename() << " has no sample exports in tests/fixtures/members/"
        << mapping.member << "/";
  }
}

}  // namespace
}  // namespace opcat::adapters
