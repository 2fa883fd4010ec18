#include "gateway/http/router.hpp"

#include <boost/beast/http/field.hpp>

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
bool match(const std::vector<std::string>& pattern, const std::vector<std::string>& segments,
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

}  // namespace

void Router::add(Verb method, std::string pattern, Access access, Handler handler) {
  routes_.push_back({method, split_path(pattern), access, std::move(handler)});
}

Response Router::handle(const Request& request, const Caller& caller) const {
  // HEAD is GET without the body (RFC 9110 9.3.2): same status and headers, Content-Length kept.
  if (request.method() == Verb::head) {
    Request as_get = request;
    as_get.method(Verb::get);
    Response response = handle(as_get, caller);
    const auto length = response.body().size();
    response.body().clear();
    response.content_length(length);
    return response;
  }
  const std::string_view target = origin_form(request.target());
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  if (path.empty() || path.front() != '/') {
    return error_response(Status::bad_request, "bad_target", "the request target must be an absolute path",
                          request);
  }

  const auto segments = split_path(path);
  std::string allowed;
  Context context{request, caller, {}, path, query};
  for (const auto& route : routes_) {
    if (!match(route.segments, segments, context.params)) continue;
    if (route.method != request.method()) {
      if (!allowed.empty()) allowed += ", ";
      allowed += std::string(beast_http::to_string(route.method));
      continue;
    }
    if (route.access == Access::identified && !caller.identity) {
      return error_response(Status::forbidden, "unknown_certificate",
                            "the client certificate (" + caller.certificate.subject +
                                ") is valid but not registered for anyone on this listener",
                            request);
    }
    return route.handler(context);
  }
  if (!allowed.empty()) {
    auto response = error_response(Status::method_not_allowed, "method_not_allowed",
                                   "this resource does not support " +
                                       std::string(request.method_string()) +
                                       "; allowed: " + allowed,
                                   request);
    response.set(beast_http::field::allow, allowed);
    return response;
  }
  return error_response(Status::not_found, "not_found", "no such resource", request);
}

}  // namespace opcat::http
