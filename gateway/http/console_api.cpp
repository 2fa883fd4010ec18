#include "gateway/http/console_api.hpp"

#include <boost/beast/http/field.hpp>
#include <rapidjson/document.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <memory>
#include <set>

#include "gateway/console/console_assets.hpp"
#include "gateway/http/json_response.hpp"
#include "gateway/http/operator_json.hpp"
#include "gateway/http/query.hpp"
#include "gateway/http/session_api.hpp"
#include "gateway/http/submissions_api.hpp"
#include "gateway/intake/receipt.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::http {
namespace {

constexpr std::size_t kFirstErrors = 100;
constexpr int kDefaultDays = 30;
constexpr int kMaxDays = 366;
constexpr std::size_t kStreamBatch = 200;

// ---- the console's files -------------------------------------------------------------------------

Response asset_response(const console::Asset& asset, const Request& request) {
  Response response =
      bytes_response(Status::ok, std::string(asset.bytes), asset.content_type, request);
  set_console_headers(response);
  return response;
}

Response get_asset(const Context& context, std::string_view path) {
  for (const auto& asset : console::assets()) {
    if (asset.path == path) return asset_response(asset, context.request);
  }
  return error_response(Status::not_found, "not_found", "no such file", context.request);
}

// ---- overview --------------------------------------------------------------------------------

struct MemberTotals {
  std::uint64_t submissions = 0, accepted = 0, rejected = 0;
  std::optional<store::Clock::time_point> last_push;
};

Response overview(const ConsoleView& view, const Context& context) {
  std::map<std::string, MemberTotals, std::less<>> totals;
  for (const auto& t : view.store.submission_totals()) {
    auto& member = totals[t.member];
    member.submissions += t.submissions;
    member.accepted += t.records_accepted;
    member.rejected += t.records_rejected;
    if (!member.last_push || t.last_received_at > *member.last_push) {
      member.last_push = t.last_received_at;
    }
  }
  const auto active_alerts = view.store.list_alerts(true, 1000);
  std::set<std::string, std::less<>> overdue;
  for (const auto& alert : active_alerts) {
    if (alert.kind == "member_overdue") overdue.insert(alert.subject);
  }

  rapidjson::StringBuffer out;
  JsonWriter json(out);
  json.StartObject();
  json.Key("generated_at");
  write_string(json, store::format_utc(view.now()));
  json.Key("members");
  json.StartArray();
  for (const auto& [code, member] : view.config.members) {
    const auto found = totals.find(code);
    const MemberTotals t = found == totals.end() ? MemberTotals{} : found->second;
    json.StartObject();
    json.Key("code");
    write_string(json, code);
    json.Key("name");
    write_string(json, member.name);
    json.Key("last_push");
    write_time_or_null(json, t.last_push);
    json.Key("submissions");
    json.Uint64(t.submissions);
    json.Key("records_accepted");
    json.Uint64(t.accepted);
    json.Key("records_rejected");
    json.Uint64(t.rejected);
    json.Key("rejection_rate");
    if (t.accepted + t.rejected == 0) {
      json.Null();
    } else {
      json.Double(static_cast<double>(t.rejected) / static_cast<double>(t.accepted + t.rejected));
    }
    json.Key("overdue");
    json.Bool(overdue.contains(code));
    json.Key("expected_interval_hours");
    if (member.expected_interval) {
      json.Int64(member.expected_interval->count());
    } else {
      json.Null();
    }
    json.EndObject();
  }
  json.EndArray();

  struct RecipientTotals {
    std::uint64_t queued = 0, delivered = 0, failed = 0;
    std::optional<store::Clock::time_point> oldest_undelivered;
  };
  std::map<std::string, RecipientTotals, std::less<>> recipients;
  for (const auto& [name, recipient] : view.config.recipients) recipients[name];
  for (const auto& t : view.outbox.delivery_totals()) {
    auto& r = recipients[t.recipient];
    switch (t.state) {
      case store::DeliveryState::pending:
        r.queued += t.count;
        r.oldest_undelivered = t.oldest_created;
        break;
      case store::DeliveryState::delivered:
        r.delivered += t.count;
        break;
      case store::DeliveryState::failed:
        r.failed += t.count;
        break;
    }
  }
  json.Key("recipients");
  json.StartArray();
  for (const auto& [name, r] : recipients) {
    json.StartObject();
    json.Key("name");
    write_string(json, name);
    json.Key("mode");
    const auto configured = view.config.recipients.find(name);
    if (configured == view.config.recipients.end()) {
      json.Null();  // no longer in the config, but deliveries remain
    } else {
      json.String(config::to_string(configured->second.mode));
    }
    json.Key("queued");
    json.Uint64(r.queued);
    json.Key("delivered");
    json.Uint64(r.delivered);
    json.Key("failed");
    json.Uint64(r.failed);
    json.Key("oldest_undelivered");
    write_time_or_null(json, r.oldest_undelivered);
    json.EndObject();
  }
  json.EndArray();
  json.Key("alerts");
  json.StartArray();
  for (const auto& alert : active_alerts) write_alert(json, alert);
  json.EndArray();
  json.EndObject();
  return json_ok(Status::ok, out, context.request);
}

// ---- records per day ---------------------------------------------------------------------------

Response records_per_day(const ConsoleView& view, const Context& context) {
  int span = kDefaultDays;
  if (const auto text = query_param(context.query, "days")) {
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), span);
    if (ec != std::errc() || end != text->data() + text->size() || span < 1 || span > kMaxDays) {
      return error_response(Status::bad_request, "bad_query",
                            "days must be between 1 and " + std::to_string(kMaxDays),
                            context.request);
    }
  }
  using std::chrono::days;
  const auto today = std::chrono::floor<days>(view.now());
  const auto first = today - days{span - 1};
  std::vector<std::string> labels;
  std::map<std::string, std::size_t, std::less<>> index;
  for (auto day = first; day <= today; day += days{1}) {
    labels.push_back(store::format_utc(day).substr(0, 10));
    index.emplace(labels.back(), labels.size() - 1);
  }
  std::map<std::string, std::vector<std::uint64_t>, std::less<>> accepted, rejected;
  for (const auto& [code, member] : view.config.members) {
    accepted[code].assign(labels.size(), 0);
    rejected[code].assign(labels.size(), 0);
  }
  for (const auto& row : view.store.records_per_day(first)) {
    const auto at = index.find(row.day);
    if (at == index.end()) continue;
    auto& a = accepted[row.member];
    auto& r = rejected[row.member];
    a.resize(labels.size());
    r.resize(labels.size());
    a[at->second] += row.records_accepted;
    r[at->second] += row.records_rejected;
  }

  rapidjson::StringBuffer out;
  JsonWriter json(out);
  json.StartObject();
  json.Key("days");
  json.StartArray();
  for (const auto& label : labels) write_string(json, label);
  json.EndArray();
  json.Key("members");
  json.StartArray();
  for (const auto& [code, counts] : accepted) {
    json.StartObject();
    json.Key("code");
    write_string(json, code);
    json.Key("records");
    json.StartArray();
    for (const auto n : counts) json.Uint64(n);
    json.EndArray();
    json.Key("rejected");
    json.StartArray();
    for (const auto n : rejected[code]) json.Uint64(n);
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return json_ok(Status::ok, out, context.request);
}

