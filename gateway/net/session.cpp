#include "gateway/net/session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <atomic>
#include <exception>

#include "gateway/http/json_response.hpp"
#include "gateway/log/log.hpp"

namespace opcat::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

namespace {

std::atomic<std::uint64_t> g_next_connection_id{1};

std::string endpoint_text(const asio::ip::tcp::socket& socket) {
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const auto address = endpoint.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

std::int64_t milliseconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

// Why a handshake failed, in words an operator can act on: the certificate verification result
// when there is one ("certificate has expired"), else OpenSSL's reason ("unsupported protocol").
std::string handshake_failure_reason(SSL* ssl, const beast::error_code& ec) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) return X509_verify_cert_error_string(verify);
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    if (reason != nullptr) return reason;
  }
  return ec.message();
}

// A peer that simply goes away is not worth a warning.
bool is_disconnect(const beast::error_code& ec) {
  return ec == beast_http::error::end_of_stream || ec == beast_http::error::partial_message ||
         ec == asio::error::eof ||
         ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe;
}

}  // namespace

Session::Session(asio::ip::tcp::socket&& socket, std::shared_ptr<ListenerState> listener)
    : listener_(std::move(listener)),
      settings_(listener_->settings),
      id_(g_next_connection_id.fetch_add(1)),
      peer_(endpoint_text(socket)),
      stream_(std::move(socket), *settings_.tls) {
  caller_.peer_address = peer_;
}

Session::~Session() { listener_->connections.remove(id_); }

std::string Session::caller_name() const {
  if (caller_.identity) return caller_.identity->code;
  return session_operator_.empty() ? std::string() : "console:" + session_operator_;
}

const char* Session::caller_field() const {
  // Log lines name the caller by its role: "member" on the member listener, "operator" on admin.
  return settings_.directory.kind() == identity::Identity::Kind::operator_ ? "operator" : "member";
}

void Session::run() {
  if (!listener_->connections.add(id_, weak_from_this())) {
    beast::error_code ignored;
    tcp().socket().close(ignored);  // accepted while the gateway began to drain
    return;
  }
  // Run on the session's strand (the socket was accepted on one) before touching the stream.
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->tcp().expires_after(self->settings_.timeouts.handshake);
    self->stream_.async_handshake(asio::ssl::stream_base::server,
                                  beast::bind_front_handler(&Session::on_handshake, self));
  });
}

void Session::drain() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->draining_ = true;
    // Waiting for a next request that may never come: stop waiting; on_request_bytes closes.
    if (self->phase_ == Phase::idle) self->tcp().cancel();
    // A stream never ends by itself: end it at its next tick, now.
    if (self->phase_ == Phase::streaming && self->events_timer_) self->events_timer_->cancel();
  });
}

void Session::on_handshake(beast::error_code ec) {
  if (ec) {
    const bool timed_out = ec == beast::error::timeout;
    if (timed_out) ++listener_->stats.timeouts;
    const std::string reason = timed_out ? std::string("handshake deadline passed")
                                         : handshake_failure_reason(stream_.native_handle(), ec);
    listener_->stats.count_tls_failure(reason);
    log::warn("tls_handshake_failed")
        .field("listener", settings_.name)
        .field("conn", id_)
        .field("peer", peer_)
        .field("reason", reason);
    return;  // the socket closes with the session
  }

  // Verified when there is one; only a listener serving the console lets a client present none.
  X509* certificate = SSL_get0_peer_certificate(stream_.native_handle());
  caller_.has_certificate = certificate != nullptr;
  if (!caller_.has_certificate) return await_request();
  caller_.certificate = identity::read_peer_certificate(certificate);
  caller_.identity = settings_.directory.find(caller_.certificate);
  if (!caller_.identity) {
    log::warn("unmapped_certificate")
        .field("listener", settings_.name)
        .field("conn", id_)
        .field("peer", peer_)
        .field("subject", caller_.certificate.subject)
        .field("sha256", caller_.certificate.sha256)
        .field("note", "valid certificate, but no party in the config matches it: requests get 403");
  }
  await_request();
}

