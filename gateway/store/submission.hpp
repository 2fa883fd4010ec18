// What the store keeps about one submission: the member's export as received, its verdict and
// the receipt the member was given.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/core/diagnostics.hpp"

namespace opcat::store {

using Clock = std::chrono::system_clock;

enum class SubmissionStatus { complete, partial, rejected };

const char* to_string(SubmissionStatus status);
// Throws StoreError for a word the schema's CHECK constraint would never let in.
SubmissionStatus parse_submission_status(std::string_view word);
SubmissionStatus status_of(adapters::Outcome::Verdict verdict);

// What intake knows before the first record is read.
struct NewSubmission {
  std::string member;                          // from the client certificate, never the request
  std::string sha256;                          // hex digest of the body as received
  std::uint64_t size = 0;                      // bytes of the body as received
  std::optional<std::string> idempotency_key;  // the member's Idempotency-Key header
  Clock::time_point received_at;
  std::string adapter;          // the mapping that read the body ("hmip_inspections")
  std::string mapping_version;  // so a replay can tell which rules produced the records
};

// How the intake ended, given to SubmissionWriter::commit.
struct SubmissionCompletion {
  adapters::Outcome outcome;  // verdict and counts
  std::string receipt_json;   // the receipt the member receives, kept to answer retries verbatim
  std::string receipt_signature;  // its detached signature, raw DER bytes; empty if unsigned
  int http_status = 0;        // what the member is told (for the transfer log); 0 if none
};

// One committed submission as a member (or the operator) sees it.
struct SubmissionSummary {
  std::string id;
  std::string member;
  std::string sha256;
  std::uint64_t size = 0;
  std::optional<std::string> idempotency_key;
  Clock::time_point received_at;
  std::string adapter;
  std::string mapping_version;
  SubmissionStatus status = SubmissionStatus::complete;
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  std::string receipt_json;       // exactly the bytes the member was given
  std::string receipt_signature;  // raw DER bytes; empty if the receipt was not signed
};

// A record error as stored: seq orders the errors of one submission and is the paging cursor.
struct StoredRecordError {
  std::int64_t seq = 0;
  adapters::RecordError error;
};

// An accepted record as stored; body is the record's JSON text.
struct StoredRecord {
  std::int64_t seq = 0;
  std::string record_type;
  std::optional<std::string> record_id;  // "<record_type>_id" when the record has one
  std::string body;
};

}  // namespace opcat::store