// ---- any member's submission -------------------------------------------------------------------

Response no_such_submission(const Context& context) {
  return error_response(Status::not_found, "not_found", "no such submission", context.request);
}

// Why a rejected submission was rejected, as its receipt told the member.
std::string rejection_reason(const std::string& receipt_json) {
  rapidjson::Document receipt;
  if (receipt.Parse(receipt_json.data(), receipt_json.size()).HasParseError() ||
      !receipt.IsObject()) {
    return {};
  }
  const auto reason = receipt.FindMember("reason");
  if (reason == receipt.MemberEnd() || !reason->value.IsString()) return {};
  return {reason->value.GetString(), reason->value.GetStringLength()};
}

Response submission(const ConsoleView& view, const Context& context) {
  const std::string& id = context.params.at("id");
  const auto found = view.store.find_submission(id);
  if (!found) return no_such_submission(context);
  const auto errors = view.store.list_errors(found->member, id, 0, kFirstErrors);

  rapidjson::StringBuffer out;
  JsonWriter json(out);
  json.StartObject();
  json.Key("submission_id");
  write_string(json, found->id);
  json.Key("member");
  write_string(json, found->member);
  json.Key("member_name");
  const auto member = view.config.members.find(found->member);
  write_string(json, member == view.config.members.end() ? found->member : member->second.name);
  json.Key("status");
  json.String(store::to_string(found->status));
  json.Key("received_at");
  write_string(json, store::format_utc(found->received_at));
  json.Key("filename");
  json.Null();  // pushes carry no file name; the body is known by its digest
  json.Key("bytes");
  json.Uint64(found->size);
  json.Key("sha256");
  write_string(json, found->sha256);
  json.Key("adapter");
  write_string(json, found->adapter);
  json.Key("records_accepted");
  json.Uint64(found->accepted);
  json.Key("records_rejected");
  json.Uint64(found->rejected);
  write_text_or_null(json, "reason", rejection_reason(found->receipt_json));
  json.Key("errors");
  json.StartArray();
  if (errors) {
    for (const auto& stored : *errors) {
      const std::string object = stored_error_json(stored);
      json.RawValue(object.data(), object.size(), rapidjson::kObjectType);
    }
  }
  json.EndArray();
  json.Key("next_errors");
  if (errors && errors->size() == kFirstErrors) {
    write_string(json, intake::errors_href(id) + "?after=" + std::to_string(errors->back().seq) +
                           "&limit=" + std::to_string(kFirstErrors));
  } else {
    json.Null();
  }
  json.EndObject();
  return json_ok(Status::ok, out, context.request);
}