void Session::await_request() {
  phase_ = Phase::idle;
  if (draining_) return close_tls();
  if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
  // Keep-alive: wait for the first byte of the next request, however long the idle limit allows;
  // the header deadline starts only once it arrives.
  tcp().expires_after(settings_.timeouts.idle);
  stream_.async_read_some(buffer_.prepare(4096),
                          beast::bind_front_handler(&Session::on_request_bytes, shared_from_this()));
}

void Session::on_request_bytes(beast::error_code ec, std::size_t bytes) {
  buffer_.commit(bytes);
  if (ec == asio::error::operation_aborted && draining_) return close_tls();
  if (ec) return on_read_error(ec, "idle");
  read_header();
}

void Session::read_header() {
  phase_ = Phase::request;
  request_started_ = clock::now();
  request_bytes_ = 0;
  parser_.reset();
  upload_parser_.reset();
  upload_.reset();
  header_parser_.emplace();
  header_parser_->header_limit(static_cast<std::uint32_t>(settings_.limits.header_limit));
  header_parser_->body_limit(settings_.limits.body_limit);
  const auto header_deadline = request_started_ + settings_.timeouts.request_header;
  const auto request_deadline = request_started_ + settings_.timeouts.request;
  tcp().expires_at(std::min(header_deadline, request_deadline));
  beast_http::async_read_header(stream_, buffer_, *header_parser_,
                                beast::bind_front_handler(&Session::on_header, shared_from_this()));
}

void Session::on_header(beast::error_code ec, std::size_t) {
  if (ec == beast_http::error::header_limit) {
    return reject(http::Status::request_header_fields_too_large, "header_too_large",
                  "the request line and headers exceed " +
                      std::to_string(settings_.limits.header_limit) + " bytes");
  }
  if (ec == beast_http::error::body_limit) {  // Content-Length alone is over the limit
    return reject(http::Status::payload_too_large, "body_too_large",
                  "the body exceeds the limit of " + std::to_string(settings_.limits.body_limit) +
                      " bytes");
  }
  if (ec) return on_read_error(ec, "request_header");

  const auto& header = header_parser_->get();
  request_method_ = std::string(header.method_string());
  request_path_ = std::string(header.target().substr(0, header.target().find('?')));
  log::debug("request_received")
      .field("listener", settings_.name)
      .field("conn", id_)
      .field("method", request_method_)
      .field("path", request_path_);

  http::Request head;
  head.base() = header;
  http::UploadRouting routing = settings_.router.route_upload(head, caller_);
  if (routing.kind == http::UploadRouting::Kind::refused) {
    // The body was not read, so the stream cannot frame another request: close after.
    routing.refusal.keep_alive(false);
    return respond(std::move(routing.refusal));
  }
  if (routing.kind == http::UploadRouting::Kind::accepted) {
    upload_header_ = std::move(head);
    return receive_upload(std::move(routing));
  }
  parser_.emplace(std::move(*header_parser_));
  header_parser_.reset();
  // A caller the listener does not know (a browser before or with its session cookie) sends
  // small JSON at most: it may not make the gateway hold a body of the members' size.
  if (!caller_.identity) {
    constexpr std::uint64_t kUnidentifiedBodyLimit = 64 * 1024;
    if (parser_->content_length().value_or(0) > kUnidentifiedBodyLimit) {
      return reject(http::Status::payload_too_large, "body_too_large",
                    "a request without a registered certificate may carry at most " +
                        std::to_string(kUnidentifiedBodyLimit) + " bytes");
    }
    parser_->body_limit(kUnidentifiedBodyLimit);
  }
  if (parser_->is_done()) return dispatch();
  read_body();
}

void Session::read_body() {
  // The whole request, body included, must arrive before the request deadline: a client that
  // trickles its body a byte at a time is cut off then.
  tcp().expires_at(request_started_ + settings_.timeouts.request);
  beast_http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&Session::on_body, shared_from_this()));
}

