#include "gateway/http/router.hpp"

#include <boost/beast/http/field.hpp>
#include <openssl/crypto.h>

#include "gateway/http/json_response.hpp"

namespace opcat::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    segments.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool is_placeholder(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Fills `params` and answers true when `segments` fit `pattern`.
bool fits(const std::vector<std::string>& pattern, const std::vector<std::string>& segments,
           std::map<std::string, std::string, std::less<>>& params) {
  if (pattern.size() != segments.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_placeholder(pattern[i])) {
      if (segments[i].empty()) return false;
      params[pattern[i].substr(1, pattern[i].size() - 2)] = segments[i];
    } else if (pattern[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

// RFC 9112 3.2.2: a server accepts the absolute form ("https://host/path") as well as the origin
// form; only the path and query matter here.
std::string_view origin_form(std::string_view target) {
  const std::size_t scheme = target.find("://");
  if (scheme == std::string_view::npos || target.front() == '/') return target;
  const std::size_t path = target.find('/', scheme + 3);
  return path == std::string_view::npos ? std::string_view("/") : target.substr(path);
}

bool changes_state(Verb method) {
  return method != Verb::get && method != Verb::head && method != Verb::options;
}

// Browsers name the origin of the page that sent a request; a change must come from one of this
// listener's own pages. Clients that are not browsers (curl, the push agent) send no Origin.
bool from_another_origin(const Request& request) {
  // Fetch metadata, where the browser sends it, says the same more directly.
  const auto site = request["Sec-Fetch-Site"];
  if (!site.empty() && site != "same-origin") return true;
  const auto origin = request[beast_http::field::origin];
  if (origin.empty()) return false;
  const auto host = request[beast_http::field::host];
  return host.empty() || origin != "https://" + std::string(host);
}

}  // namespace

bool same_secret(std::string_view presented, std::string_view expected) {
  return !expected.empty() && presented.size() == expected.size() &&
         CRYPTO_memcmp(presented.data(), expected.data(), expected.size()) == 0;
}

Router::Route Router::make_route(Verb method, const std::string& pattern, Access access) {
  Route route;
  route.method = method;
  route.segments = split_path(pattern);
  route.access = access;
  return route;
}

void Router::add(Verb method, std::string pattern, Access access, Handler handler, Runs runs) {
  Route route = make_route(method, pattern, access);
  route.runs = runs;
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

void Router::add_stream(Verb method, std::string pattern, Access access, StreamHandler handler) {
  Route route = make_route(method, pattern, access);
  route.stream = std::move(handler);
  routes_.push_back(std::move(route));
}

void Router::add_upload(Verb method, std::string pattern, Access access, UploadCheck check,
                        UploadHandler receive) {
  Route route = make_route(method, pattern, access);
  route.check = std::move(check);
  route.receive = std::move(receive);
  routes_.push_back(std::move(route));
}

void Router::set_session_resolver(SessionResolver resolver) { sessions_ = std::move(resolver); }

RouteKind Router::kind_of(const Request& request) const {
  const std::string_view target = origin_form(request.target());
  const std::string_view path = target.substr(0, target.find('?'));
  if (path.empty() || path.front() != '/') return RouteKind::in_place;
  const auto segments = split_path(path);
  std::map<std::string, std::string, std::less<>> ignored;
  for (const auto& route : routes_) {
    if (route.method != request.method() || !fits(route.segments, segments, ignored)) continue;
    if (route.stream) return RouteKind::stream;
    return route.runs == Runs::on_worker ? RouteKind::on_worker : RouteKind::in_place;
  }
  return RouteKind::in_place;
}

std::optional<Response> Router::refuse_caller(const Route& route, const Request& request,
                                              const Caller& caller, Match& result) const {
  if (changes_state(request.method()) && from_another_origin(request)) {
    return error_response(Status::forbidden, "cross_origin",
                          "a change must come from this gateway's own pages (Origin: " +
                              std::string(request[beast_http::field::origin]) + ")",
                          request);
  }
  if (route.access == Access::anyone) return std::nullopt;
  if (route.access == Access::any_certificate) {
    if (caller.has_certificate) return std::nullopt;
    return error_response(Status::unauthorized, "unauthenticated",
                          "this needs a client certificate", request);
  }
  if (caller.identity) return std::nullopt;
  if (sessions_) {
    SessionLookup session = sessions_(request);
    if (session.identity) {
      // The cookie goes with every request the browser makes to this origin, whoever's page
      // asked; only the console's own script knows the token (SameSite=Strict is the other wall).
      if (changes_state(request.method()) &&
          !same_secret(request["X-CSRF-Token"], session.csrf)) {
        return error_response(Status::forbidden, "csrf",
                              "a change from a console session must carry its X-CSRF-Token",
                              request);
      }
      result.as_session = caller;
      result.as_session->identity = std::move(session.identity);
      result.as_session->via_session = true;
      return std::nullopt;
    }
    if (session.expired) {
      return error_response(Status::unauthorized, "session_expired",
                            "the console session has ended; sign in again", request);
    }
  }
  if (!caller.has_certificate) {
    return error_response(Status::unauthorized, "unauthenticated",
                          "sign in to the console, or present an operator's client certificate",
                          request);
  }
  return error_response(Status::forbidden, "unknown_certificate",
                        "the client certificate (" + caller.certificate.subject +
                            ") is valid but not registered for anyone on this listener",
                        request);
}

Router::Match Router::match(const Request& request, const Caller& caller) const {
  Match result;
  const std::string_view target = origin_form(request.target());
  const std::size_t question = target.find('?');
  result.path = target.substr(0, question);
  result.query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  if (result.path.empty() || result.path.front() != '/') {
    result.refusal = error_response(Status::bad_request, "bad_target",
                                    "the request target must be an absolute path", request);
    return result;
  }

  const auto segments = split_path(result.path);
  std::string allowed;
  for (const auto& route : routes_) {
    if (!fits(route.segments, segments, result.params)) continue;
    if (route.method != request.method()) {
      if (!allowed.empty()) allowed += ", ";
      allowed += std::string(beast_http::to_string(route.method));
      continue;
    }
    if (auto refusal = refuse_caller(route, request, caller, result)) {
      result.refusal = std::move(refusal);
      return result;
    }
    result.route = &route;
    return result;
  }
  result.params.clear();
  if (!allowed.empty()) {
    auto response = error_response(Status::method_not_allowed, "method_not_allowed",
                                   "this resource does not support " +
                                       std::string(request.method_string()) +
                                       "; allowed: " + allowed,
                                   request);
    response.set(beast_http::field::allow, allowed);
    result.refusal = std::move(response);
  } else {
    result.refusal = error_response(Status::not_found, "not_found", "no such resource", request);
  }
  return result;
}

Response Router::handle(const Request& request, const Caller& caller,
                        std::string* session_operator) const {
  // HEAD is GET without the body (RFC 9110 9.3.2): same status and headers, Content-Length kept.
  if (request.method() == Verb::head) {
    Request as_get = request;
    as_get.method(Verb::get);
    Response response = handle(as_get, caller, session_operator);
    const auto length = response.body().size();
    response.body().clear();
    response.content_length(length);
    return response;
  }
  Match found = match(request, caller);
  if (!found.route) return std::move(*found.refusal);
  const Caller& who = found.as_session ? *found.as_session : caller;
  if (session_operator && found.as_session) *session_operator = who.identity->code;
  Context context{request, who, std::move(found.params), found.path, found.query};
  if (found.route->stream) return found.route->stream(context).head;  // HEAD of a stream
  if (!found.route->handler) {
    // An upload route reached with its body in memory: the session routes uploads before
    // reading bodies, so only a caller that bypasses it (a test) gets here.
    return error_response(Status::internal_server_error, "not_streamed",
                          "this resource takes its body as a stream", request);
  }
  return found.route->handler(context);
}

EventStream Router::open_stream(const Request& request, const Caller& caller,
                                std::string* session_operator) const {
  Match found = match(request, caller);
  if (!found.route) return {std::move(*found.refusal), {}};
  if (!found.route->stream) return {handle(request, caller, session_operator), {}};
  const Caller& who = found.as_session ? *found.as_session : caller;
  if (session_operator && found.as_session) *session_operator = who.identity->code;
  Context context{request, who, std::move(found.params), found.path, found.query};
  return found.route->stream(context);
}

UploadRouting Router::route_upload(const Request& header, const Caller& caller) const {
  UploadRouting routing;
  Match found = match(header, caller);
  if (found.route && !found.route->receive) return routing;  // an ordinary route
  if (!found.route) {
    // Unknown path or refused caller: an ordinary request gets the same answer after its body,
    // so only one with a body (possibly upload-sized) is worth refusing early.
    if (!header.has_content_length() && !header.chunked()) return routing;
    routing.kind = UploadRouting::Kind::refused;
    routing.refusal = std::move(*found.refusal);
    return routing;
  }
  // Uploads are members' pushes, made with certificates: a console session never uploads.
  if (found.as_session) {
    routing.kind = UploadRouting::Kind::refused;
    routing.refusal = error_response(Status::forbidden, "certificate_required",
                                     "an upload needs a registered client certificate", header);
    return routing;
  }
  Context context{header, caller, found.params, found.path, found.query};
  if (auto refusal = found.route->check(context)) {
    routing.kind = UploadRouting::Kind::refused;
    routing.refusal = std::move(*refusal);
    return routing;
  }
  routing.kind = UploadRouting::Kind::accepted;
  routing.receive = &found.route->receive;
  routing.params = std::move(found.params);
  return routing;
}

}  // namespace opcat::http
