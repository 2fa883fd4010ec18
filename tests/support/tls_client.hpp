// A small Beast/OpenSSL client for integration tests: every operation is bounded by a deadline,
// so a test can never hang on a server that misbehaves.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace opcat::testing {

using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Request = boost::beast::http::request<boost::beast::http::string_body>;

struct ClientOptions {
  std::filesystem::path ca;  // verifies the server
  std::optional<std::filesystem::path> certificate;
  std::optional<std::filesystem::path> private_key;
  int min_version = 0;  // TLS1_2_VERSION etc.; 0 = library default
  int max_version = 0;
  bool legacy = false;  // security level 0 and every cipher: lets the client offer TLS 1.0/1.1
  std::chrono::milliseconds timeout{10'000};  // per operation
};

class TlsClient {
 public:
  TlsClient(boost::asio::ip::tcp::endpoint server, ClientOptions options);

  // TCP connect and TLS handshake.
  boost::system::error_code connect();
  // Sends `request` and reads one response into `response`.
  boost::system::error_code exchange(Request request, Response& response);
  boost::system::error_code get(const std::string& target, Response& response);
  // Writes raw bytes on the TLS stream (partial requests, slow senders).
  boost::system::error_code write(std::string_view bytes);
  // Reads one response (after raw writes).
  boost::system::error_code read(Response& response);
  // Sends `bytes` one byte every `interval` while waiting for the server to answer or close;
  // returns how the wait ended (an error when the server cut the connection) and how long it took.
  boost::system::error_code trickle(std::string_view bytes, std::chrono::milliseconds interval,
                                    std::chrono::milliseconds& waited);

  // Sends close_notify and waits for the server's, as a well-behaved client does.
  boost::system::error_code close();

  // The reason of the last TLS failure in OpenSSL's words ("tlsv1 alert protocol version").
  std::string describe(const boost::system::error_code& ec) const;

 private:
  template <class Start>
  boost::system::error_code run(Start&& start);

  boost::asio::ip::tcp::endpoint server_;
  ClientOptions options_;
  boost::asio::io_context ioc_;
  boost::asio::ssl::context tls_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace opcat::testing