void Session::on_body(beast::error_code ec, std::size_t) {
  if (ec == beast_http::error::body_limit) {
    return reject(http::Status::payload_too_large, "body_too_large",
                  "the body exceeds the limit of " + std::to_string(settings_.limits.body_limit) +
                      " bytes");
  }
  if (ec) return on_read_error(ec, "request_body");
  dispatch();
}

void Session::dispatch() {
  http::Request request = parser_->release();
  request_bytes_ = request.body().size();
  ++listener_->stats.requests;
  const http::RouteKind kind = settings_.router.kind_of(request);
  if (kind == http::RouteKind::on_worker && settings_.work) return run_on_worker(std::move(request));
  // A handler that throws (the store failing) costs its request, never the I/O thread.
  try {
    if (kind == http::RouteKind::stream) {
      return start_stream(settings_.router.open_stream(request, caller_, &session_operator_));
    }
    respond(settings_.router.handle(request, caller_, &session_operator_));
  } catch (const std::exception& e) {
    log::error("handler_failed").field("conn", id_).field("reason", e.what());
    respond(http::error_response(http::Status::internal_server_error, "internal_error",
                                 "the gateway could not answer this request", request));
  }
}

void Session::run_on_worker(http::Request request) {
  phase_ = Phase::working;
  asio::post(settings_.work, [self = shared_from_this(), request = std::move(request)] {
    http::Response response;
    try {
      response = self->settings_.router.handle(request, self->caller_, &self->session_operator_);
    } catch (const std::exception& e) {
      log::error("handler_failed").field("conn", self->id_).field("reason", e.what());
      response = http::error_response(http::Status::internal_server_error, "internal_error",
                                      "the gateway could not answer this request", request);
    }
    asio::dispatch(self->stream_.get_executor(),
                   [self, response = std::move(response)]() mutable {
                     self->respond(std::move(response));
                   });
  });
}

// ---- server-sent events --------------------------------------------------------------------------

void Session::start_stream(http::EventStream events) {
  if (!events.poll) return respond(std::move(events.head));  // refused: an ordinary answer
  phase_ = Phase::streaming;
  events_.emplace(std::move(events));
  events_head_ = {};
  events_head_.base() = events_->head.base();
  // No length and no chunking: the stream's end is the connection's.
  events_head_.keep_alive(false);
  events_head_.erase(beast_http::field::content_length);
  events_serializer_.emplace(events_head_);
  events_timer_.emplace(stream_.get_executor());
  log::info("stream_opened")
      .field("listener", settings_.name)
      .field("conn", id_)
      .field("peer", peer_)
      .field(caller_field(), caller_name())
      .field("path", request_path_);
  tcp().expires_after(settings_.timeouts.write);
  beast_http::async_write_header(
      stream_, *events_serializer_,
      beast::bind_front_handler(&Session::on_stream_head, shared_from_this()));
}

void Session::on_stream_head(beast::error_code ec, std::size_t) {
  if (ec) return on_read_error(ec, "stream");
  events_last_write_ = clock::now();
  await_events();
}

void Session::await_events() {
  if (draining_) return close_tls();
  // Nothing is pending on the socket while the timer runs: no deadline for it to enforce.
  tcp().expires_never();
  events_timer_->expires_after(events_->interval);
  events_timer_->async_wait(beast::bind_front_handler(&Session::on_events_due, shared_from_this()));
}

void Session::on_events_due(beast::error_code ec) {
  if (draining_ || (ec && ec != asio::error::operation_aborted)) return close_tls();
  if (ec) return await_events();  // cancelled, not draining: carry on
  std::optional<std::string> next;
  try {
    next = events_->poll();
  } catch (const std::exception& e) {
    log::warn("stream_failed").field("conn", id_).field("reason", e.what());
    return close_tls();
  }
  if (!next) return close_tls();  // the source ended it (the caller's session ended)
  events_pending_ = std::move(*next);
  // A comment line now and then: proxies and browsers keep a quiet stream open, and a client
  // that has gone is noticed by the failed write.
  constexpr auto kHeartbeat = std::chrono::seconds(15);
  if (events_pending_.empty() && clock::now() - events_last_write_ >= kHeartbeat) {
    events_pending_ = ": keep-alive\n\n";
  }
  if (events_pending_.empty()) return await_events();
  tcp().expires_after(settings_.timeouts.write);
  asio::async_write(stream_, asio::buffer(events_pending_),
                    beast::bind_front_handler(&Session::on_events_written, shared_from_this()));
}

