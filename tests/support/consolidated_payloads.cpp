#include "tests/support/consolidated_payloads.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "adapters/core/sha256.hpp"
#include "gateway/consolidation/consolidator.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::testing {

const ConsolidatedPayloads& consolidated_payloads() {
  static const ConsolidatedPayloads made = [] {
    TempDir dir("opcat-payloads");
    store::sqlite::SqliteStore store(dir.path());
    int submission = 0;
    for (const char* file : {"hmip-zedwick.jsonl", "cqc-zedwick.jsonl"}) {
      std::ifstream in(std::filesystem::path(OPCAT_SOURCE_DIR) / "tests/fixtures/consolidation/joint" /
                       file);
      std::vector<rapidjson::Document> records;
      for (std::string line; std::getline(in, line);) {
        if (!line.empty()) records.emplace_back().Parse(line.c_str());
      }
      EXPECT_FALSE(records.empty()) << file;
      store::NewSubmission header;
      header.member = records.front()["member"].GetString();
      header.sha256 = adapters::sha256_hex(file);
      header.received_at = store::Clock::time_point(std::chrono::seconds(1743552000 + ++submission));
      header.adapter = "fixture";
      header.mapping_version = "1";
      auto writer = store.begin_submission(header);
      for (const auto& record : records) writer->add_record(record);
      adapters::Outcome outcome;
      outcome.accepted = records.size();
      writer->commit({outcome, "{}", "", 202});
    }
    ConsolidatedPayloads out;
    for (const auto format : {config::PayloadFormat::json, config::PayloadFormat::xml}) {
      std::ostringstream payload;
      const auto summary =
          consolidation::consolidate(store, {"2024-04-01", "2025-03-31"},
                                     consolidation::DataPolicy::keep_everything(), format, payload);
      EXPECT_EQ(summary.joint_visits, 1u);
      (format == config::PayloadFormat::json ? out.json : out.xml) = payload.str();
    }
    return out;
  }();
  return made;
}

}  // namespace opcat::testing
