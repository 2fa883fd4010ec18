#include "gateway/http/operations_api.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <boost/beast/http/field.hpp>

#include <charconv>

#include "gateway/http/json_response.hpp"
#include "gateway/http/operator_json.hpp"
#include "gateway/http/query.hpp"
#include "gateway/log/log.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::http {
namespace {

using Writer = JsonWriter;

constexpr std::size_t kDefaultPage = 100;
constexpr std::size_t kMaxPage = 1000;

// ---- consolidations ----------------------------------------------------------------------------

void write_job(Writer& json, const consolidation::ConsolidationJob& job) {
  json.StartObject();
  json.Key("consolidation_id");
  write_string(json, job.id);
  json.Key("recipient");
  write_string(json, job.request.recipient);
  json.Key("period");
  write_string(json, job.request.period.to_string());
  json.Key("requested_by");
  write_string(json, job.request.requested_by);
  json.Key("requested_at");
  write_string(json, store::format_utc(job.requested_at));
  json.Key("state");
  json.String(consolidation::to_string(job.state));
  json.Key("finished_at");
  write_time_or_null(json, job.finished_at);
  if (job.summary) {
    json.Key("payload");
    const std::string summary = consolidation::to_json(*job.summary);
    json.RawValue(summary.data(), summary.size(), rapidjson::kObjectType);
  }
  json.Key("delivery_id");
  if (job.delivery_id.empty()) {
    json.Null();
  } else {
    write_string(json, job.delivery_id);
  }
  if (!job.error.empty()) {
    json.Key("error");
    write_string(json, job.error);
  }
  json.Key("href");
  write_string(json, "/v1/consolidations/" + job.id);
  json.EndObject();
}

Response bad_limit(const Context& context) {
  return error_response(Status::bad_request, "bad_query",
                        "limit must be between 1 and " + std::to_string(kMaxPage), context.request);
}

Response bad_body(const Context& context, std::string_view message) {
  return error_response(Status::bad_request, "bad_request_body", message, context.request);
}

Response post_consolidations(const Operations& ops, const Context& context) {
  if (auto refusal = refuse_unless_operator(context)) return *refusal;
  rapidjson::Document body;
  const std::string& text = context.request.body();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    body.SetObject();  // no body: every recipient, the current NPM year
  } else if (body.Parse(text.data(), text.size()).HasParseError()) {
    return bad_body(context, std::string("the body is not JSON: ") +
                                 rapidjson::GetParseError_En(body.GetParseError()));
  }
  if (!body.IsObject()) return bad_body(context, "the body must be a JSON object");
  for (auto member = body.MemberBegin(); member != body.MemberEnd(); ++member) {
    const std::string_view key(member->name.GetString(), member->name.GetStringLength());
    if (key != "recipients" && key != "period") {
      return bad_body(context, "unknown key \"" + std::string(key) +
                                   "\" (known: recipients, period)");
    }
  }

  std::vector<std::string> recipients;
  if (const auto found = body.FindMember("recipients"); found != body.MemberEnd()) {
    if (!found->value.IsArray() || found->value.Empty()) {
      return bad_body(context, "recipients must be a non-empty array of recipient names");
    }
    for (const auto& name : found->value.GetArray()) {
      if (!name.IsString()) return bad_body(context, "recipients must hold names (strings)");
      const std::string recipient(name.GetString(), name.GetStringLength());
      if (!ops.recipients.contains(recipient)) {
        return error_response(Status::unprocessable_entity, "unknown_recipient",
                              "no recipient \"" + recipient + "\" in the configuration",
                              context.request);
      }
      if (std::find(recipients.begin(), recipients.end(), recipient) == recipients.end()) {
        recipients.push_back(recipient);
      }
    }
  } else {
    for (const auto& [name, recipient] : ops.recipients) recipients.push_back(name);
  }
  if (recipients.empty()) {
    return error_response(Status::unprocessable_entity, "no_recipients",
                          "the configuration names no recipient to consolidate for",
                          context.request);
  }

  consolidation::Period period;
  try {
    const auto found = body.FindMember("period");
    if (found == body.MemberEnd()) {
      period = consolidation::npm_year_containing(ops.today());
    } else if (!found->value.IsString()) {
      return bad_body(context, "period must be a string such as \"2025-04-01..2026-03-31\"");
    } else {
      period = consolidation::parse_period(
          std::string_view(found->value.GetString(), found->value.GetStringLength()));
    }
  } catch (const std::invalid_argument& e) {
    return bad_body(context, std::string("period: ") + e.what());
  }

