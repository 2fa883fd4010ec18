#include "gateway/http/operators_api.hpp"

#include <boost/beast/http/field.hpp>
#include <rapidjson/document.h>

#include <memory>
#include <stdexcept>

#include "gateway/auth/password_hash.hpp"
#include "gateway/http/json_response.hpp"
#include "gateway/http/operator_json.hpp"
#include "gateway/log/log.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::http {
namespace {

constexpr std::size_t kMaxDisplayName = 200;

void write_account(JsonWriter& json, const store::OperatorAccount& account) {
  json.StartObject();
  json.Key("name");
  write_string(json, account.name);
  json.Key("display_name");
  write_string(json, account.display_name);
  json.Key("role");
  write_string(json, account.role);
  json.Key("created_at");
  write_string(json, store::format_utc(account.created_at));
  json.Key("created_by");
  write_string(json, account.created_by);
  json.Key("disabled_at");
  write_time_or_null(json, account.disabled_at);
  json.EndObject();
}

Response list_accounts(const ConsoleAccounts& accounts, const Context& context) {
  if (auto refusal = refuse_unless_admin(context)) return *refusal;
  rapidjson::StringBuffer out;
  JsonWriter json(out);
  json.StartObject();
  json.Key("operators");
  json.StartArray();
  for (const auto& account : accounts.store.list_operator_accounts()) write_account(json, account);
  json.EndArray();
  json.EndObject();
  return json_ok(Status::ok, out, context.request);
}

Response add_account(const ConsoleAccounts& accounts, const Context& context) {
  if (auto refusal = refuse_unless_admin(context)) return *refusal;
  rapidjson::Document body;
  const std::string& text = context.request.body();
  if (body.Parse(text.data(), text.size()).HasParseError() || !body.IsObject()) {
    return error_response(Status::bad_request, "bad_request_body",
                          "the body must be a JSON object", context.request);
  }
  std::map<std::string, std::string, std::less<>> fields;
  for (auto member = body.MemberBegin(); member != body.MemberEnd(); ++member) {
    const std::string key(member->name.GetString(), member->name.GetStringLength());
    if (key != "name" && key != "display_name" && key != "role" && key != "password") {
      return error_response(Status::bad_request, "bad_request_body",
                            "unknown key \"" + key + "\" (known: name, display_name, role, password)",
                            context.request);
    }
    if (!member->value.IsString()) {
      return error_response(Status::bad_request, "bad_request_body", key + " must be a string",
                            context.request);
    }
    fields[key] = std::string(member->value.GetString(), member->value.GetStringLength());
  }
  std::string problem;
  const auto account = new_account(fields["name"], fields["display_name"], fields["role"],
                                   fields["password"], who(context), accounts.now(), problem);
  if (!account) {
    return error_response(Status::unprocessable_entity, "bad_account", problem, context.request);
  }
  if (!accounts.store.create_operator_account(*account)) {
    return error_response(Status::conflict, "account_exists",
                          "an account named \"" + account->name + "\" exists (perhaps disabled)",
                          context.request);
  }
  log::info("operator_account_created")
      .field("name", account->name)
      .field("role", account->role)
      .field("by", who(context));
  rapidjson::StringBuffer out;
  JsonWriter json(out);
  write_account(json, *account);
  Response response = json_ok(Status::created, out, context.request);
  response.set(beast_http::field::location, "/v1/operators/" + account->name);
  return response;
}

Response disable_account(const ConsoleAccounts& accounts, const Context& context) {
  if (auto refusal = refuse_unless_admin(context)) return *refusal;
  const std::string& name = context.params.at("name");
  if (context.caller.via_session && name == context.caller.identity->code) {
    return error_response(Status::conflict, "own_account",
                          "an admin cannot disable the account they are signed in with",
                          context.request);
  }
  const auto before = accounts.store.find_operator_account(name);
  if (!before) {
    return error_response(Status::not_found, "not_found", "no such account", context.request);
  }
  if (!accounts.store.disable_operator_account(name, accounts.now())) {
    return error_response(Status::conflict, "already_disabled", "the account is already disabled",
                          context.request);
  }
  accounts.sessions.end_all(name);
  log::info("operator_account_disabled").field("name", name).field("by", who(context));
  const auto after = accounts.store.find_operator_account(name);
  rapidjson::StringBuffer out;
  JsonWriter json(out);
  write_account(json, after ? *after : *before);
  return json_ok(Status::ok, out, context.request);
}

}  // namespace

bool valid_account_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                       c == '_' || c == '-';
    if (!plain) return false;
  }
  return true;
}

std::optional<store::OperatorAccount> new_account(const std::string& name,
                                                  const std::string& display_name,
                                                  const std::string& role,
                                                  const std::string& password,
                                                  const std::string& created_by,
                                                  store::Clock::time_point now,
                                                  std::string& problem) {
  if (!valid_account_name(name)) {
    problem = "name must be 1 to 64 of a-z, 0-9, '.', '_' and '-'";
    return std::nullopt;
  }
  if (display_name.size() > kMaxDisplayName) {
    problem = "display_name must be at most 200 bytes";
    return std::nullopt;
  }
  try {
    config::parse_role(role);
  } catch (const std::invalid_argument& e) {
    problem = std::string("role: ") + e.what();
    return std::nullopt;
  }
  if (problem = auth::password_problem(password); !problem.empty()) return std::nullopt;
  store::OperatorAccount account;
  account.name = name;
  account.display_name = display_name.empty() ? name : display_name;
  account.role = role;
  account.password_hash = auth::hash_password(password);
  account.created_at = std::chrono::floor<std::chrono::milliseconds>(now);
  account.created_by = created_by;
  return account;
}

void add_operators_routes(Router& router, ConsoleAccounts accounts_parts) {
  auto accounts = std::make_shared<const ConsoleAccounts>(std::move(accounts_parts));
  router.add(Verb::get, "/v1/operators", Access::identified,
             [accounts](const Context& c) { return list_accounts(*accounts, c); });
  router.add(Verb::post, "/v1/operators", Access::identified,
             [accounts](const Context& c) { return add_account(*accounts, c); }, Runs::on_worker);
  router.add(Verb::delete_, "/v1/operators/{name}", Access::identified,
             [accounts](const Context& c) { return disable_account(*accounts, c); });
}

}  // namespace opcat::http
