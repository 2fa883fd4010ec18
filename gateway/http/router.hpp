// Maps (method, path) to a handler. A handler is a pure function from a request and its caller
// to a response: it never sees a socket, so every route is unit-tested without a network.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gateway/http/message.hpp"

namespace opcat::http {

using Handler = std::function<Response(const Context&)>;

// Who may call a route.
enum class Access {
  any_certificate,  // any client whose certificate the TLS layer verified (health probes)
  identified,       // only a party the listener's directory knows (everything else)
};

class Router {
 public:
  // `pattern` is an absolute path whose segments may be "{name}" placeholders
  // ("/v1/submissions/{id}"); a placeholder matches one non-empty segment.
  void add(Verb method, std::string pattern, Access access, Handler handler);

  // 404 when no pattern matches the path, 405 (with Allow) when one matches but not for this
  // method, 403 when the route needs an identified caller and there is none.
  Response handle(const Request& request, const Caller& caller) const;

 private:
  struct Route {
    Verb method;
    std::vector<std::string> segments;
    Access access;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace opcat::http
