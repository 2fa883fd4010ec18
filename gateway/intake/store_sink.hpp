// Where an intake's normalised records go: into the submission being written, with the first
// few errors kept aside for the receipt.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "adapters/core/record_sink.hpp"
#include "gateway/store/store.hpp"

namespace opcat::intake {

class StoreSink final : public adapters::RecordSink {
 public:
  StoreSink(store::SubmissionWriter& writer, std::size_t keep_errors)
      : writer_(writer), keep_errors_(keep_errors) {}

  void record(const rapidjson::Value& record) override { writer_.add_record(record); }
  void error(const adapters::RecordError& error) override {
    writer_.add_error(error);
    ++total_errors_;
    if (first_errors_.size() < keep_errors_) first_errors_.push_back(error);
  }

  const std::vector<adapters::RecordError>& first_errors() const { return first_errors_; }
  std::uint64_t total_errors() const { return total_errors_; }

 private:
  store::SubmissionWriter& writer_;
  std::size_t keep_errors_;
  std::vector<adapters::RecordError> first_errors_;
  std::uint64_t total_errors_ = 0;
};

}  // namespace opcat::intake