void Session::on_events_written(beast::error_code ec, std::size_t) {
  if (ec) return on_read_error(ec, "stream");
  events_last_write_ = clock::now();
  await_events();
}

void Session::receive_upload(http::UploadRouting upload) {
  if (!settings_.archive || !settings_.work) {
    return respond(http::error_response(http::Status::internal_server_error, "no_archive",
                                        "this listener cannot receive uploads", 11));
  }
  upload_ = std::move(upload);
  upload_received_at_ = std::chrono::system_clock::now();
  upload_parser_.emplace(std::move(*header_parser_));
  header_parser_.reset();
  try {
    upload_parser_->get().body().writer.emplace(settings_.archive->begin());
  } catch (const std::exception& e) {
    log::error("archive_failed").field("conn", id_).field("reason", e.what());
    auto response = http::error_response(http::Status::service_unavailable, "storage_unavailable",
                                         "the gateway cannot store the body now; retry later",
                                         upload_header_);
    response.keep_alive(false);
    return respond(std::move(response));
  }
  if (upload_parser_->is_done()) return process_upload();  // an empty body

  // A client that asked whether to send the body (curl does for large ones) learns now that the
  // header passed every check, instead of sending blind or waiting a second.
  if (beast::iequals(upload_header_[beast_http::field::expect], "100-continue")) {
    continue_ = {beast_http::status::continue_, upload_header_.version()};
    tcp().expires_after(settings_.timeouts.write);
    return beast_http::async_write(
        stream_, continue_,
        beast::bind_front_handler(&Session::on_continue_sent, shared_from_this()));
  }
  on_continue_sent({}, 0);
}

void Session::on_continue_sent(beast::error_code ec, std::size_t) {
  if (ec) return on_read_error(ec, "write");
  tcp().expires_at(request_started_ + settings_.timeouts.request);
  beast_http::async_read(stream_, buffer_, *upload_parser_,
                         beast::bind_front_handler(&Session::on_upload_body, shared_from_this()));
}

void Session::on_upload_body(beast::error_code ec, std::size_t) {
  // A body not received whole is never kept: its temp file goes now, before any answer.
  if (ec) upload_parser_->get().body().writer.reset();
  if (ec == beast_http::error::body_limit) {
    return reject(http::Status::payload_too_large, "body_too_large",
                  "the body exceeds the limit of " + std::to_string(settings_.limits.body_limit) +
                      " bytes");
  }
  if (ec && ec.category() == boost::system::generic_category()) {
    log::error("archive_failed").field("conn", id_).field("reason", ec.message());
    return reject(http::Status::service_unavailable, "storage_unavailable",
                  "the gateway could not store the body (" + ec.message() + "); retry later");
  }
  if (ec) return on_read_error(ec, "request_body");  // the temp file goes with the parser
  process_upload();
}

