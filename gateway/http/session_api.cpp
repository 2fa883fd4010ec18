#include "gateway/http/session_api.hpp"

#include <boost/beast/http/field.hpp>
#include <rapidjson/document.h>

#include <chrono>
#include <memory>
#include <semaphore>
#include <stdexcept>

#include "gateway/auth/password_hash.hpp"
#include "gateway/http/json_response.hpp"
#include "gateway/http/operator_json.hpp"
#include "gateway/log/log.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::http {
namespace {

constexpr std::size_t kMaxField = 1024;

std::optional<std::string> cookie_token(const Request& request) {
  return auth::session_token(request[beast_http::field::cookie]);
}

// The address without its port: throttling by "203.0.113.7", not by each connection.
std::string peer_host(const Caller& caller) {
  const std::string& peer = caller.peer_address;
  const auto colon = peer.rfind(':');
  return colon == std::string::npos ? peer : peer.substr(0, colon);
}

Response session_json(Status status, std::string_view name, std::string_view display_name,
                      config::Role role, std::string_view csrf,
                      std::optional<store::Clock::time_point> expires_at, const Request& request) {
  rapidjson::StringBuffer out;
  JsonWriter json(out);
  json.StartObject();
  json.Key("operator");
  write_string(json, name);
  json.Key("name");
  write_string(json, display_name);
  json.Key("role");
  json.String(config::to_string(role));
  json.Key("csrf");
  if (csrf.empty()) {
    json.Null();  // a certificate holder: no cookie, so nothing to forge
  } else {
    write_string(json, csrf);
  }
  json.Key("expires_at");
  write_time_or_null(json, expires_at);
  json.EndObject();
  return json_ok(status, out, request);
}

// Checking a password for a name that has no account costs the same as for one that has, so
// that the answer's timing does not tell which names exist.
bool verify_against_nothing(std::string_view password) {
  static const std::string decoy = auth::hash_password("no account has this password");
  auth::verify_password(password, decoy);
  return false;
}

Response sign_in(const ConsoleSignIn& in, const Context& context) {
  rapidjson::Document body;
  const std::string& text = context.request.body();
  if (body.Parse(text.data(), text.size()).HasParseError() || !body.IsObject()) {
    return error_response(Status::bad_request, "bad_request_body",
                          "the body must be a JSON object {\"name\": ..., \"password\": ...}",
                          context.request);
  }
  const auto field = [&](const char* key) -> std::optional<std::string> {
    const auto found = body.FindMember(key);
    if (found == body.MemberEnd() || !found->value.IsString() ||
        found->value.GetStringLength() == 0 || found->value.GetStringLength() > kMaxField) {
      return std::nullopt;
    }
    return std::string(found->value.GetString(), found->value.GetStringLength());
  };
  const auto name = field("name");
  const auto password = field("password");
  if (!name || !password) {
    return error_response(Status::bad_request, "bad_request_body",
                          "name and password must be non-empty strings", context.request);
  }

  const auto now = in.now();
  const std::string by_name = "name:" + *name;
  const std::string by_peer = "peer:" + peer_host(context.caller);
  const auto wait = std::max(in.throttle.wait(by_name, now), in.throttle.wait(by_peer, now));
  if (wait.count() > 0) {
    log::warn("console_login_throttled").field("name", *name).field("peer", context.caller.peer_address);
    Response refused = error_response(Status::too_many_requests, "too_many_attempts",
                                      "too many failed sign-ins; try again in " +
                                          std::to_string((wait.count() + 59) / 60) + " minutes",
                                      context.request);
    refused.set(beast_http::field::retry_after, std::to_string(wait.count()));
    return refused;
  }

  // Each check takes 64 MiB and a tenth of a second: a flood of sign-ins must not take every
  // worker (they also serve members' pushes) or the memory.
  static std::counting_semaphore<2> checks(2);
  if (!checks.try_acquire_for(std::chrono::seconds(5))) {
    Response busy = error_response(Status::service_unavailable, "busy",
                                   "too many sign-ins at once; try again", context.request);
    busy.set(beast_http::field::retry_after, "5");
    return busy;
  }
  struct Release {
    std::counting_semaphore<2>& semaphore;
    ~Release() { semaphore.release(); }
  } release{checks};
  const auto account = in.store.find_operator_account(*name);
  const bool usable = account && !account->disabled_at;
  const bool verified = usable ? auth::verify_password(*password, account->password_hash)
                               : verify_against_nothing(*password);
  if (!verified) {
    in.throttle.failed(by_name, now);
    in.throttle.failed(by_peer, now);
    log::warn("console_login_failed")
        .field("name", *name)
        .field("peer", context.caller.peer_address)
        .field("reason", !account ? "no such account" : usable ? "wrong password" : "disabled");
    return error_response(Status::unauthorized, "bad_credentials",
                          "the name or the password is wrong", context.request);
  }
  in.throttle.succeeded(by_name);
  const config::Role role = account_role(account->role);
  const auto started =
      in.sessions.start(account->name, account->display_name, role, account_version(*account));
  log::info("console_login")
      .field("operator", account->name)
      .field("role", config::to_string(role))
      .field("peer", context.caller.peer_address);
  Response response = session_json(Status::ok, account->name, account->display_name, role,
                                   started.session.csrf, started.session.expires_at,
                                   context.request);
  response.set(beast_http::field::set_cookie, in.sessions.cookie(started.token));
  return response;
}

Response who_is_signed_in(const ConsoleSignIn& in, const Context& context) {
  if (const auto& identity = context.caller.identity; identity && identity->role) {
    return session_json(Status::ok, identity->code, identity->name, *identity->role, {},
                        std::nullopt, context.request);
  }
  const auto token = cookie_token(context.request);
  if (token) {
    auto found = in.sessions.find(*token);
    if (found.session && !account_unchanged(in.store, *found.session)) {
      in.sessions.end(*token);
      found = {auth::BrowserSessions::State::expired, std::nullopt};
    }
    if (found.session) {
      const auto& s = *found.session;
      return session_json(Status::ok, s.operator_name, s.display_name, s.role, s.csrf,
                          s.expires_at, context.request);
    }
    if (found.state == auth::BrowserSessions::State::expired) {
      Response ended = error_response(Status::unauthorized, "session_expired",
                                      "the console session has ended; sign in again",
                                      context.request);
      ended.set(beast_http::field::set_cookie, auth::BrowserSessions::expired_cookie());
      return ended;
    }
  }
  return error_response(Status::unauthorized, "unauthenticated", "not signed in",
                        context.request);
}

Response sign_out(const ConsoleSignIn& in, const Context& context) {
  if (const auto token = cookie_token(context.request)) {
    const auto found = in.sessions.find(*token);
    if (found.session) {
      if (!same_secret(context.request["X-CSRF-Token"], found.session->csrf)) {
        return error_response(Status::forbidden, "csrf",
                              "signing out needs the session's X-CSRF-Token", context.request);
      }
      in.sessions.end(*token);
      log::info("console_logout").field("operator", found.session->operator_name);
    }
  }
  Response response{Status::no_content, context.request.version()};
  response.set(beast_http::field::server, "opcat-gateway");
  response.set(beast_http::field::cache_control, "no-store");
  response.set(beast_http::field::set_cookie, auth::BrowserSessions::expired_cookie());
  response.keep_alive(context.request.keep_alive());
  return response;
}

}  // namespace

