// The SQLite SubmissionWriter: records and errors go to a spool while the intake reads the
// export; commit() hands the whole submission to the store's GroupCommitter, which writes it in
// one savepoint of a batch transaction. Until commit nothing touches the database, so an open
// writer holds no lock and a slow intake delays nobody.
#pragma once

#include <rapidjson/stringbuffer.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "gateway/store/sqlite/group_committer.hpp"
#include "gateway/store/submission_spool.hpp"

namespace opcat::store::sqlite {

class SqliteSubmissionWriter final : public SubmissionWriter {
 public:
  SqliteSubmissionWriter(GroupCommitter& committer, const std::filesystem::path& spool_dir,
                         std::size_t spool_memory_limit, const NewSubmission& submission);

  const std::string& id() const override { return summary_.id; }
  void add_record(const rapidjson::Value& record) override;
  void add_error(const adapters::RecordError& error) override;
  SubmissionSummary commit(const SubmissionCompletion& completion) override;

 private:
  // The unit of work the committer runs, on the leader's thread, inside this submission's
  // savepoint; this writer's caller is blocked in commit() meanwhile.
  void write(Connection& connection, const SubmissionCompletion& completion);
  void insert_submission_or_throw_duplicate(Connection& connection);

  GroupCommitter& committer_;
  SubmissionSpool spool_;
  SubmissionSummary summary_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  rapidjson::StringBuffer buffer_;  // reused for every record's JSON text
  bool committed_ = false;
};

}  // namespace opcat::store::sqlite