  rapidjson::StringBuffer out;
  Writer json(out);
  json.StartObject();
  json.Key("consolidations");
  json.StartArray();
  std::string first;
  for (const std::string& recipient : recipients) {
    try {
      const auto job = ops.consolidations.submit(
          {.recipient = recipient, .period = period, .requested_by = who(context)});
      if (first.empty()) first = job.id;
      write_job(json, job);
    } catch (const consolidation::QueueFull& e) {
      // Jobs queued for the recipients before this one stand; the answer says which did not.
      Response busy = error_response(Status::too_many_requests, "too_many_consolidations",
                                     std::string(e.what()) + "; not queued for " + recipient +
                                         " (those before it in the request were)",
                                     context.request);
      busy.set(beast_http::field::retry_after, "60");
      return busy;
    }
  }
  json.EndArray();
  json.EndObject();
  Response response = json_ok(Status::accepted, out, context.request);
  if (recipients.size() == 1) response.set(beast_http::field::location, "/v1/consolidations/" + first);
  return response;
}

Response list_consolidations(const Operations& ops, const Context& context) {
  const auto limit = query_limit(context.query, kDefaultPage, kMaxPage);
  if (!limit) return bad_limit(context);
  rapidjson::StringBuffer out;
  Writer json(out);
  json.StartObject();
  json.Key("consolidations");
  json.StartArray();
  for (const auto& job : ops.consolidations.list(*limit)) write_job(json, job);
  json.EndArray();
  json.EndObject();
  return json_ok(Status::ok, out, context.request);
}

Response get_consolidation(const Operations& ops, const Context& context) {
  const auto job = ops.consolidations.get(context.params.at("id"));
  if (!job) {
    return error_response(Status::not_found, "not_found", "no such consolidation (jobs are kept "
                          "in memory: a restart forgets them, not their deliveries)",
                          context.request);
  }
  rapidjson::StringBuffer out;
  Writer json(out);
  write_job(json, *job);
  return json_ok(Status::ok, out, context.request);
}

// ---- deliveries --------------------------------------------------------------------------------

Response list_deliveries(const Operations& ops, const Context& context) {
  store::DeliveryQuery query;
  const auto limit = query_limit(context.query, kDefaultPage, kMaxPage);
  if (!limit) return bad_limit(context);
  query.limit = *limit;
  query.recipient = query_param(context.query, "recipient");
  if (const auto state = query_param(context.query, "state")) {
    try {
      query.state = store::parse_delivery_state(*state);
    } catch (const store::StoreError&) {
      return error_response(Status::bad_request, "bad_query",
                            "state must be pending, delivered or failed", context.request);
    }
  }
  rapidjson::StringBuffer out;
  Writer json(out);
  json.StartObject();
  json.Key("deliveries");
  json.StartArray();
  for (const auto& d : ops.outbox.list_deliveries(query)) write_delivery(json, d);
  json.EndArray();
  json.EndObject();
  return json_ok(Status::ok, out, context.request);
}

Response no_such_delivery(const Context& context) {
  return error_response(Status::not_found, "not_found", "no such delivery", context.request);
}

Response get_delivery(const Operations& ops, const Context& context) {
  const std::string& id = context.params.at("id");
  const auto d = ops.outbox.get_delivery(id);
  if (!d) return no_such_delivery(context);
  rapidjson::StringBuffer out;
  Writer json(out);
  json.StartObject();
  json.Key("delivery");
  write_delivery(json, *d);
  json.Key("attempts");
  json.StartArray();
  for (const auto& attempt : ops.outbox.list_attempts(id)) {
    json.StartObject();
    json.Key("time");
    write_string(json, store::format_utc(attempt.time));
    json.Key("http_status");
    if (attempt.http_status == 0) {
      json.Null();
    } else {
      json.Int(attempt.http_status);
    }
    json.Key("duration_ms");
    json.Int64(attempt.duration_ms);
    json.Key("error");
    if (attempt.error.empty()) {
      json.Null();
    } else {
      write_string(json, attempt.error);
    }
    json.EndObject();
  }
  json.EndArray();
  // The recipient's receipt as it sent it (text), for an operator to read; its signature is
  // checked before a delivery is marked delivered.
  json.Key("receipt");
  if (d->receipt.empty()) {
    json.Null();
  } else {
    write_string(json, d->receipt);
  }
  json.EndObject();
  return json_ok(Status::ok, out, context.request);
}

Response requeue_delivery(const Operations& ops, const Context& context) {
  if (auto refusal = refuse_unless_operator(context)) return *refusal;
  const std::string& id = context.params.at("id");
  const auto before = ops.outbox.get_delivery(id);
  if (!before) return no_such_delivery(context);
  if (!ops.requeue(id)) {
    return error_response(Status::conflict, "not_failed",
                          "only a failed delivery can be re-queued; this one is " +
                              std::string(store::to_string(before->state)),
                          context.request);
  }
  log::info("delivery_requeued")
      .field("delivery_id", id)
      .field("recipient", before->recipient)
      .field("by", who(context));
  const auto after = ops.outbox.get_delivery(id);
  rapidjson::StringBuffer out;
  Writer json(out);
  write_delivery(json, after ? *after : *before);
  return json_ok(Status::ok, out, context.request);
}

// ---- the transfer log --------------------------------------------------------------------------

