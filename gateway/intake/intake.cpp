#include "gateway/intake/intake.hpp"

#include <vector>

#include "adapters/core/byte_source.hpp"
#include "gateway/intake/media_type.hpp"
#include "gateway/intake/receipt.hpp"
#include "gateway/intake/store_sink.hpp"

namespace opcat::intake {

Intake::Intake(store::Store& store, const adapters::MappingCatalogue& mappings,
               const schema::RecordSchema& schema, const signing::Signer& signer, Options options)
    : store_(store), mappings_(mappings), signer_(signer), options_(options) {
  for (const auto& mapping : mappings_.all()) {
    normalisers_.try_emplace(&mapping, mapping, schema);
  }
}

std::variant<const adapters::MemberMapping*, Refusal> Intake::choose_mapping(
    std::string_view member, std::string_view adapter, std::string_view content_type) const {
  std::vector<const adapters::MemberMapping*> own;
  for (const auto& mapping : mappings_.all()) {
    if (mapping.member == member) own.push_back(&mapping);
  }
  if (own.empty()) {
    return Refusal{Refusal::Reason::no_adapter,
                   "no adapter is configured for member " + std::string(member) +
                       ": the gateway's operators must add one before it can accept exports"};
  }
  const adapters::MemberMapping* chosen = nullptr;
  if (!adapter.empty()) {
    chosen = mappings_.find(member, adapter);
  } else if (own.size() == 1) {
    chosen = own.front();
  } else {
    chosen = mappings_.find(member, "default");
  }
  if (chosen == nullptr) {
    std::string names;
    for (const auto* mapping : own) names += (names.empty() ? "" : ", ") + mapping->name;
    if (adapter.empty()) {
      return Refusal{Refusal::Reason::adapter_required,
                     "member " + std::string(member) +
                         " has several adapters; name one in the X-Adapter header: " + names};
    }
    return Refusal{Refusal::Reason::unknown_adapter,
                   "X-Adapter \"" + std::string(adapter) + "\" is not an adapter of member " +
                       std::string(member) + "; its adapters: " + names};
  }
  if (!reader_accepts(chosen->reader, content_type)) {
    return Refusal{Refusal::Reason::unsupported_type,
                   "Content-Type " + media_type_of(content_type) + " cannot be read by adapter \"" +
                       chosen->name + "\", which reads " + chosen->reader + "; send one of: " +
                       accepted_types(chosen->reader)};
  }
  return chosen;
}

IntakeResult Intake::settle_duplicate(const Upload& upload, store::SubmissionSummary existing) {
  const bool same_key =
      upload.idempotency_key && existing.idempotency_key == upload.idempotency_key;
  const auto kind = same_key && existing.sha256 != upload.sha256 ? IntakeResult::Kind::key_conflict
                                                                 : IntakeResult::Kind::replayed;
  return {kind, std::move(existing)};
}

std::optional<IntakeResult> Intake::find_earlier(const Upload& upload) {
  if (upload.idempotency_key) {
    if (auto earlier = store_.find_by_idempotency_key(upload.member, *upload.idempotency_key)) {
      return settle_duplicate(upload, std::move(*earlier));
    }
  }
  if (auto earlier = store_.find_by_body(upload.member, upload.sha256)) {
    return settle_duplicate(upload, std::move(*earlier));
  }
  return std::nullopt;
}

IntakeResult Intake::receive(const Upload& upload) {
  if (auto earlier = find_earlier(upload)) return std::move(*earlier);

  // choose_mapping passed when the header arrived; the catalogue cannot have changed since.
  const auto choice = choose_mapping(upload.member, upload.adapter, {});
  if (const auto* refusal = std::get_if<Refusal>(&choice)) throw store::StoreError(refusal->message);
  const adapters::MemberMapping& mapping = *std::get<const adapters::MemberMapping*>(choice);

  store::NewSubmission submission;
  submission.member = upload.member;
  submission.sha256 = upload.sha256;
  submission.size = upload.size;
  submission.idempotency_key = upload.idempotency_key;
  submission.received_at = upload.received_at;
  submission.adapter = mapping.name;
  submission.mapping_version = std::to_string(mapping.version);

  std::unique_ptr<store::SubmissionWriter> writer;
  try {
    writer = store_.begin_submission(submission);
  } catch (const store::DuplicateSubmission& duplicate) {
    return settle_duplicate(upload, duplicate.existing());
  }

  StoreSink sink(*writer, options_.receipt_errors);
  adapters::FileSource source(upload.body);
  const adapters::Outcome outcome =
      normalisers_.at(&mapping).run(source, sink, {.submission_id = writer->id()});

  store::SubmissionSummary summary;
  summary.id = writer->id();
  summary.member = submission.member;
  summary.sha256 = submission.sha256;
  summary.size = submission.size;
  summary.idempotency_key = submission.idempotency_key;
  summary.received_at = submission.received_at;
  summary.adapter = submission.adapter;
  summary.mapping_version = submission.mapping_version;

  store::SubmissionCompletion completion;
  completion.outcome = outcome;
  completion.receipt_json = receipt_json(
      {summary, outcome, sink.first_errors(), sink.total_errors(), signer_.certificate_sha256()});
  completion.receipt_signature = signer_.sign_detached(completion.receipt_json);
  completion.http_status = outcome.verdict == adapters::Outcome::Verdict::rejected ? 422 : 202;
  try {
    return {IntakeResult::Kind::received, writer->commit(completion)};
  } catch (const store::DuplicateSubmission& duplicate) {
    // Another connection committed the same body or key while this one was normalising.
    return settle_duplicate(upload, duplicate.existing());
  }
}

}  // namespace opcat::intake
