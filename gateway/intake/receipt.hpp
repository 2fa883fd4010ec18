// The receipt a member gets for a push: what the gateway received (hash and size of the body as
// received), when, and what became of it. Its exact bytes are signed (detached CMS) and kept, so
// that a retry is answered with the very same receipt and signature.
#pragma once

#include <string>
#include <vector>

#include "adapters/core/diagnostics.hpp"
#include "gateway/store/submission.hpp"

namespace opcat::intake {

struct ReceiptFacts {
  const store::SubmissionSummary& submission;  // id, member, digest, times and counts
  const adapters::Outcome& outcome;            // verdict, and why a rejected export was rejected
  const std::vector<adapters::RecordError>& first_errors;
  std::uint64_t total_errors = 0;
  std::string signer_sha256;  // the gateway certificate that signs the receipt
};

// One line of compact JSON, fields in a fixed order (see docs/push-api.md):
// {"receipt":"opcat-gateway/submission-receipt/1","submission_id":...,"member":...,"sha256":...,
//  "size":...,"received_at":...,"idempotency_key":...,"adapter":...,"mapping_version":...,
//  "status":...,"records":{"accepted":..,"rejected":..},"reason":...,
//  "errors":{"total":..,"first":[...],"href":...},"signed_by":...}
std::string receipt_json(const ReceiptFacts& facts);

// The link to a submission's full error list, as receipts and listings give it.
std::string errors_href(const std::string& submission_id);

}  // namespace opcat::intake