void Session::process_upload() {
  phase_ = Phase::working;
  ++listener_->stats.requests;
  ++listener_->stats.uploads;
  // Making the body durable (fsync) and handling it (an export normalised and committed) may
  // take seconds: that happens on the work executor, never on an I/O thread. The session keeps
  // itself alive meanwhile and answers on its own strand.
  asio::post(settings_.work, [self = shared_from_this()] {
    http::Response response;
    try {
      store::BodyWriter writer = std::move(*self->upload_parser_->get().body().writer);
      self->upload_parser_->get().body().writer.reset();
      const store::BodyDigest digest = writer.finish();
      self->request_bytes_ = digest.size;
      const http::ReceivedBody body{self->settings_.archive->path_of(digest.sha256), digest.sha256,
                                    digest.size, self->upload_received_at_};
      http::Context context{self->upload_header_, self->caller_, self->upload_->params,
                            self->request_path_, {}};
      const auto target = self->upload_header_.target();
      if (const auto question = target.find('?'); question != std::string_view::npos) {
        context.query = std::string_view(target).substr(question + 1);
      }
      response = (*self->upload_->receive)(context, body);
    } catch (const std::exception& e) {
      log::error("upload_failed")
          .field("listener", self->settings_.name)
          .field("conn", self->id_)
          .field("reason", e.what());
      response = http::error_response(http::Status::service_unavailable, "upload_failed",
                                      "the gateway could not process the upload; retry later",
                                      self->upload_header_);
    }
    asio::dispatch(self->stream_.get_executor(),
                   [self, response = std::move(response)]() mutable {
                     self->respond(std::move(response));
                   });
  });
}

void Session::reject(http::Status status, std::string_view code, std::string_view message) {
  // The stream is past a point where it can be trusted to frame another request: close after.
  if (request_method_.empty() && header_parser_) {
    request_method_ = std::string(header_parser_->get().method_string());
  }
  respond(http::error_response(status, code, message));
}

void Session::respond(http::Response response) {
  phase_ = Phase::responding;
  response_ = std::move(response);
  if (draining_) response_.keep_alive(false);
  tcp().expires_after(settings_.timeouts.write);
  beast_http::async_write(stream_, response_,
                          beast::bind_front_handler(&Session::on_write, shared_from_this()));
}

void Session::on_write(beast::error_code ec, std::size_t bytes) {
  listener_->stats.latency.record(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - request_started_).count());
  log::info("request")
      .field("listener", settings_.name)
      .field("conn", id_)
      .field("peer", peer_)
      .field(caller_field(), caller_name())
      .field("method", request_method_)
      .field("path", request_path_)
      .field("status", static_cast<unsigned>(response_.result_int()))
      .field("bytes_in", request_bytes_)
      .field("bytes_out", static_cast<std::uint64_t>(bytes))
      .field("duration_ms", milliseconds_since(request_started_));
  request_method_.clear();
  request_path_.clear();
  session_operator_.clear();
  if (ec) return on_read_error(ec, "write");
  if (!response_.keep_alive()) return close_tls();
  await_request();
}

void Session::close_tls() {
  phase_ = Phase::closing;
  // close_notify, then wait (briefly) for the peer's: without a deadline this waits forever.
  tcp().expires_after(settings_.timeouts.shutdown);
  stream_.async_shutdown(beast::bind_front_handler(&Session::on_tls_closed, shared_from_this()));
}

void Session::on_tls_closed(beast::error_code ec) {
  if (ec && !is_disconnect(ec) && ec != beast::error::timeout) {
    log::debug("tls_shutdown_failed").field("conn", id_).field("reason", ec.message());
  }
  beast::error_code ignored;
  tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  tcp().close();
}

void Session::on_read_error(beast::error_code ec, std::string_view phase) {
  if (ec == beast::error::timeout) {
    ++listener_->stats.timeouts;
    log::warn("deadline_passed")
        .field("listener", settings_.name)
        .field("conn", id_)
        .field("peer", peer_)
        .field(caller_field(), caller_name())
        .field("phase", phase);
    return;  // tcp_stream closed the socket when the deadline passed
  }
  if (ec == beast_http::error::end_of_stream || ec == asio::error::eof) {
    return close_tls();  // the peer is done: answer its close_notify with ours
  }
  if (is_disconnect(ec) || ec == asio::error::operation_aborted) return;
  if (ec.category() == beast_http::make_error_code(beast_http::error::bad_target).category()) {
    return reject(http::Status::bad_request, "malformed_request", ec.message());
  }
  log::warn("connection_error")
      .field("listener", settings_.name)
      .field("conn", id_)
      .field("peer", peer_)
      .field("phase", phase)
      .field("reason", ec.message());
}

}  // namespace opcat::net
