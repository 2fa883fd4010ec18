// The words the store writes for its enums: they are in the schema's CHECK constraints too.
#include "gateway/store/store.hpp"

namespace opcat::store {

const char* to_string(SubmissionStatus status) {
  switch (status) {
    case SubmissionStatus::complete: return "complete";
    case SubmissionStatus::partial: return "partial";
    case SubmissionStatus::rejected: return "rejected";
  }
  return "rejected";
}

SubmissionStatus parse_submission_status(std::string_view word) {
  if (word == "complete") return SubmissionStatus::complete;
  if (word == "partial") return SubmissionStatus::partial;
  if (word == "rejected") return SubmissionStatus::rejected;
  throw StoreError("unknown submission status in the store: " + std::string(word));
}

SubmissionStatus status_of(adapters::Outcome::Verdict verdict) {
  switch (verdict) {
    case adapters::Outcome::Verdict::complete: return SubmissionStatus::complete;
    case adapters::Outcome::Verdict::partial: return SubmissionStatus::partial;
    case adapters::Outcome::Verdict::rejected: return SubmissionStatus::rejected;
  }
  return SubmissionStatus::rejected;
}

const char* to_string(TransferDirection direction) {
  return direction == TransferDirection::in ? "in" : "out";
}

DuplicateSubmission::DuplicateSubmission(SubmissionSummary existing)
    : StoreError("submission " + existing.id + " already has this body or idempotency key"),
      existing_(std::move(existing)) {}

}  // namespace opcat::store
