#include "gateway/delivery/pull_api.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "gateway/delivery/receipt_check.hpp"
#include "gateway/http/json_response.hpp"
#include "gateway/http/query.hpp"
#include "gateway/log/log.hpp"
#include "gateway/signing/base64.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::delivery {
namespace {

using http::Context;
using http::Response;
using http::Status;
using Recipients = std::map<std::string, config::Recipient>;

// The pull recipient the caller's certificate is, if any.
const config::Recipient* caller_recipient(const Context& context, const Recipients& recipients) {
  for (const auto& [name, recipient] : recipients) {
    if (recipient.mode == config::DeliveryMode::pull &&
        recipient.client_cn == context.caller.certificate.subject_cn) {
      return &recipient;
    }
  }
  return nullptr;
}

Response not_a_recipient(const Context& context) {
  return http::error_response(Status::forbidden, "not_a_recipient",
                              "this certificate is not a pull recipient's", context.request);
}

// Another recipient's delivery answers exactly like one that does not exist.
std::optional<store::Delivery> own_delivery(store::Outbox& outbox, const Context& context,
                                            const config::Recipient& recipient) {
  auto delivery = outbox.get_delivery(context.params.at("id"));
  if (!delivery || delivery->recipient != recipient.name) return std::nullopt;
  return delivery;
}

Response no_such_delivery(const Context& context) {
  return http::error_response(Status::not_found, "not_found", "no such delivery", context.request);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

Response list(store::Outbox& outbox, const Recipients& recipients, const Context& context) {
  const config::Recipient* recipient = caller_recipient(context, recipients);
  if (recipient == nullptr) return not_a_recipient(context);
  const auto asked = http::query_param(context.query, "recipient");
  if (asked && *asked != recipient->name) return not_a_recipient(context);
  auto pending = outbox.list_deliveries(
      {.recipient = recipient->name, .state = store::DeliveryState::pending, .limit = 1000});
  std::reverse(pending.begin(), pending.end());  // oldest first: the order they were made in
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("recipient");
  w.String(recipient->name.c_str());
  w.Key("deliveries");
  w.StartArray();
  for (const store::Delivery& d : pending) {
    w.StartObject();
    w.Key("delivery_id");
    w.String(d.id.c_str());
    w.Key("payload_sha256");
    w.String(d.sha256.c_str());
    w.Key("size");
    w.Uint64(d.size);
    w.Key("content_type");
    w.String(d.content_type.c_str());
    w.Key("created_at");
    w.String(store::format_utc(d.created_at).c_str());
    w.Key("metadata");
    w.RawValue(d.metadata_json.c_str(), d.metadata_json.size(), rapidjson::kObjectType);
    w.Key("href");
    w.String(("/v1/outbox/" + d.id).c_str());
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return http::json_response(Status::ok, std::string(buffer.GetString(), buffer.GetSize()),
                             context.request);
}

Response fetch(store::Outbox& outbox, const Recipients& recipients, const Context& context) {
  const config::Recipient* recipient = caller_recipient(context, recipients);
  if (recipient == nullptr) return not_a_recipient(context);
  const auto delivery = own_delivery(outbox, context, *recipient);
  if (!delivery) return no_such_delivery(context);
  Response response = http::bytes_response(Status::ok, read_file(delivery->payload),
                                           delivery->content_type, context.request);
  response.set("Delivery-Id", delivery->id);
  response.set("Payload-SHA256", delivery->sha256);
  response.set("Payload-Signature", signing::base64_encode(delivery->signature));
  return response;
}

Response acknowledge(store::Outbox& outbox, const Recipients& recipients,
                     const std::function<store::Clock::time_point()>& now,
                     const Context& context) {
  const config::Recipient* recipient = caller_recipient(context, recipients);
  if (recipient == nullptr) return not_a_recipient(context);
  const auto delivery = own_delivery(outbox, context, *recipient);
  if (!delivery) return no_such_delivery(context);
  std::string signature;
  if (const auto it = context.request.find("Receipt-Signature"); it != context.request.end()) {
    signature = signing::base64_decode(it->value()).value_or("");
  }
  const std::string& receipt = context.request.body();
  if (auto problem = receipt_problem(receipt, signature, *delivery, recipient->ca)) {
    log::warn("pull_receipt_rejected")
        .field("delivery_id", delivery->id)
        .field("recipient", recipient->name)
        .field("reason", *problem);
    return http::error_response(Status::unprocessable_entity, "invalid_receipt", *problem,
                                context.request);
  }
  store::DeliveryAttempt attempt;
  attempt.delivery_id = delivery->id;
  attempt.time = now();
  attempt.http_status = 200;
  if (outbox.mark_delivered(attempt, receipt, signature)) {
    log::info("delivery_delivered")
        .field("delivery_id", delivery->id)
        .field("recipient", recipient->name)
        .field("mode", "pull");
  }
  // A receipt sent twice is acknowledged twice; the first one stays the one kept.
  return http::json_response(
      Status::ok, "{\"delivery_id\":\"" + delivery->id + "\",\"state\":\"delivered\"}",
      context.request);
}

}  // namespace

void add_pull_routes(http::Router& router, store::Outbox& outbox, const Recipients& recipients,
                     std::function<store::Clock::time_point()> now) {
  using http::Access;
  using http::Verb;
  router.add(Verb::get, "/v1/outbox", Access::any_certificate,
             [&outbox, &recipients](const Context& c) { return list(outbox, recipients, c); });
  router.add(Verb::get, "/v1/outbox/{id}", Access::any_certificate,
             [&outbox, &recipients](const Context& c) { return fetch(outbox, recipients, c); });
  router.add(Verb::post, "/v1/outbox/{id}/receipt", Access::any_certificate,
             [&outbox, &recipients, now = std::move(now)](const Context& c) {
               return acknowledge(outbox, recipients, now, c);
             });
}

}  // namespace opcat::delivery
