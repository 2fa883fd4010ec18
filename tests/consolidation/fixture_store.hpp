// A store holding every member fixture export (tests/fixtures/members/) normalised through its
// mapping, plus the synthetic joint-visit and re-push submissions (tests/fixtures/consolidation/
// joint/), each committed as one submission at a fixed time.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "adapters/schema/record_schema.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::consolidation::testing {

inline const std::filesystem::path kSource = OPCAT_SOURCE_DIR;
inline const std::filesystem::path kSchemas = kSource / "schemas";
inline const std::filesystem::path kFixtures = kSource / "tests" / "fixtures" / "consolidation";

struct FixtureSubmission {
  std::string label;  // "sub:hmip/inspections-2024-25.xml": stable across runs, unlike the id
  std::string member;
  std::string id;
  std::filesystem::path file;
};

class FixtureStore {
 public:
  // with_joint: also the synthetic files of tests/fixtures/consolidation/joint/.
  explicit FixtureStore(const schema::RecordSchema& schema, bool with_joint = true);

  store::sqlite::SqliteStore& store() { return *store_; }
  const std::vector<FixtureSubmission>& submissions() const { return submissions_; }
  // The payload with every submission id replaced by its label: what the golden file holds.
  std::string with_stable_ids(std::string payload) const;

 private:
  void add_export(const schema::RecordSchema& schema, const std::string& member,
                  const std::filesystem::path& file);
  void add_records(const std::filesystem::path& jsonl);

  opcat::testing::TempDir dir_{"opcat-consolidation"};
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::vector<FixtureSubmission> submissions_;
};

// Every line of every .expected.jsonl of the member fixtures and every joint/*.jsonl line: the
// records as the adapters produced them, for counting independently of the store.
std::vector<std::string> fixture_record_lines(bool with_joint = true);

}  // namespace opcat::consolidation::testing
