// A stand-in for the gateway's push API, for the agent's tests: real TLS with TestPki certificates
// (the client must present one), port 0 or a chosen port, its own thread. It answers POSTs from a
// script, one reply per request (a default 202 receipt once the script runs out), serves GETs from
// a table, and records every request it saw.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "adapters/core/sha256.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::testing {

struct ScriptedReply {
  enum class Kind {
    respond,  // read the whole request, answer it
    drop,     // read the request's headers, then cut the connection without an answer
    hang,     // read the whole request, never answer (until the server stops)
  };
  Kind kind = Kind::respond;
  unsigned status = 202;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static ScriptedReply respond(unsigned status, std::string body,
                               std::vector<std::pair<std::string, std::string>> headers = {});
  // 200, 202 or 422 with a receipt: Receipt-Signature is base64(signature), Location is set.
  static ScriptedReply receipt(unsigned status, std::string receipt_json, std::string signature);
  // {"error":{"code","message"}} with the status.
  static ScriptedReply error(unsigned status, std::string code, std::string message);
  static ScriptedReply drop();
  static ScriptedReply hang();
};

struct SeenRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string client_cn;                       // the client certificate's subject CN
  bool body_complete = false;                  // false when the script dropped it
  std::uint64_t body_size = 0;
  std::string body_sha256;  // lower-case hex

  std::string header(const std::string& lower_case_name) const;
};

class FakeGateway {
 public:
  // Serves `server` (a certificate and key) on 127.0.0.1:`port` (0: any free port), accepting
  // client certificates that chain to `client_ca`.
  FakeGateway(const IssuedCertificate& server, const std::filesystem::path& client_ca,
              unsigned short port = 0);
  ~FakeGateway();
  FakeGateway(const FakeGateway&) = delete;
  FakeGateway& operator=(const FakeGateway&) = delete;

  unsigned short port() const { return port_; }
  std::string url() const;  // https://127.0.0.1:<port>

  // The next POST gets this reply (replies are used in the order given).
  void script(ScriptedReply reply);
  // GET `target` (path and query, exactly) answers 200 with `body`; anything else 404.
  void serve_get(std::string target, std::string body);

  std::vector<SeenRequest> requests() const;
  std::size_t request_count() const;
  // Waits (bounded) until at least `count` requests have been seen, whole or in part.
  bool wait_for_requests(std::size_t count, std::chrono::milliseconds cap = std::chrono::seconds(10));

  // The default reply: a 202 receipt naming what was received; its signature is "sig:" + sha256.
  static std::string default_receipt(const SeenRequest& request, std::size_t number);

 private:
  class Session;
  void accept_next();
  ScriptedReply next_reply();
  void record(SeenRequest request);

  boost::asio::ssl::context tls_;  // outlives the loop, whose sessions use it
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable seen_changed_;
  std::deque<ScriptedReply> script_;
  std::map<std::string, std::string> gets_;
  std::vector<SeenRequest> seen_;

  std::thread thread_;
};

// Standard base64 with padding.
std::string base64(std::string_view bytes);
using adapters::sha256_hex;  // SHA-256 of bytes, lower-case hex

}  // namespace opcat::testing
