// One TLS connection on a listener: handshake, then requests one after another, each under its
// own deadlines, until the peer leaves, a deadline passes, or the gateway drains.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "gateway/http/message.hpp"
#include "gateway/http/router.hpp"
#include "gateway/net/archive_body.hpp"
#include "gateway/net/listener_state.hpp"

namespace opcat::net {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ListenerState> listener);
  ~Session();

  // Starts the handshake. The session keeps itself alive while it has work pending.
  void run();

  // Graceful shutdown: a request being received or answered is finished (its response says
  // "Connection: close"); a connection waiting for its next request is closed now.
  void drain();

 private:
  using clock = std::chrono::steady_clock;
  enum class Phase { handshake, idle, request, working, responding, streaming, closing };

  void on_handshake(boost::beast::error_code ec);
  void await_request();
  void on_request_bytes(boost::beast::error_code ec, std::size_t bytes);
  void read_header();
  void on_header(boost::beast::error_code ec, std::size_t bytes);
  void read_body();
  void on_body(boost::beast::error_code ec, std::size_t bytes);
  void dispatch();
  void receive_upload(http::UploadRouting upload);
  void on_continue_sent(boost::beast::error_code ec, std::size_t bytes);
  void on_upload_body(boost::beast::error_code ec, std::size_t bytes);
  void process_upload();
  void run_on_worker(http::Request request);
  void start_stream(http::EventStream events);
  void on_stream_head(boost::beast::error_code ec, std::size_t bytes);
  void await_events();
  void on_events_due(boost::beast::error_code ec);
  void on_events_written(boost::beast::error_code ec, std::size_t bytes);
  void reject(http::Status status, std::string_view code, std::string_view message);
  void respond(http::Response response);
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void close_tls();
  void on_tls_closed(boost::beast::error_code ec);
  void on_read_error(boost::beast::error_code ec, std::string_view phase);

  const char* caller_field() const;
  // Who the request is from, for log lines: the certificate's party, else the console account.
  std::string caller_name() const;
  boost::beast::tcp_stream& tcp() { return boost::beast::get_lowest_layer(stream_); }

  std::shared_ptr<ListenerState> listener_;
  const ListenerSettings& settings_;
  const std::uint64_t id_;
  std::string peer_;
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
  // Each request's header is read alone; the parser then becomes one that keeps the body in
  // memory (ordinary requests, small by the body limit) or one that streams it to disk (uploads).
  std::optional<boost::beast::http::request_parser<boost::beast::http::empty_body>> header_parser_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<boost::beast::http::request_parser<ArchiveBody>> upload_parser_;
  http::Request upload_header_;  // an upload's request line and headers, without the body
  std::optional<http::UploadRouting> upload_;
  std::chrono::system_clock::time_point upload_received_at_;
  boost::beast::http::response<boost::beast::http::empty_body> continue_;
  http::Caller caller_;
  http::Response response_;  // lives here while it is being written

  // A server-sent event stream, once the request asked for one: its head (no length: the
  // stream ends when the connection does), the source of its events, what is being written.
  std::optional<http::EventStream> events_;
  boost::beast::http::response<boost::beast::http::empty_body> events_head_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::empty_body>>
      events_serializer_;
  std::optional<boost::asio::steady_timer> events_timer_;
  std::string events_pending_;
  clock::time_point events_last_write_;

  Phase phase_ = Phase::handshake;
  bool draining_ = false;
  clock::time_point request_started_;
  std::string request_method_;
  std::string request_path_;
  std::uint64_t request_bytes_ = 0;
  std::string session_operator_;  // the console account this request acted as, if any
};

}  // namespace opcat::net