std::string account_version(const store::OperatorAccount& account) {
  return account.role + '\n' + account.password_hash;
}

bool account_unchanged(store::Store& store, const auth::BrowserSession& session) {
  const auto account = store.find_operator_account(session.operator_name);
  return account && !account->disabled_at && account_version(*account) == session.account_version;
}

config::Role account_role(const std::string& text) {
  try {
    return config::parse_role(text);
  } catch (const std::invalid_argument&) {
    return config::Role::viewer;
  }
}

void add_session_routes(Router& router, ConsoleSignIn sign_in_parts) {
  auto in = std::make_shared<const ConsoleSignIn>(std::move(sign_in_parts));
  // The password hash takes a tenth of a second on purpose: not on an I/O thread.
  router.add(Verb::post, "/v1/session", Access::anyone,
             [in](const Context& c) { return sign_in(*in, c); }, Runs::on_worker);
  router.add(Verb::get, "/v1/session", Access::anyone,
             [in](const Context& c) { return who_is_signed_in(*in, c); });
  router.add(Verb::delete_, "/v1/session", Access::anyone,
             [in](const Context& c) { return sign_out(*in, c); });
}

SessionResolver session_resolver(auth::BrowserSessions& sessions, store::Store& store) {
  return [&sessions, &store](const Request& request) {
    SessionLookup lookup;
    const auto token = cookie_token(request);
    if (!token) return lookup;
    const auto found = sessions.find(*token);
    if (!found.session) {
      lookup.expired = found.state == auth::BrowserSessions::State::expired;
      return lookup;
    }
    if (!account_unchanged(store, *found.session)) {
      sessions.end(*token);  // disabled, reset or given another role since the sign-in
      lookup.expired = true;
      return lookup;
    }
    identity::Identity who;
    who.kind = identity::Identity::Kind::operator_;
    who.code = found.session->operator_name;
    who.name = found.session->display_name;
    who.role = found.session->role;
    lookup.identity = std::move(who);
    lookup.csrf = found.session->csrf;
    return lookup;
  };
}

}  // namespace opcat::http
