// Intake: a member's pushed export, already on disk, becomes a submission. The export runs through
// the member's mapping into the store, the receipt is built and signed, and everything is
// committed together before anyone is told "accepted". Pushing the same export again (a retry)
// gives back the original receipt instead of a second copy of the data.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/mapping/catalogue.hpp"
#include "adapters/mapping/normaliser.hpp"
#include "adapters/schema/record_schema.hpp"
#include "gateway/signing/signer.hpp"
#include "gateway/store/store.hpp"

namespace opcat::intake {

// A push whose body has been received whole and archived.
struct Upload {
  std::string member;  // from the client certificate, never the request
  std::filesystem::path body;
  std::string sha256;
  std::uint64_t size = 0;
  store::Clock::time_point received_at;
  std::optional<std::string> idempotency_key;
  std::string adapter;  // the X-Adapter header, empty when not given
};

// Why a push is refused from its header alone.
struct Refusal {
  enum class Reason {
    unknown_adapter,   // X-Adapter names no mapping of this member
    adapter_required,  // the member has several mappings and did not say which
    no_adapter,        // no mapping is configured for this member at all
    unsupported_type,  // Content-Type that the member's reader cannot read
  };
  Reason reason;
  std::string message;
};

struct IntakeResult {
  enum class Kind {
    received,      // a new submission (complete, partial or rejected: see submission.status)
    replayed,      // the same body or key was received before: submission is that original
    key_conflict,  // the Idempotency-Key was used before for another body: submission is that one
  };
  Kind kind = Kind::received;
  store::SubmissionSummary submission;
};

class Intake {
 public:
  struct Options {
    std::size_t receipt_errors = 20;  // errors listed in a receipt; the rest are behind a link
  };

  // Every mapping is checked against the schema here (throws config::ConfigError), so a broken
  // mapping stops the gateway at start-up rather than failing a member's push. The arguments
  // must outlive the Intake.
  Intake(store::Store& store, const adapters::MappingCatalogue& mappings,
         const schema::RecordSchema& schema, const signing::Signer& signer, Options options);

  // The mapping a push from `member` will go through, or why it cannot be accepted. Cheap: run
  // when the request header arrives, before the body is read.
  std::variant<const adapters::MemberMapping*, Refusal> choose_mapping(
      std::string_view member, std::string_view adapter, std::string_view content_type) const;

  // Normalises and commits the upload (blocking: run it off the I/O threads). Throws
  // store::StoreError when the store fails: the member should retry, nothing was kept.
  IntakeResult receive(const Upload& upload);

 private:
  std::optional<IntakeResult> find_earlier(const Upload& upload);
  static IntakeResult settle_duplicate(const Upload& upload, store::SubmissionSummary existing);

  store::Store& store_;
  const adapters::MappingCatalogue& mappings_;
  const signing::Signer& signer_;
  Options options_;
  std::map<const adapters::MemberMapping*, adapters::Normaliser> normalisers_;
};

}  // namespace opcat::intake
