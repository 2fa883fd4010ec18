#include "gateway/http/operator_json.hpp"

#include <algorithm>
#include <initializer_list>

#include "adapters/core/utf8_text.hpp"
#include "gateway/http/json_response.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::http {

void write_string(JsonWriter& json, std::string_view text) {
  const std::string safe = adapters::valid_utf8(text);
  json.String(safe.data(), static_cast<rapidjson::SizeType>(safe.size()));
}

void write_time_or_null(JsonWriter& json, const std::optional<store::Clock::time_point>& time) {
  if (time) {
    write_string(json, store::format_utc(*time));
  } else {
    json.Null();
  }
}

void write_text_or_null(JsonWriter& json, const char* key, const std::string& text) {
  json.Key(key);
  if (text.empty()) {
    json.Null();
  } else {
    write_string(json, text);
  }
}

void write_transfer(JsonWriter& json, const store::TransferLogEntry& e) {
  json.StartObject();
  json.Key("seq");
  json.Int64(e.seq);
  json.Key("time");
  write_string(json, store::format_utc(e.time));
  json.Key("direction");
  json.String(store::to_string(e.direction));
  write_text_or_null(json, "member", e.member);
  write_text_or_null(json, "recipient", e.recipient);
  write_text_or_null(json, "submission_id", e.submission_id);
  write_text_or_null(json, "delivery_id", e.delivery_id);
  json.Key("bytes");
  json.Uint64(e.bytes);
  json.Key("records");
  json.Uint64(e.records);
  json.Key("status");
  write_string(json, e.status);
  json.Key("http_status");
  if (e.http_status == 0) {
    json.Null();
  } else {
    json.Int(e.http_status);
  }
  json.Key("duration_ms");
  json.Int64(e.duration_ms);
  write_text_or_null(json, "error", e.error);
  json.EndObject();
}

void write_delivery(JsonWriter& json, const store::Delivery& d) {
  json.StartObject();
  json.Key("delivery_id");
  write_string(json, d.id);
  json.Key("recipient");
  write_string(json, d.recipient);
  json.Key("state");
  json.String(store::to_string(d.state));
  json.Key("created_at");
  write_string(json, store::format_utc(d.created_at));
  json.Key("due_at");
  if (d.state == store::DeliveryState::pending) {
    write_string(json, store::format_utc(d.due_at));
  } else {
    json.Null();
  }
  json.Key("attempts");
  json.Uint(d.attempts);
  json.Key("last_error");
  if (d.last_error.empty()) {
    json.Null();
  } else {
    write_string(json, d.last_error);
  }
  json.Key("failure_reason");
  if (d.failure_reason.empty()) {
    json.Null();
  } else {
    write_string(json, d.failure_reason);
  }
  json.Key("delivered_at");
  write_time_or_null(json, d.delivered_at);
  json.Key("payload");
  json.StartObject();
  json.Key("content_type");
  write_string(json, d.content_type);
  json.Key("size");
  json.Uint64(d.size);
  json.Key("sha256");
  write_string(json, d.sha256);
  json.EndObject();
  json.Key("metadata");
  if (d.metadata_json.empty()) {
    json.Null();
  } else {
    json.RawValue(d.metadata_json.data(), d.metadata_json.size(), rapidjson::kObjectType);
  }
  json.Key("href");
  write_string(json, "/v1/deliveries/" + d.id);
  json.EndObject();
}

void write_alert(JsonWriter& json, const store::Alert& a) {
  json.StartObject();
  json.Key("id");
  json.Int64(a.id);
  json.Key("kind");
  write_string(json, a.kind);
  json.Key("subject");
  write_string(json, a.subject);
  json.Key("message");
  write_string(json, a.message);
  json.Key("raised_at");
  write_string(json, store::format_utc(a.raised_at));
  json.Key("cleared_at");
  write_time_or_null(json, a.cleared_at);
  json.EndObject();
}

Response json_ok(Status status, const rapidjson::StringBuffer& text, const Request& request) {
  return json_response(status, {text.GetString(), text.GetSize()}, request);
}

namespace {

std::optional<Response> refuse_unless(const Context& context,
                                      std::initializer_list<config::Role> allowed,
                                      std::string_view which) {
  const auto& role = context.caller.identity->role;
  if (role && std::find(allowed.begin(), allowed.end(), *role) != allowed.end()) {
    return std::nullopt;
  }
  return error_response(Status::forbidden, "role_forbidden",
                        "this needs the " + std::string(which) + " role; yours is " +
                            std::string(role ? config::to_string(*role) : "none"),
                        context.request);
}

}  // namespace

std::optional<Response> refuse_unless_operator(const Context& context) {
  return refuse_unless(context, {config::Role::operator_, config::Role::admin}, "operator or admin");
}

std::optional<Response> refuse_unless_admin(const Context& context) {
  return refuse_unless(context, {config::Role::admin}, "admin");
}

std::string who(const Context& context) { return "operator:" + context.caller.identity->code; }

}  // namespace opcat::http
