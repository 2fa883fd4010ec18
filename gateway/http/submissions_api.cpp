#include "gateway/http/submissions_api.hpp"

#include <boost/beast/http/field.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <limits>

#include "adapters/core/record_error_json.hpp"
#include "gateway/http/json_response.hpp"
#include "gateway/http/query.hpp"
#include "gateway/intake/receipt.hpp"
#include "gateway/signing/base64.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::http {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr std::size_t kMaxIdempotencyKey = 255;
constexpr std::size_t kDefaultPage = 1000;
constexpr std::size_t kMaxPage = 10000;

void string(Writer& json, std::string_view text) {
  json.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

// RFC 9110 token characters would be too strict for keys such as "sha256:ab12..."; any visible
// ASCII is allowed, so a key is safe to log and to echo in messages.
bool valid_idempotency_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxIdempotencyKey) return false;
  for (unsigned char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

std::optional<std::string> idempotency_key(const Request& request) {
  const auto found = request.find("Idempotency-Key");
  if (found == request.end()) return std::nullopt;
  return std::string(found->value());
}

Response receipt_response(Status status, const store::SubmissionSummary& submission,
                          const Request& request) {
  Response response = bytes_response(status, submission.receipt_json, "application/json", request);
  response.set(beast_http::field::location, "/v1/submissions/" + submission.id);
  response.set("Receipt-Signature", signing::base64_encode(submission.receipt_signature));
  return response;
}

Response refusal_response(const intake::Refusal& refusal, const Request& request) {
  using Reason = intake::Refusal::Reason;
  switch (refusal.reason) {
    case Reason::unsupported_type:
      return error_response(Status::unsupported_media_type, "unsupported_type", refusal.message,
                            request);
    case Reason::unknown_adapter:
      return error_response(Status::bad_request, "unknown_adapter", refusal.message, request);
    case Reason::adapter_required:
      return error_response(Status::bad_request, "adapter_required", refusal.message, request);
    case Reason::no_adapter:
      return error_response(Status::unprocessable_entity, "no_adapter", refusal.message, request);
  }
  return error_response(Status::bad_request, "refused", refusal.message, request);
}

std::optional<Response> check_push(intake::Intake& intake, const Context& context) {
  const Request& request = context.request;
  if (const auto key = idempotency_key(request); key && !valid_idempotency_key(*key)) {
    return error_response(Status::bad_request, "bad_idempotency_key",
                          "Idempotency-Key must be 1 to 255 visible ASCII characters", request);
  }
  const auto choice = intake.choose_mapping(context.caller.identity->code,
                                            request["X-Adapter"],
                                            request[beast_http::field::content_type]);
  if (const auto* refusal = std::get_if<intake::Refusal>(&choice)) {
    return refusal_response(*refusal, request);
  }
  return std::nullopt;
}

Response receive_push(intake::Intake& intake, const Context& context, const ReceivedBody& body) {
  intake::Upload upload;
  upload.member = context.caller.identity->code;
  upload.body = body.path;
  upload.sha256 = body.sha256;
  upload.size = body.size;
  upload.received_at = body.received_at;
  upload.idempotency_key = idempotency_key(context.request);
  upload.adapter = std::string(context.request["X-Adapter"]);

  const intake::IntakeResult result = intake.receive(upload);
  const store::SubmissionSummary& submission = result.submission;
  const bool rejected = submission.status == store::SubmissionStatus::rejected;
  switch (result.kind) {
    case intake::IntakeResult::Kind::received:
      return receipt_response(rejected ? Status::unprocessable_entity : Status::accepted,
                              submission, context.request);
    case intake::IntakeResult::Kind::replayed:
      // The original receipt, byte for byte; a rejected export stays rejected.
      return receipt_response(rejected ? Status::unprocessable_entity : Status::ok, submission,
                              context.request);
    case intake::IntakeResult::Kind::key_conflict:
      break;
  }
  return error_response(Status::conflict, "idempotency_key_reused",
                        "Idempotency-Key " + *upload.idempotency_key +
                            " was already used for submission " + submission.id +
                            " with another body (sha256 " + submission.sha256 +
                            "); use a new key for a new export",
                        context.request);
}

Response not_found(const Request& request) {
  return error_response(Status::not_found, "not_found", "no such submission", request);
}

Response get_receipt(store::Store& store, const Context& context) {
  const auto submission =
      store.get_submission(context.caller.identity->code, context.params.at("id"));
  if (!submission) return not_found(context.request);
  return receipt_response(Status::ok, *submission, context.request);
}

Response get_signature(store::Store& store, const Context& context) {
  const auto submission =
      store.get_submission(context.caller.identity->code, context.params.at("id"));
  if (!submission) return not_found(context.request);
  return bytes_response(Status::ok, submission->receipt_signature, "application/pkcs7-signature",
                        context.request);
}

}  // namespace