Response submission_errors(const ConsoleView& view, const Context& context) {
  const auto found = view.store.find_submission(context.params.at("id"));
  if (!found) return no_such_submission(context);
  return errors_page(view.store, context, found->member);
}

// ---- the live transfer log ---------------------------------------------------------------------

std::string event_text(const store::TransferLogEntry& entry) {
  rapidjson::StringBuffer out;
  JsonWriter json(out);
  write_transfer(json, entry);
  return "id: " + std::to_string(entry.seq) + "\nevent: transfer\ndata: " +
         std::string(out.GetString(), out.GetSize()) + "\n\n";
}

EventStream transfer_stream(const ConsoleView& view, const Context& context) {
  // Where to start: ?after=, else the Last-Event-ID a reconnecting EventSource sends, else now.
  std::optional<std::string> after = query_param(context.query, "after");
  if (!after && !context.request["Last-Event-ID"].empty()) {
    after = std::string(context.request["Last-Event-ID"]);
  }
  std::int64_t last = 0;
  if (after) {
    const auto [end, ec] = std::from_chars(after->data(), after->data() + after->size(), last);
    if (ec != std::errc() || end != after->data() + after->size() || last < 0) {
      return {error_response(Status::bad_request, "bad_query",
                             "after must be the seq of the last entry seen", context.request),
              {}};
    }
  } else if (const auto head = view.store.last_transfer()) {
    last = head->seq;
  }

  // A stream opened in a console session ends with it (sign-out, expiry, account disabled).
  std::optional<std::string> token;
  if (context.caller.via_session) {
    token = auth::session_token(context.request[beast_http::field::cookie]);
  }
  struct Cursor {
    std::int64_t last;
    std::optional<std::string> token;
  };
  auto cursor = std::make_shared<Cursor>(Cursor{last, std::move(token)});
  store::Store& store = view.store;
  auth::BrowserSessions& sessions = view.sessions;

  Response head{Status::ok, context.request.version()};
  head.set(beast_http::field::server, "opcat-gateway");
  head.set(beast_http::field::content_type, "text/event-stream; charset=utf-8");
  head.set(beast_http::field::cache_control, "no-store");
  head.set("X-Content-Type-Options", "nosniff");
  head.set("X-Accel-Buffering", "no");  // a reverse proxy in front must not hold events back
  return {std::move(head),
          [&store, &sessions, cursor]() -> std::optional<std::string> {
            if (cursor->token) {
              const auto session = sessions.peek(*cursor->token);
              if (!session || !account_unchanged(store, *session)) return std::nullopt;
            }
            store::TransferQuery query;
            query.after_seq = cursor->last;
            query.limit = kStreamBatch;
            std::string events;
            for (const auto& entry : store.list_transfers(query)) {
              events += event_text(entry);
              cursor->last = entry.seq;
            }
            return events;
          },
          std::chrono::milliseconds(500)};
}

}  // namespace

void set_console_headers(Response& response) {
  // Everything the console needs comes from this origin; nothing else may run or frame it.
  response.set("Content-Security-Policy",
               "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  response.set("X-Frame-Options", "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.set("Cross-Origin-Opener-Policy", "same-origin");
}

void add_console_routes(Router& router, ConsoleView view_parts) {
  auto view = std::make_shared<const ConsoleView>(std::move(view_parts));
  router.add(Verb::get, "/", Access::anyone,
             [](const Context& c) { return get_asset(c, "/"); });
  router.add(Verb::get, "/console/{file}", Access::anyone,
             [](const Context& c) { return get_asset(c, c.path); });
  router.add(Verb::get, "/v1/overview", Access::identified,
             [view](const Context& c) { return overview(*view, c); });
  router.add(Verb::get, "/v1/stats/records-per-day", Access::identified,
             [view](const Context& c) { return records_per_day(*view, c); });
  router.add(Verb::get, "/v1/submissions/{id}", Access::identified,
             [view](const Context& c) { return submission(*view, c); });
  router.add(Verb::get, "/v1/submissions/{id}/errors", Access::identified,
             [view](const Context& c) { return submission_errors(*view, c); });
  router.add_stream(Verb::get, "/v1/transfers/stream", Access::identified,
                    [view](const Context& c) { return transfer_stream(*view, c); });
}

}  // namespace opcat::http
