#include "gateway/inbox/inbox.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <mutex>
#include <vector>

#include "adapters/schema/schemas_dir.hpp"
#include "gateway/consolidation/payload_schema.hpp"
#include "gateway/http/json_response.hpp"
#include "gateway/log/log.hpp"
#include "gateway/signing/base64.hpp"
#include "gateway/signing/verifier.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::inbox {
namespace {

using http::Context;
using http::Response;
using http::Status;

std::string header(const http::Request& request, std::string_view name) {
  const auto it = request.find(name);
  return it == request.end() ? std::string() : std::string(it->value());
}

// The id names a folder: letters, digits, '_' and '-' only, so it can never escape it.
bool is_delivery_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
  });
}

bool is_sha256(std::string_view hex) {
  return hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// "json", "xml", or "" for a type the inbox does not take.
std::string extension_of(std::string_view content_type) {
  const std::string_view type = content_type.substr(0, content_type.find(';'));
  if (type == "application/json") return "json";
  if (type == "application/xml") return "xml";
  return {};
}

std::string receipt_field(std::string_view receipt, const char* key) {
  rapidjson::Document document;
  document.Parse(receipt.data(), receipt.size());
  if (document.HasParseError() || !document.IsObject()) return {};
  const auto it = document.FindMember(key);
  if (it == document.MemberEnd() || !it->value.IsString()) return {};
  return it->value.GetString();
}

Response refuse(Status status, std::string_view code, std::string_view message,
                const Context& context) {
  log::warn("delivery_refused")
      .field("code", code)
      .field("reason", message)
      .field("sender", context.caller.certificate.subject_cn)
      .field("delivery_id", header(context.request, "Idempotency-Key"));
  return http::error_response(status, code, message, context.request);
}

}  // namespace

// PayloadSchemas lent to one check at a time. A PayloadSchema is not thread-safe (RapidJSON 1.1.0
// keeps regex state inside the schema) and receive() runs on every worker at once. One schema
// behind a mutex would make each delivery wait for the check of any payload ahead of it, seconds
// for hundreds of MB; so each concurrent check borrows its own, and the pool grows to the number
// of workers (one schema is a few hundred KB).
class Inbox::Schemas {
 public:
  // Loads the first one now, so that a missing or broken schema stops the inbox at start-up,
  // not at its first delivery.
  explicit Schemas(std::filesystem::path dir) : dir_(std::move(dir)) {
    free_.push_back(consolidation::PayloadSchema::load(dir_));
  }

  const std::filesystem::path& dir() const { return dir_; }

  std::string problem_in_file(const std::filesystem::path& payload,
                              consolidation::PayloadFormat format) {
    consolidation::PayloadSchema schema = borrow();
    std::string problem;
    try {
      problem = schema.problem_in_file(payload, format);
    } catch (...) {
      give_back(std::move(schema));
      throw;
    }
    give_back(std::move(schema));
    return problem;
  }

 private:
  consolidation::PayloadSchema borrow() {
    {
      const std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        consolidation::PayloadSchema schema = std::move(free_.back());
        free_.pop_back();
        return schema;
      }
    }
    return consolidation::PayloadSchema::load(dir_);  // outside the lock: reads files
  }

  void give_back(consolidation::PayloadSchema schema) {
    const std::lock_guard lock(mutex_);
    free_.push_back(std::move(schema));
  }

  const std::filesystem::path dir_;
  std::mutex mutex_;
  std::vector<consolidation::PayloadSchema> free_;
};

Inbox::Inbox(const signing::Signer& signer, InboxStore& store, Options options)
    : signer_(signer),
      store_(store),
      options_(std::move(options)),
      schemas_(std::make_unique<Schemas>(options_.schemas.empty() ? schema::schemas_dir()
                                                                  : options_.schemas)) {
  log::info("payload_schemas_loaded").field("schemas", schemas_->dir().string());
}

Inbox::~Inbox() = default;

Response Inbox::receipt_response(Status status, const StoredDelivery& stored,
                                 const http::Request& request) const {
  Response response = http::bytes_response(status, stored.receipt, "application/json", request);
  response.set("Receipt-Signature", signing::base64_encode(stored.receipt_signature));
  return response;
}

