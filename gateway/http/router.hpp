// Maps (method, path) to a handler. A handler is a pure function from a request and its caller
// to a response: it never sees a socket, so every route is unit-tested without a network.
#pragma once

#include <chrono>
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
  anyone,           // no certificate or session needed: the console's files and its login
  any_certificate,  // any client whose certificate the TLS layer verified (health probes)
  identified,       // a party the listener's directory knows, or a console session
};

// Where a route's handler runs: on the I/O thread, or on the work executor when it takes long
// (a login, whose password hash is slow on purpose).
enum class Runs { in_place, on_worker };

// A console caller as found from its request's session cookie (Router::set_session_resolver).
struct SessionLookup {
  std::optional<identity::Identity> identity;  // empty: no session (or an expired one)
  std::string csrf;                            // the token its state changes must carry
  bool expired = false;                        // a cookie for a session that has ended
};
using SessionResolver = std::function<SessionLookup(const Request&)>;

// A response that goes on: server-sent events (text/event-stream). The session writes `head`,
// then calls `poll` every `interval` and writes what it returns ("" when nothing is new) until
// it returns nullopt (the stream is over: the caller's session ended) or the client leaves.
// A `head` without `poll` is an ordinary response (a refusal).
struct EventStream {
  Response head;
  std::function<std::optional<std::string>()> poll;
  std::chrono::milliseconds interval{500};
};
using StreamHandler = std::function<EventStream(const Context&)>;

// A presented secret (a CSRF token) against the expected one, in constant time; false when the
// expected one is empty.
bool same_secret(std::string_view presented, std::string_view expected);

// What a request with its header read is for (Router::kind_of).
enum class RouteKind { in_place, on_worker, stream };

class Router {
 public:
  // `pattern` is an absolute path whose segments may be "{name}" placeholders
  // ("/v1/submissions/{id}"); a placeholder matches one non-empty segment.
  void add(Verb method, std::string pattern, Access access, Handler handler,
           Runs runs = Runs::in_place);
  void add_stream(Verb method, std::string pattern, Access access, StreamHandler handler);
  // Lets console sessions act as `identified` callers. With a resolver, a request changing
  // state from a session must carry its CSRF token in X-CSRF-Token.
  void set_session_resolver(SessionResolver resolver);
  // A route whose body is streamed to disk rather than held in memory (pushed exports).
  void add_upload(Verb method, std::string pattern, Access access, UploadCheck check,
                  UploadHandler receive);

  // For a request whose header alone has arrived. An upload is refused at once by 404/405/403
  // or by its route's check; so is any request with a body for a path that would be refused.
  UploadRouting route_upload(const Request& header, const Caller& caller) const;

  // Which of handle() and open_stream() answers the request, and on which thread.
  RouteKind kind_of(const Request& request) const;

  // 404 when no pattern matches the path, 405 (with Allow) when one matches but not for this
  // method; 401 when the route needs an identified caller and the request has neither a
  // certificate nor a live session, 403 when its certificate maps to no one; 403 for a change
  // from a session without its CSRF token, or from a page of another origin.
  // `session_operator`, when given, receives the console account the request acted as (empty
  // when it was not identified by a session), for the access log.
  Response handle(const Request& request, const Caller& caller,
                  std::string* session_operator = nullptr) const;
  // The same for a stream route; a refusal comes as a head without poll.
  EventStream open_stream(const Request& request, const Caller& caller,
                          std::string* session_operator = nullptr) const;

 private:
  struct Route {
    Verb method = Verb::get;
    std::vector<std::string> segments;
    Access access = Access::identified;
    Runs runs = Runs::in_place;
    Handler handler;         // empty for an upload or a stream route
    StreamHandler stream;    // stream routes only
    UploadCheck check;       // upload routes only
    UploadHandler receive;   // upload routes only
  };
  struct Match {
    const Route* route = nullptr;       // null: answer with `refusal`
    std::optional<Response> refusal;    // 400/403/404/405
    std::map<std::string, std::string, std::less<>> params;
    std::string_view path, query;
    std::optional<Caller> as_session;  // the caller, identified by its console session
  };
  static Route make_route(Verb method, const std::string& pattern, Access access);
  Match match(const Request& request, const Caller& caller) const;
  std::optional<Response> refuse_caller(const Route& route, const Request& request,
                                        const Caller& caller, Match& result) const;
  std::vector<Route> routes_;
  SessionResolver sessions_;
};

}  // namespace opcat::http
