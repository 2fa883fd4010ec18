// consolidate() over the member fixtures and the synthetic joint-visit fixtures: the golden
// payload, byte-identical runs, the joint visit, a re-pushed export counted once, the aggregates
// against counts made here from the fixture files, and both forms valid against their schemas.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <functional>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "gateway/consolidation/consolidator.hpp"
#include "gateway/consolidation/payload_schema.hpp"
#include "tests/consolidation/fixture_store.hpp"

namespace opcat::consolidation::testing {
namespace {

const Period kYear = {"2024-04-01", "2025-03-31"};
const std::filesystem::path kGolden = kFixtures / "npm-2024-25.json";

class ConsolidationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    schema_ = new schema::RecordSchema(schema::RecordSchema::load(kSchemas));
    fixtures_ = new FixtureStore(*schema_);
  }
  static void TearDownTestSuite() {
    delete fixtures_;
    delete schema_;
  }

  static std::string run(const DataPolicy& policy, PayloadFormat format = PayloadFormat::json,
                         ConsolidationSummary* summary = nullptr) {
    std::ostringstream out;
    const auto result = consolidate(fixtures_->store(), kYear, policy, format, out);
    if (summary != nullptr) *summary = result;
    return out.str();
  }
  static DataPolicy npm() { return DataPolicy::load(kSchemas / "policies" / "npm.toml", *schema_); }
  static DataPolicy spt(const std::filesystem::path& key = kFixtures / "test-pseudonym.key") {
    return DataPolicy::load(kSchemas / "policies" / "spt.toml", *schema_, key);
  }
  static rapidjson::Document parse(const std::string& json) {
    rapidjson::Document document;
    document.Parse(json.c_str());
    EXPECT_FALSE(document.HasParseError());
    return document;
  }

  static inline schema::RecordSchema* schema_ = nullptr;
  static inline FixtureStore* fixtures_ = nullptr;
};