// A seq in a query: nullopt for anything but a non-negative integer.
std::optional<std::int64_t> query_seq(std::string_view text) {
  std::int64_t seq = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (ec != std::errc() || end != text.data() + text.size() || seq < 0) return std::nullopt;
  return seq;
}

Response list_transfers(const Operations& ops, const Context& context) {
  store::TransferQuery query;
  const auto limit = query_limit(context.query, kDefaultPage, kMaxPage);
  if (!limit) return bad_limit(context);
  query.limit = *limit;
  const auto bad_query = [&](std::string_view message) {
    return error_response(Status::bad_request, "bad_query", message, context.request);
  };
  if (const auto after = query_param(context.query, "after")) {
    const auto seq = query_seq(*after);
    if (!seq) return bad_query("after must be the seq of the last entry seen");
    query.after_seq = *seq;
  }
  if (const auto before = query_param(context.query, "before")) {
    const auto seq = query_seq(*before);
    if (!seq) return bad_query("before must be the seq of the last entry seen");
    query.before_seq = *seq;
  }
  if (const auto order = query_param(context.query, "order")) {
    if (*order != "asc" && *order != "desc") return bad_query("order must be asc or desc");
    query.newest_first = *order == "desc";
  }
  if (const auto direction = query_param(context.query, "direction")) {
    if (*direction != "in" && *direction != "out") return bad_query("direction must be in or out");
    query.direction = *direction == "in" ? store::TransferDirection::in : store::TransferDirection::out;
  }
  query.member = query_param(context.query, "member");
  query.status = query_param(context.query, "status");
  query.recipient = query_param(context.query, "recipient");
  const auto entries = ops.store.list_transfers(query);

  rapidjson::StringBuffer out;
  Writer json(out);
  json.StartObject();
  json.Key("transfers");
  json.StartArray();
  for (const auto& e : entries) write_transfer(json, e);
  json.EndArray();
  // A cursor on seq, which only grows: a page never repeats nor skips an entry. Oldest first
  // pages on with after=, newest first with before=.
  json.Key("next");
  if (entries.size() == *limit) {
    std::string next = "/v1/transfers?limit=" + std::to_string(*limit);
    if (query.newest_first) {
      next += "&order=desc&before=" + std::to_string(entries.back().seq);
      if (query.after_seq > 0) next += "&after=" + std::to_string(query.after_seq);
    } else {
      next += "&after=" + std::to_string(entries.back().seq);
      if (query.before_seq) next += "&before=" + std::to_string(*query.before_seq);
    }
    if (query.member) next += "&member=" + percent_encode(*query.member);
    if (query.status) next += "&status=" + percent_encode(*query.status);
    if (query.recipient) next += "&recipient=" + percent_encode(*query.recipient);
    if (query.direction) next += std::string("&direction=") + store::to_string(*query.direction);
    write_string(json, next);
  } else {
    json.Null();
  }
  json.EndObject();
  return json_ok(Status::ok, out, context.request);
}

// ---- alerts ------------------------------------------------------------------------------------

Response list_alerts(const Operations& ops, const Context& context) {
  const auto limit = query_limit(context.query, kDefaultPage, kMaxPage);
  if (!limit) return bad_limit(context);
  const auto active = query_param(context.query, "active");
  if (active && *active != "true" && *active != "false") {
    return error_response(Status::bad_request, "bad_query", "active must be true or false",
                          context.request);
  }
  rapidjson::StringBuffer out;
  Writer json(out);
  json.StartObject();
  json.Key("alerts");
  json.StartArray();
  for (const auto& a : ops.store.list_alerts(active.value_or("true") == "true", *limit)) {
    write_alert(json, a);
  }
  json.EndArray();
  json.EndObject();
  return json_ok(Status::ok, out, context.request);
}

}  // namespace

void add_operations_routes(Router& router, Operations operations) {
  auto ops = std::make_shared<const Operations>(std::move(operations));
  router.add(Verb::post, "/v1/consolidations", Access::identified,
             [ops](const Context& c) { return post_consolidations(*ops, c); });
  router.add(Verb::get, "/v1/consolidations", Access::identified,
             [ops](const Context& c) { return list_consolidations(*ops, c); });
  router.add(Verb::get, "/v1/consolidations/{id}", Access::identified,
             [ops](const Context& c) { return get_consolidation(*ops, c); });
  router.add(Verb::get, "/v1/deliveries", Access::identified,
             [ops](const Context& c) { return list_deliveries(*ops, c); });
  router.add(Verb::get, "/v1/deliveries/{id}", Access::identified,
             [ops](const Context& c) { return get_delivery(*ops, c); });
  router.add(Verb::post, "/v1/deliveries/{id}/requeue", Access::identified,
             [ops](const Context& c) { return requeue_delivery(*ops, c); });
  router.add(Verb::get, "/v1/transfers", Access::identified,
             [ops](const Context& c) { return list_transfers(*ops, c); });
  router.add(Verb::get, "/v1/alerts", Access::identified,
             [ops](const Context& c) { return list_alerts(*ops, c); });
}

}  // namespace opcat::http
