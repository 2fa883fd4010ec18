// The push agent's HTTPS client: one mutual-TLS connection per exchange, every step under a
// deadline, a file sent as the body straight from disk. The interface is synchronous (the agent
// does one thing at a time); underneath, each exchange runs Beast's asynchronous operations on its
// own io_context, because that is what gives tcp_stream its timeouts and lets a stop request
// abandon an exchange in the middle.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "gateway/push/gateway_url.hpp"

namespace boost::asio::ssl {
class context;
}

namespace opcat::push {

struct ClientSettings {
  GatewayUrl gateway;
  std::filesystem::path certificate;  // the member's certificate chain (PEM); empty: none sent
  std::filesystem::path private_key;  // its private key (PEM)
  std::filesystem::path ca;           // the CA bundle the gateway's certificate must chain to
  std::chrono::milliseconds connect_timeout{30'000};  // name lookup, TCP connect, TLS handshake
  // Sending: the longest the body may make no progress. Receiving: the longest wait for the whole
  // answer once the body is sent (the gateway reads the export through before it answers).
  std::chrono::milliseconds request_timeout{300'000};
  std::uint64_t response_body_limit = 64ull * 1024 * 1024;
};

using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Where an exchange that produced no response broke off.
enum class FailureStage { resolve, connect, tls_handshake, send, receive, local_file, stopped };
std::string_view to_string(FailureStage stage);

struct TransportFailure {
  FailureStage stage = FailureStage::connect;
  // In OpenSSL's or the system's words, with the cause when one is known:
  // "certificate verify failed: unable to get local issuer certificate", "Connection refused".
  std::string reason;
};

// What an exchange gave: the gateway's answer, or why there is none.
using Exchange = std::variant<HttpResponse, TransportFailure>;

// The member's certificate, key or CA bundle cannot be used; retrying will not help.
class ClientSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HttpsClient {
 public:
  // Loads the certificate, key and CA bundle once; throws ClientSetupError.
  explicit HttpsClient(ClientSettings settings);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // POST `file` to the API path as the body, read from disk as it is sent (never whole in
  // memory); Content-Length is the file's size. A stop request abandons the exchange at once.
  Exchange post_file(std::string_view api_path, const std::filesystem::path& file,
                     const HeaderList& headers, std::stop_token stop = {}) const;

  // POST a small body held in memory (a JSON notification) to the API path.
  Exchange post_text(std::string_view api_path, std::string body, std::string_view content_type,
                     std::stop_token stop = {}) const;

  // GET an href the gateway gave (an API path, or a full URL on the same gateway).
  Exchange get(std::string_view href, std::stop_token stop = {}) const;

  const ClientSettings& settings() const { return settings_; }

 private:
  ClientSettings settings_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
};

}  // namespace opcat::push