std::string stored_error_json(const store::StoredRecordError& stored) {
  const std::string object = adapters::to_json(stored.error);
  return "{\"seq\":" + std::to_string(stored.seq) + (object.size() > 2 ? "," : "") +
         object.substr(1);
}

Response errors_page(store::Store& store, const Context& context, const std::string& member) {
  const std::string& id = context.params.at("id");
  const auto limit = query_limit(context.query, kDefaultPage, kMaxPage);
  std::int64_t after = 0;
  if (const auto text = query_param(context.query, "after")) {
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), after);
    if (ec != std::errc() || end != text->data() + text->size() || after < 0) {
      return error_response(Status::bad_request, "bad_query", "after must be a sequence number",
                            context.request);
    }
  }
  if (!limit) {
    return error_response(Status::bad_request, "bad_query",
                          "limit must be between 1 and " + std::to_string(kMaxPage),
                          context.request);
  }
  const auto errors = store.list_errors(member, id, after, *limit);
  if (!errors) return not_found(context.request);

  rapidjson::StringBuffer text;
  Writer json(text);
  json.StartObject();
  json.Key("submission_id");
  string(json, id);
  json.Key("errors");
  json.StartArray();
  for (const auto& stored : *errors) {
    // The one RecordError shape (adapters/core/record_error_json), with its seq put first.
    const std::string object = stored_error_json(stored);
    json.RawValue(object.data(), object.size(), rapidjson::kObjectType);
  }
  json.EndArray();
  json.Key("next");
  if (errors->size() == *limit) {
    string(json, intake::errors_href(id) + "?after=" + std::to_string(errors->back().seq) +
                     "&limit=" + std::to_string(*limit));
  } else {
    json.Null();
  }
  json.EndObject();
  return json_response(Status::ok, {text.GetString(), text.GetSize()}, context.request);
}

namespace {

Response get_errors(store::Store& store, const Context& context) {
  return errors_page(store, context, context.caller.identity->code);
}

Response list_submissions(store::Store& store, const Context& context) {
  const auto limit = query_limit(context.query, kDefaultPage, kMaxPage);
  if (!limit) {
    return error_response(Status::bad_request, "bad_query",
                          "limit must be between 1 and " + std::to_string(kMaxPage),
                          context.request);
  }
  store::Clock::time_point since{};
  if (const auto text = query_param(context.query, "since")) {
    try {
      since = store::parse_utc(*text);
    } catch (const store::StoreError&) {
      return error_response(Status::bad_request, "bad_query",
                            "since must be a UTC time such as 2026-04-01T00:00:00.000Z",
                            context.request);
    }
  }
  const auto submissions = store.list_submissions(context.caller.identity->code, since, *limit);

  rapidjson::StringBuffer text;
  Writer json(text);
  json.StartObject();
  json.Key("submissions");
  json.StartArray();
  for (const auto& submission : submissions) {
    json.StartObject();
    json.Key("submission_id");
    string(json, submission.id);
    json.Key("received_at");
    string(json, store::format_utc(submission.received_at));
    json.Key("sha256");
    string(json, submission.sha256);
    json.Key("size");
    json.Uint64(submission.size);
    json.Key("adapter");
    string(json, submission.adapter);
    json.Key("status");
    json.String(store::to_string(submission.status));
    json.Key("records");
    json.StartObject();
    json.Key("accepted");
    json.Uint64(submission.accepted);
    json.Key("rejected");
    json.Uint64(submission.rejected);
    json.EndObject();
    json.Key("href");
    string(json, "/v1/submissions/" + submission.id);
    json.EndObject();
  }
  json.EndArray();
  json.Key("next");
  if (submissions.size() == *limit) {
    // Times have millisecond resolution and several submissions may share one: the next page
    // starts at the last time seen, so a client may see the boundary one again (never miss one).
    string(json, "/v1/submissions?since=" + store::format_utc(submissions.back().received_at) +
                     "&limit=" + std::to_string(*limit));
  } else {
    json.Null();
  }
  json.EndObject();
  return json_response(Status::ok, {text.GetString(), text.GetSize()}, context.request);
}

}  // namespace

void add_submission_routes(Router& router, intake::Intake& intake, store::Store& store) {
  router.add_upload(
      Verb::post, "/v1/submissions", Access::identified,
      [&intake](const Context& context) { return check_push(intake, context); },
      [&intake](const Context& context, const ReceivedBody& body) {
        return receive_push(intake, context, body);
      });
  router.add(Verb::get, "/v1/submissions", Access::identified,
             [&store](const Context& context) { return list_submissions(store, context); });
  router.add(Verb::get, "/v1/submissions/{id}", Access::identified,
             [&store](const Context& context) { return get_receipt(store, context); });
  router.add(Verb::get, "/v1/submissions/{id}/receipt.p7s", Access::identified,
             [&store](const Context& context) { return get_signature(store, context); });
  router.add(Verb::get, "/v1/submissions/{id}/errors", Access::identified,
             [&store](const Context& context) { return get_errors(store, context); });
}

}  // namespace opcat::http