std::optional<Response> Inbox::check(const Context& context) const {
  const http::Request& request = context.request;
  const std::string id = header(request, "Idempotency-Key");
  if (!is_delivery_id(id)) {
    return refuse(Status::bad_request, "bad_delivery_id",
                  "Idempotency-Key must be the delivery id (letters, digits, '_', '-')", context);
  }
  const std::string sha256 = header(request, "Payload-SHA256");
  if (!is_sha256(sha256)) {
    return refuse(Status::bad_request, "bad_payload_sha256",
                  "Payload-SHA256 must be 64 lowercase hex digits", context);
  }
  if (!signing::base64_decode(header(request, "Payload-Signature"))) {
    return refuse(Status::bad_request, "bad_payload_signature",
                  "Payload-Signature must be the Base64 of a DER CMS signature", context);
  }
  if (extension_of(header(request, "Content-Type")).empty()) {
    return refuse(Status::unsupported_media_type, "unsupported_type",
                  "Content-Type must be application/json or application/xml", context);
  }
  if (auto stored = store_.find(id)) {
    // A retry: the original receipt, byte for byte; the same id for other bytes is a conflict.
    if (receipt_field(stored->receipt, "payload_sha256") != sha256) {
      return refuse(Status::conflict, "delivery_id_reused",
                    "this delivery id was received with another payload", context);
    }
    log::info("delivery_repeated").field("delivery_id", id);
    return receipt_response(Status::ok, *stored, request);
  }
  return std::nullopt;
}

Response Inbox::receive(const Context& context, const http::ReceivedBody& body) const {
  const http::Request& request = context.request;
  const std::string id = header(request, "Idempotency-Key");
  const std::string ext = extension_of(header(request, "Content-Type"));
  // The upload route computed body.sha256 as the bytes streamed to disk: no second read.
  if (body.sha256 != header(request, "Payload-SHA256")) {
    return refuse(Status::unprocessable_entity, "payload_digest_mismatch",
                  "the payload's SHA-256 is " + body.sha256 + ", not the Payload-SHA256 header's",
                  context);
  }
  // From disk, in chunks: a payload may be hundreds of MB.
  const std::string signature = *signing::base64_decode(header(request, "Payload-Signature"));
  try {
    signing::verify_detached_file(signature, body.path, options_.payload_ca);
  } catch (const signing::SignatureError& e) {
    return refuse(Status::unprocessable_entity, "payload_signature_invalid",
                  std::string("Payload-Signature: ") + e.what(), context);
  }
  const auto format = consolidation::parse_payload_format(ext);
  if (const std::string problem = schemas_->problem_in_file(body.path, format); !problem.empty()) {
    const char* schema_file = format == consolidation::PayloadFormat::json
                                  ? "consolidated.schema.json"
                                  : "consolidated.xsd";
    return refuse(Status::unprocessable_entity, "payload_invalid",
                  std::string("the payload does not match ") + schema_file + ": " + problem,
                  context);
  }

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("receipt");
  w.String("opcat-inbox/delivery-receipt/1");
  w.Key("delivery_id");
  w.String(id.c_str());
  w.Key("payload_sha256");
  w.String(body.sha256.c_str());
  w.Key("size");
  w.Uint64(body.size);
  w.Key("content_type");
  w.String(("application/" + ext).c_str());
  w.Key("received_at");
  w.String(store::format_utc(options_.now()).c_str());
  w.Key("stored_as");
  w.String(("deliveries/" + id + "/payload." + ext).c_str());
  w.Key("sender");
  w.String(context.caller.certificate.subject_cn.c_str());
  w.Key("signed_by");
  w.String(signer_.certificate_sha256().c_str());
  w.EndObject();
  std::string receipt(buffer.GetString(), buffer.GetSize());
  std::string receipt_signature = signer_.sign_detached(receipt);

  const StoredDelivery stored = store_.store(
      {id, body.path, ext, signature, receipt, receipt_signature});
  // Another request with this id may have been stored first: its receipt is the one that counts.
  const bool first = stored.receipt == receipt;
  log::info(first ? "delivery_received" : "delivery_repeated")
      .field("delivery_id", id)
      .field("sender", context.caller.certificate.subject_cn)
      .field("size", body.size)
      .field("payload_sha256", body.sha256);
  Response response = receipt_response(first ? Status::created : Status::ok, stored, request);
  response.set("Location", "/v1/deliveries/" + id);
  return response;
}

void add_inbox_routes(http::Router& router, const Inbox& inbox) {
  router.add_upload(
      http::Verb::post, "/v1/deliveries", http::Access::identified,
      [&inbox](const Context& context) { return inbox.check(context); },
      [&inbox](const Context& context, const http::ReceivedBody& body) {
        return inbox.receive(context, body);
      });
}

}  // namespace opcat::inbox
