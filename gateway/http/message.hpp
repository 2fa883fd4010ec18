// The HTTP vocabulary shared by the router and the handlers: no sockets in here.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/identity/directory.hpp"
#include "gateway/identity/peer_certificate.hpp"

namespace opcat::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using Status = beast_http::status;
using Verb = beast_http::verb;

// Who sent a request, as established by the TLS layer before any byte of HTTP was read.
struct Caller {
  // Always present on the member listener, whose handshake requires one; on the admin listener
  // with the console on, a browser may have presented none.
  bool has_certificate = true;
  identity::PeerCertificate certificate;       // empty without one
  std::optional<identity::Identity> identity;  // empty when the certificate maps to no party
  std::string peer_address;                    // "203.0.113.7:50412"
  // The router identified the caller by its console session (cookie), not by its certificate.
  bool via_session = false;
};

// Everything a handler may look at.
struct Context {
  const Request& request;
  const Caller& caller;
  std::map<std::string, std::string, std::less<>> params;  // from "{name}" path segments
  std::string_view path;                                   // target without the query
  std::string_view query;                                  // after '?', possibly empty
};

// A request body that was streamed to disk instead of memory (an upload route's body): the
// handler reads it from `path`, which the TLS layer made durable under its content address.
struct ReceivedBody {
  std::filesystem::path path;
  std::string sha256;  // lowercase hex of the bytes as received
  std::uint64_t size = 0;
  std::chrono::system_clock::time_point received_at;  // when the request header arrived
};

}  // namespace opcat::http
