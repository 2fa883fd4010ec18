// The SQLite SubmissionWriter: one IMMEDIATE transaction from begin_submission to commit.
#pragma once

#include <rapidjson/stringbuffer.h>

#include <chrono>
#include <memory>
#include <semaphore>
#include <utility>

#include "gateway/store/sqlite/connection.hpp"

namespace opcat::store::sqlite {

// Holds the store's write gate; releases it when destroyed (on whatever thread).
class WriteGateHold {
 public:
  explicit WriteGateHold(std::binary_semaphore& gate) : gate_(&gate) { gate_->acquire(); }
  ~WriteGateHold() { release(); }
  WriteGateHold(WriteGateHold&& other) noexcept : gate_(std::exchange(other.gate_, nullptr)) {}
  WriteGateHold& operator=(WriteGateHold&&) = delete;
  WriteGateHold(const WriteGateHold&) = delete;
  WriteGateHold& operator=(const WriteGateHold&) = delete;

  void release() noexcept {
    if (gate_ != nullptr) std::exchange(gate_, nullptr)->release();
  }

 private:
  std::binary_semaphore* gate_;
};

class SqliteSubmissionWriter final : public SubmissionWriter {
 public:
  SqliteSubmissionWriter(Connection& connection, WriteGateHold gate,
                         std::unique_ptr<Transaction> transaction, const NewSubmission& submission);
  ~SqliteSubmissionWriter() override;

  const std::string& id() const override { return summary_.id; }
  void add_record(const rapidjson::Value& record) override;
  void add_error(const adapters::RecordError& error) override;
  SubmissionSummary commit(const SubmissionCompletion& completion) override;

 private:
  Connection& connection_;
  // Declared before the transaction: destroyed after it, so the gate opens only once the
  // rollback is done.
  WriteGateHold gate_;
  std::unique_ptr<Transaction> transaction_;
  SubmissionSummary summary_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::int64_t record_seq_ = 0;
  std::int64_t error_seq_ = 0;
  rapidjson::StringBuffer buffer_;  // reused for every record's JSON text
};

}  // namespace opcat::store::sqlite
