#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>

#include "gateway/config/config.hpp"
#include "gateway/consolidation/policy.hpp"
#include "tests/consolidation/fixture_store.hpp"

namespace opcat::consolidation::testing {
namespace {

class PolicyTest : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto file = dir_.path() / name;
    std::ofstream(file) << text;
    return file;
  }
  std::string applied(const DataPolicy& policy, const char* json) {
    rapidjson::Document record;
    record.Parse(json);
    policy.apply(record, record.GetAllocator());
    rapidjson::StringBuffer text;
    rapidjson::Writer<rapidjson::StringBuffer> writer(text);
    record.Accept(writer);
    return text.GetString();
  }

  schema::RecordSchema schema_ = schema::RecordSchema::load(kSchemas);
  opcat::testing::TempDir dir_{"opcat-policy"};
  std::filesystem::path key_ = kFixtures / "test-pseudonym.key";
};

TEST_F(PolicyTest, SptDropsPersonalAndPseudonymisesMemberIds) {
  const DataPolicy spt = DataPolicy::load(kSchemas / "policies" / "spt.toml", schema_, key_);
  EXPECT_EQ(spt.action("visit", "visited_by"), FieldAction::drop);
  EXPECT_EQ(spt.action("visit", "source.original_id"), FieldAction::pseudonymise);
  EXPECT_EQ(spt.action("visit", "source.locator"), FieldAction::keep);
  EXPECT_EQ(spt.action("recommendation", "text"), FieldAction::keep);
  EXPECT_EQ(spt.action("recommendation", "addressee"), FieldAction::drop);
  const std::string alias = spt.pseudonym("INS-1");
  EXPECT_EQ(applied(spt, R"({"record_type":"visit","member":"hmip","visited_by":["A. Person"],)"
                         R"("source":{"locator":"row 2","original_id":"INS-1"}})"),
            R"({"record_type":"visit","member":"hmip","source":{"locator":"row 2","original_id":")" +
                alias + R"("}})");
}

TEST_F(PolicyTest, NpmKeepsEverything) {
  const DataPolicy npm = DataPolicy::load(kSchemas / "policies" / "npm.toml", schema_);
  const char* record = R"({"record_type":"visit","visited_by":["A. Person"],"source":{"locator":"r","original_id":"X"}})";
  EXPECT_EQ(applied(npm, record), record);
}

TEST_F(PolicyTest, RefusesUnknownFieldsActionsAndMissingKeys) {
  const std::string classes = "[classes]\npublic = \"keep\"\nmay_contain_personal = \"pseudonymise\"\npersonal = \"drop\"\n";
  EXPECT_THROW(DataPolicy::load(write("a.toml", "profile = \"x\"\n" + classes), schema_),
               config::ConfigError)
      << "pseudonymises without a key";
  EXPECT_THROW(DataPolicy::load(write("b.toml", "profile = \"x\"\n" + classes +
                                                    "[fields]\n\"visit.visitd_by\" = \"drop\"\n"),
                                schema_, key_),
               config::ConfigError);
  EXPECT_THROW(DataPolicy::load(write("c.toml", "profile = \"x\"\n[classes]\npublic = \"keep\"\n"
                                                "may_contain_personal = \"keep\"\n"),
                                schema_),
               config::ConfigError)
      << "personal not said";
  EXPECT_THROW(DataPolicy::load(write("d.toml", "profile = \"x\"\n[classes]\npublic = \"hide\"\n"
                                                "may_contain_personal = \"keep\"\npersonal = \"drop\"\n"),
                                schema_),
               config::ConfigError);
  EXPECT_THROW(DataPolicy::load(kSchemas / "policies" / "spt.toml", schema_,
                                write("short.key", "too short")),
               std::runtime_error);
}

}  // namespace
}  // namespace opcat::consolidation::testing
