// Maps (method, path) to a handler. A handler is a pure function from a request and its caller
// to a response: it never sees a socket, so every route is unit-tested without a network.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gateway/http/message.hpp"

namespace opcat::http {

using Handler = std::function<Response(const Context&)>;

// An upload route's two halves. `check` runs as soon as the header has arrived, on the I/O
// thread, and may refuse the request (415, 400...) before a byte of a large body is read;
// `receive` runs once the body is on disk, on a worker thread, because it may take long
// (normalising an export and committing it). Both are pure functions of their arguments.
using UploadCheck = std::function<std::optional<Response>(const Context&)>;
using UploadHandler = std::function<Response(const Context&, const ReceivedBody&)>;

// What to do with a request whose header alone has arrived.
struct UploadRouting {
  enum class Kind {
    ordinary,  // not for an upload route: read the body into memory and call handle()
    refused,   // answer `refusal` at once, without reading the body
    accepted,  // stream the body to disk, then call `receive` with `params`
  };
  Kind kind = Kind::ordinary;
  Response refusal;
  const UploadHandler* receive = nullptr;
  std::map<std::string, std::string, std::less<>> params;
};

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
  // A route whose body is streamed to disk rather than held in memory (pushed exports).
  void add_upload(Verb method, std::string pattern, Access access, UploadCheck check,
                  UploadHandler receive);

  // For a request whose header alone has arrived. An upload is refused at once by 404/405/403
  // or by its route's check; so is any request with a body for a path that would be refused.
  UploadRouting route_upload(const Request& header, const Caller& caller) const;

  // 404 when no pattern matches the path, 405 (with Allow) when one matches but not for this
  // method, 403 when the route needs an identified caller and there is none.
  Response handle(const Request& request, const Caller& caller) const;

 private:
  struct Route {
    Verb method;
    std::vector<std::string> segments;
    Access access;
    Handler handler;         // empty for an upload route
    UploadCheck check;       // upload routes only
    UploadHandler receive;   // upload routes only
  };
  struct Match {
    const Route* route = nullptr;       // null: answer with `refusal`
    std::optional<Response> refusal;    // 400/403/404/405
    std::map<std::string, std::string, std::less<>> params;
    std::string_view path, query;
  };
  Match match(const Request& request, const Caller& caller) const;
  std::vector<Route> routes_;
};

}  // namespace opcat::http
