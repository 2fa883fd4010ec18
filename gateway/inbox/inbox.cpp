#include "gateway/inbox/inbox.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <fstream>
#include <sstream>

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

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
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

Inbox::Inbox(const signing::Signer& signer, InboxStore& store, Options options)
    : signer_(signer), store_(store), options_(std::move(options)) {
  if (options_.schema.empty() || !std::filesystem::exists(options_.schema)) {
    log::info("payload_schema_absent")
        .field("schema", options_.schema.string())
        .field("effect", "JSON payloads are checked to be well-formed only");
    return;
  }
  rapidjson::Document document;
  const std::string text = read_file(options_.schema);
  document.Parse(text.data(), text.size());
  if (document.HasParseError()) {
    throw std::runtime_error(options_.schema.string() + ": not valid JSON");
  }
  schema_ = std::make_unique<rapidjson::SchemaDocument>(document);
  log::info("payload_schema_loaded").field("schema", options_.schema.string());
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

std::optional<std::string> Inbox::payload_problem(std::string_view payload, bool json) const {
  if (!json) return std::nullopt;  // XML payloads: see docs/protocol.md (XSD check to come)
  rapidjson::Document document;
  document.Parse(payload.data(), payload.size());
  if (document.HasParseError()) return "the payload is not well-formed JSON";
  if (!schema_) return std::nullopt;
  rapidjson::SchemaValidator validator(*schema_);
  if (!document.Accept(validator)) {
    rapidjson::StringBuffer where;
    validator.GetInvalidDocumentPointer().StringifyUriFragment(where);
    return std::string("the payload does not match the schema at ") + where.GetString() +
           " (keyword " + validator.GetInvalidSchemaKeyword() + ")";
  }
  return std::nullopt;
}

Response Inbox::receive(const Context& context, const http::ReceivedBody& body) const {
  const http::Request& request = context.request;
  const std::string id = header(request, "Idempotency-Key");
  const std::string ext = extension_of(header(request, "Content-Type"));
  if (body.sha256 != header(request, "Payload-SHA256")) {
    return refuse(Status::unprocessable_entity, "payload_digest_mismatch",
                  "the payload's SHA-256 is " + body.sha256 + ", not the Payload-SHA256 header's",
                  context);
  }
  const std::string payload = read_file(body.path);
  const std::string signature = *signing::base64_decode(header(request, "Payload-Signature"));
  try {
    signing::verify_detached(signature, payload, options_.payload_ca);
  } catch (const signing::SignatureError& e) {
    return refuse(Status::unprocessable_entity, "payload_signature_invalid",
                  std::string("Payload-Signature: ") + e.what(), context);
  }
  if (auto problem = payload_problem(payload, ext == "json")) {
    return refuse(Status::unprocessable_entity, "payload_invalid", *problem, context);
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
