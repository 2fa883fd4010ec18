#include "gateway/intake/receipt.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "adapters/core/record_error_json.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::intake {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void string(Writer& json, std::string_view text) {
  json.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

}  // namespace

std::string errors_href(const std::string& submission_id) {
  return "/v1/submissions/" + submission_id + "/errors";
}

std::string receipt_json(const ReceiptFacts& facts) {
  const store::SubmissionSummary& submission = facts.submission;
  rapidjson::StringBuffer text;
  Writer json(text);
  json.StartObject();
  json.Key("receipt");
  json.String("opcat-gateway/submission-receipt/1");
  json.Key("submission_id");
  string(json, submission.id);
  json.Key("member");
  string(json, submission.member);
  json.Key("sha256");
  string(json, submission.sha256);
  json.Key("size");
  json.Uint64(submission.size);
  json.Key("received_at");
  string(json, store::format_utc(submission.received_at));
  json.Key("idempotency_key");
  if (submission.idempotency_key) {
    string(json, *submission.idempotency_key);
  } else {
    json.Null();
  }
  json.Key("adapter");
  string(json, submission.adapter);
  json.Key("mapping_version");
  string(json, submission.mapping_version);
  json.Key("status");
  string(json, store::to_string(store::status_of(facts.outcome.verdict)));
  json.Key("records");
  json.StartObject();
  json.Key("accepted");
  json.Uint64(facts.outcome.accepted);
  json.Key("rejected");
  json.Uint64(facts.outcome.rejected);
  json.EndObject();
  json.Key("reason");
  if (facts.outcome.reason.empty()) {
    json.Null();
  } else {
    string(json, facts.outcome.reason +
                     (facts.outcome.locator.empty() ? "" : " (at " + facts.outcome.locator + ")"));
  }
  json.Key("errors");
  json.StartObject();
  json.Key("total");
  json.Uint64(facts.total_errors);
  json.Key("first");
  json.StartArray();
  for (const auto& error : facts.first_errors) {
    const std::string object = adapters::to_json(error);
    json.RawValue(object.data(), object.size(), rapidjson::kObjectType);
  }
  json.EndArray();
  json.Key("href");
  string(json, errors_href(submission.id));
  json.EndObject();
  json.Key("signed_by");
  string(json, facts.signer_sha256);
  json.EndObject();
  return {text.GetString(), text.GetSize()};
}

}  // namespace opcat::intake