TEST_F(ConsolidationTest, MatchesTheGoldenFile) {
  const std::string payload = fixtures_->with_stable_ids(run(npm()));
  if (std::getenv("OPCAT_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(kGolden, std::ios::binary) << payload;
    GTEST_SKIP() << "rewrote " << kGolden;
  }
  std::ifstream in(kGolden, std::ios::binary);
  const std::string golden{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ASSERT_FALSE(golden.empty()) << kGolden << " missing: run with OPCAT_UPDATE_GOLDEN=1";
  EXPECT_TRUE(payload == golden) << "the payload differs from " << kGolden
                                 << " (OPCAT_UPDATE_GOLDEN=1 rewrites it; review the diff)";
}

TEST_F(ConsolidationTest, SameInputsGiveTheSameBytes) {
  for (const PayloadFormat format : {PayloadFormat::json, PayloadFormat::xml}) {
    ConsolidationSummary first;
    ConsolidationSummary second;
    const std::string a = run(spt(), format, &first);
    const std::string b = run(spt(), format, &second);
    EXPECT_TRUE(a == b) << to_string(format);
    EXPECT_EQ(first.sha256, second.sha256);
    EXPECT_EQ(first.bytes, a.size());
  }
}

TEST_F(ConsolidationTest, AJointInspectionBecomesOneVisit) {
  const auto payload = parse(run(npm()));
  std::vector<const rapidjson::Value*> zedwick;
  for (const auto& visit : payload["visits"].GetArray()) {
    if (std::string(visit["start_date"].GetString()) == "2024-09-16" &&
        std::string(visit["visit_id"].GetString()).find("ZDW") != std::string::npos) {
      zedwick.push_back(&visit);
    }
  }
  // HMIP's and CQC's reports are one visit, kept as the report of the member first in code order
  // (cqc); IMB's monitoring visit the same day names nobody and stays a visit of its own.
  ASSERT_EQ(zedwick.size(), 2u);
  const rapidjson::Value& joint = *zedwick[0];
  EXPECT_STREQ(joint["member"].GetString(), "cqc");
  ASSERT_TRUE(joint.HasMember("joint_with"));
  ASSERT_EQ(joint["joint_with"].Size(), 1u);
  EXPECT_STREQ(joint["joint_with"][0].GetString(), "hmip");
  EXPECT_STREQ((*zedwick[1])["member"].GetString(), "imb");
  EXPECT_FALSE(zedwick[1]->HasMember("joint_with"));

  ASSERT_EQ(payload["joint_visits"].Size(), 1u);
  const auto& entry = payload["joint_visits"][0];
  EXPECT_STREQ(entry["visit_id"].GetString(), "cqc:JV-ZDW-2024");
  ASSERT_EQ(entry["reported_as"].Size(), 2u);
  EXPECT_STREQ(entry["reported_as"][1]["visit_id"].GetString(), "hmip:INS-2409-ZDW");
  EXPECT_STREQ(entry["reported_as"][1]["source"]["original_id"].GetString(), "INS-2409-ZDW");
  // Both reports' recommendations are kept.
  std::set<std::string> recommendations;
  for (const auto& r : payload["recommendations"].GetArray()) recommendations.insert(r["recommendation_id"].GetString());
  EXPECT_TRUE(recommendations.contains("hmip:INS-2409-ZDW/R1"));
  EXPECT_TRUE(recommendations.contains("cqc:JV-ZDW-2024/H1"));
  EXPECT_EQ(payload["aggregates"]["visits"]["joint"].GetUint64(), 1u);
}

TEST_F(ConsolidationTest, ARepushedRecordCountsOnce) {
  const auto payload = parse(run(npm()));
  int visits = 0;
  for (const auto& visit : payload["visits"].GetArray()) {
    if (std::string(visit["visit_id"].GetString()) == "imb:ZDW-2024-10-02") {
      ++visits;
      EXPECT_EQ(visit["persons_detained"].GetInt(), 597) << "the later submission's version";
    }
  }
  EXPECT_EQ(visits, 1);
  int populations = 0;
  for (const auto& population : payload["populations"].GetArray()) {
    if (population["place"].HasMember("place_id") &&
        std::string(population["place"]["place_id"].GetString()) == "imb:ZDW") {
      ++populations;
      EXPECT_EQ(population["detained"].GetInt(), 604);
    }
  }
  EXPECT_EQ(populations, 1);
  // The superseded submission fed nothing, so it is not in the lineage.
  const std::string first_push = fixtures_->submissions()[fixtures_->submissions().size() - 2].id;
  for (const auto& entry : payload["lineage"].GetArray()) {
    EXPECT_NE(entry["submission_id"].GetString(), first_push);
  }
}

// Counted here from the fixture files, not through the store or the consolidator: every visit of
// the year once (less the one merged joint report and the one re-pushed twice over), per member,
// and the recommendations of those visits by status.
TEST_F(ConsolidationTest, AggregatesMatchIndependentCounts) {
  std::map<std::string, std::set<std::string>> visits_by_member;  // ids: a re-push is one visit
  std::set<std::string> visit_ids;
  std::map<std::string, std::set<std::string>> recommendations_by_status;
  std::vector<rapidjson::Document> recommendations;
  for (const std::string& line : fixture_record_lines()) {
    rapidjson::Document record = parse(line);
    const std::string type = record["record_type"].GetString();
    if (type == "visit" && kYear.contains(record["start_date"].GetString())) {
      visits_by_member[record["member"].GetString()].insert(record["visit_id"].GetString());
      visit_ids.insert(record["visit_id"].GetString());
    } else if (type == "recommendation") {
      recommendations.push_back(std::move(record));
    }
  }
  for (const auto& r : recommendations) {
    if (!visit_ids.contains(r["visit_id"].GetString())) continue;
    const std::string status = r.HasMember("status") ? r["status"].GetString() : "";
    recommendations_by_status[status].insert(r["recommendation_id"].GetString());
  }
  std::size_t visits = 0;
  for (const auto& [member, ids] : visits_by_member) visits += ids.size();

  const auto payload = parse(run(npm()));
  const auto& aggregates = payload["aggregates"];
  EXPECT_EQ(aggregates["visits"]["total"].GetUint64(), visits - 1) << "one joint visit merged";
  EXPECT_EQ(payload["visits"].Size(), visits - 1);
  for (const auto& entry : aggregates["visits"]["by_member"].GetArray()) {
    // Each member that took part in the joint visit keeps it in its own count.
    EXPECT_EQ(entry["visits"].GetUint64(), visits_by_member[entry["member"].GetString()].size())
        << entry["member"].GetString();
  }
  EXPECT_EQ(aggregates["visits"]["by_member"].Size(), visits_by_member.size());
  std::size_t recommendation_total = 0;
  for (const auto& entry : aggregates["recommendations"]["by_status"].GetArray()) {
    const std::string status = entry.HasMember("status") ? entry["status"].GetString() : "";
    EXPECT_EQ(entry["recommendations"].GetUint64(), recommendations_by_status[status].size()) << status;
    recommendation_total += entry["recommendations"].GetUint64();
  }
  EXPECT_EQ(aggregates["recommendations"]["total"].GetUint64(), recommendation_total);
  EXPECT_EQ(payload["recommendations"].Size(), recommendation_total);
  EXPECT_GT(aggregates["places"]["total"].GetUint64(), 0u);
  EXPECT_GT(aggregates["persons_detained"]["total"].GetUint64(), 0u);
}

TEST_F(ConsolidationTest, JsonFormIsValidAgainstConsolidatedSchema) {
  const auto payload_schema = PayloadSchema::load(kSchemas);
  EXPECT_EQ(payload_schema.problem(run(npm())), "");
  EXPECT_EQ(payload_schema.problem(run(spt())), "");
  EXPECT_EQ(payload_schema.problem(R"({"format":"opcat-gateway/consolidated-submission/1"})"),
            "#: required");
}

TEST_F(ConsolidationTest, XmlFormIsValidAgainstConsolidatedXsd) {
  xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt((kSchemas / "consolidated.xsd").c_str());
  xmlSchemaPtr xsd = xmlSchemaParse(parser);
  xmlSchemaFreeParserCtxt(parser);
  ASSERT_NE(xsd, nullptr);
  for (const DataPolicy& policy : {npm(), spt()}) {
    const std::string xml = run(policy, PayloadFormat::xml);
    xmlDocPtr document = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "payload.xml",
                                       nullptr, XML_PARSE_NONET);
    ASSERT_NE(document, nullptr);
    xmlSchemaValidCtxtPtr validator = xmlSchemaNewValidCtxt(xsd);
    EXPECT_EQ(xmlSchemaValidateDoc(validator, document), 0) << policy.profile();
    xmlSchemaFreeValidCtxt(validator);
    xmlFreeDoc(document);
  }
  xmlSchemaFree(xsd);
}

// Every value of a `personal` field in any record the store holds, searched for in the bytes of
// the SPT payload, in both forms.
TEST_F(ConsolidationTest, NoPersonalValueReachesTheSpt) {
  std::set<std::string> personal;
  std::function<void(const std::string&, const std::string&, const rapidjson::Value&)> collect =
      [&](const std::string& type, const std::string& path, const rapidjson::Value& value) {
        if (value.IsObject()) {
          for (const auto& m : value.GetObject()) {
            collect(type, path.empty() ? m.name.GetString() : path + "." + m.name.GetString(), m.value);
          }
          return;
        }
        if (schema_->sensitivity(type, path) != "personal") return;
        if (value.IsString()) personal.insert(value.GetString());
        if (value.IsArray()) {
          for (const auto& item : value.GetArray()) {
            if (item.IsString()) personal.insert(item.GetString());
          }
        }
      };
  fixtures_->store().for_each_current_record({}, [&](const store::CurrentRecord& record) {
    rapidjson::Document body = parse(record.body);
    collect(record.record_type, "", body);
  });
  ASSERT_GT(personal.size(), 100u) << "the fixtures name monitors: there is something to find";
  // The same values do reach the NPM: the search would find them.
  const std::string npm_payload = run(npm());
  EXPECT_NE(npm_payload.find(*personal.begin()), std::string::npos);
  for (const PayloadFormat format : {PayloadFormat::json, PayloadFormat::xml}) {
    const std::string payload = run(spt(), format);
    for (const std::string& value : personal) {
      EXPECT_EQ(payload.find(value), std::string::npos) << "\"" << value << "\" in " << to_string(format);
    }
  }
  const std::string spt_payload = run(spt());
  EXPECT_EQ(spt_payload.find("Governor Fictitia Brambleworth"), std::string::npos)
      << "the addressee is dropped";
}

TEST_F(ConsolidationTest, PseudonymsAreStablePerKeyAndDifferAcrossKeys) {
  opcat::testing::TempDir dir("opcat-key");
  const auto other_key = dir.path() / "other.key";
  std::ofstream(other_key) << "another-synthetic-test-key-of-32-bytes-or-more";
  const auto first = parse(run(spt()));
  const auto again = parse(run(spt()));
  const auto other = parse(run(spt(other_key)));
  const auto& place = first["places"][0];
  const std::string alias = place["source"]["original_id"].GetString();
  EXPECT_TRUE(alias.starts_with("p:")) << alias;
  EXPECT_EQ(alias, again["places"][0]["source"]["original_id"].GetString());
  EXPECT_NE(alias, other["places"][0]["source"]["original_id"].GetString());
  EXPECT_NE(std::string(first["policy"]["pseudonym_key_id"].GetString()),
            other["policy"]["pseudonym_key_id"].GetString());
  EXPECT_STREQ(first["policy"]["profile"].GetString(), "spt");
  // The same original id gets the same pseudonym wherever it appears (hmip:ZDW and imb:ZDW are
  // both "ZDW" in their members' exports): the SPT can join on it.
  std::map<std::string, std::string> by_place_id;
  for (const auto& p : first["places"].GetArray()) {
    by_place_id[p["place_id"].GetString()] = p["source"]["original_id"].GetString();
  }
  EXPECT_EQ(by_place_id.at("hmip:ZDW"), by_place_id.at("imb:ZDW"));
}

}  // namespace
}  // namespace opcat::consolidation::testing
