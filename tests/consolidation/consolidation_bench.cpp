// consolidation_bench DATA_DIR RECORDS: fills a store with RECORDS synthetic records for the
// benchmark of docs/PERFORMANCE.md ("Consolidation (issue 5)"); scripts/bench-consolidation then
// times `opcat-gateway consolidate` on it. All data is made up.
//
// The mix is that of a year of the UK NPM scaled up: 21 members, 300 places each, visits spread
// over the NPM year 2025-26 (a fifth of HMIP's inspections made jointly with CQC, which reports
// them too), two or three recommendations per inspection, monthly populations, quarterly
// indicators; each member pushes its year in exports of at most 50,000 records.
#include <rapidjson/document.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "adapters/core/sha256.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"

namespace {

using opcat::store::Clock;

constexpr const char* kMembers[] = {"hmip", "imb", "icva", "hmicfrs", "cqc", "hiw", "ciw",
                                    "ofsted", "cce", "lo", "hmips", "hmics", "shrc", "mwcs",
                                    "ci", "icvs", "cjini", "rqia", "imb-ni", "nipb-icvs", "irtl"};
constexpr int kPlacesPerMember = 300;
constexpr std::size_t kRecordsPerExport = 50'000;

std::string day_of_year(int n) {  // n = 0..364 from 2025-04-01
  static const int kMonthDays[] = {30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28, 31};
  int month = 0;
  while (n >= kMonthDays[month]) n -= kMonthDays[month++];
  const int year = month < 9 ? 2025 : 2026;
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, (month + 3) % 12 + 1, n + 1);
  return text;
}

class Generator {
 public:
  Generator(opcat::store::Store& store, std::size_t records) : store_(store), target_(records) {}

  void run() {
    const std::size_t per_member = target_ / std::size(kMembers);
    for (const char* member : kMembers) {
      member_ = member;
      begin();
      for (int p = 0; p < kPlacesPerMember; ++p) add(place(p));
      std::size_t made = kPlacesPerMember;
      for (int n = 0; made < per_member; ++n) {
        const int p = n % kPlacesPerMember;
        const std::string day = day_of_year((n * 7 + p) % 365);
        const std::string visit_id = member_ + ":V" + std::to_string(n);
        const bool joint = member_ == "hmip" && n % 5 == 0;
        add(visit(visit_id, p, day, joint));
        ++made;
        if (joint) {  // CQC reports the same inspection, of the same place under its own id
          pending_joint_.push_back(visit_for_cqc(n, p, day));
        }
        if (n % 2 == 0) {
          for (int r = 0; r < 2 + n % 2; ++r, ++made) add(recommendation(visit_id, r));
        }
        if (n % 4 == 1) {
          add(population(p, day, n));
          ++made;
        }
        if (n % 6 == 3) {
          add(indicator(p, n));
          ++made;
        }
      }
      if (member_ == "cqc") {
        for (const std::string& record : pending_joint_) add(record);
      }
      commit();
    }
    std::cerr << "generated " << total_ << " records in " << submissions_ << " submissions\n";
  }

 private:
  std::string place_name(int p) const { return "Synthetic Place " + std::to_string(p); }

  std::string place(int p) const {
    return R"({"record_type":"place","schema_version":1,"member":")" + member_ +
           R"(","place_id":")" + member_ + ":P" + std::to_string(p) + R"(","name":")" +
           place_name(p) + R"(","place_type":"prison","jurisdiction":"england","capacity":)" +
           std::to_string(100 + p) + R"(,"source":{"locator":"row )" + std::to_string(p) +
           R"(","original_id":"P)" + std::to_string(p) + R"("}})";
  }
  std::string visit(const std::string& id, int p, const std::string& day, bool joint) const {
    return R"({"record_type":"visit","schema_version":1,"member":")" + member_ +
           R"(","visit_id":")" + id + R"(","place":{"place_id":")" + member_ + ":P" +
           std::to_string(p) + R"("},"start_date":")" + day +
           R"(","visit_type":"inspection","announced":false,)" +
           (joint ? R"("joint_with":["cqc"],)" : "") +
           R"("persons_detained":90,"visited_by":["Invented Monitor"],"source":{"locator":"row 1","original_id":")" +
           id.substr(id.find(':') + 1) + R"("}})";
  }
  std::string visit_for_cqc(int n, int p, const std::string& day) const {
    return R"({"record_type":"visit","schema_version":1,"member":"cqc","visit_id":"cqc:J)" +
           std::to_string(n) + R"(","place":{"name":")" + place_name(p) +
           R"(","place_type":"prison","jurisdiction":"england"},"start_date":")" + day +
           R"(","visit_type":"inspection","source":{"locator":"row 1"}})";
  }
  std::string recommendation(const std::string& visit_id, int r) const {
    return R"({"record_type":"recommendation","schema_version":1,"member":")" + member_ +
           R"(","recommendation_id":")" + visit_id + "/R" + std::to_string(r) +
           R"(","visit_id":")" + visit_id +
           R"(","text":"Leaders should make sure that every person detained is safe.","theme":"safety","addressee":"The governor","status":"made","source":{"locator":"row 1"}})";
  }
  std::string population(int p, const std::string& day, int n) const {
    return R"({"record_type":"population","schema_version":1,"member":")" + member_ +
           R"(","place":{"place_id":")" + member_ + ":P" + std::to_string(p) +
           R"("},"date":")" + day + R"(","detained":)" + std::to_string(50 + n % 50) +
           R"(,"source":{"locator":"row 1"}})";
  }
  std::string indicator(int p, int n) const {
    const int quarter = n % 4;
    return R"({"record_type":"indicator","schema_version":1,"member":")" + member_ +
           R"(","place":{"place_id":")" + member_ + ":P" + std::to_string(p) +
           R"("},"period_start":")" + day_of_year(quarter * 91) + R"(","period_end":")" +
           day_of_year(quarter * 91 + 90) + R"(","indicator":"custody_visits","value":)" +
           std::to_string(n % 30) + R"(,"source":{"locator":"row 1"}})";
  }

  void begin() {
    opcat::store::NewSubmission submission;
    submission.member = member_;
    submission.sha256 = opcat::adapters::sha256_hex(member_ + std::to_string(submissions_));
    submission.received_at = Clock::time_point(std::chrono::seconds(1775000000 + submissions_));
    submission.adapter = "bench";
    submission.mapping_version = "1";
    writer_ = store_.begin_submission(submission);
    in_export_ = 0;
  }
  void commit() {
    opcat::adapters::Outcome outcome;
    outcome.accepted = in_export_;
    writer_->commit({outcome, "{}", "", 202});
    ++submissions_;
  }
  void add(const std::string& json) {
    if (in_export_ == kRecordsPerExport) {
      commit();
      begin();
    }
    rapidjson::Document record;
    record.Parse(json.c_str());
    if (record.HasParseError()) throw std::logic_error("bench generator wrote bad JSON: " + json);
    writer_->add_record(record);
    ++in_export_;
    ++total_;
  }

  opcat::store::Store& store_;
  std::size_t target_;
  std::string member_;
  std::unique_ptr<opcat::store::SubmissionWriter> writer_;
  std::vector<std::string> pending_joint_;
  std::size_t in_export_ = 0;
  std::size_t total_ = 0;
  int submissions_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: consolidation_bench DATA_DIR RECORDS\n";
    return 2;
  }
  opcat::store::sqlite::SqliteStore store(argv[1]);
  Generator(store, std::strtoull(argv[2], nullptr, 10)).run();
  return 0;
}
