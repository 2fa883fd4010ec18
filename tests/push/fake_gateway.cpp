#include "tests/push/fake_gateway.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>

#include "adapters/core/sha256.hpp"

namespace opcat::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string peer_cn(SSL* session) {
  X509* certificate = SSL_get1_peer_certificate(session);
  if (certificate == nullptr) return {};
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, cn, sizeof cn);
  X509_free(certificate);
  return cn;
}

}  // namespace

std::string base64(std::string_view bytes) {
  std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  text.resize(static_cast<std::size_t>(n));
  return text;
}

ScriptedReply ScriptedReply::respond(unsigned status, std::string body,
                                     std::vector<std::pair<std::string, std::string>> headers) {
  ScriptedReply reply;
  reply.status = status;
  reply.body = std::move(body);
  reply.headers = std::move(headers);
  return reply;
}

ScriptedReply ScriptedReply::receipt(unsigned status, std::string receipt_json,
                                     std::string signature) {
  return respond(status, std::move(receipt_json),
                 {{"Content-Type", "application/json"},
                  {"Receipt-Signature", base64(signature)},
                  {"Location", "/v1/submissions/sub-scripted"}});
}

ScriptedReply ScriptedReply::error(unsigned status, std::string code, std::string message) {
  return respond(status,
                 R"({"error":{"code":")" + code + R"(","message":")" + message + R"("}})",
                 {{"Content-Type", "application/json"}});
}

ScriptedReply ScriptedReply::drop() {
  ScriptedReply reply;
  reply.kind = Kind::drop;
  return reply;
}

ScriptedReply ScriptedReply::hang() {
  ScriptedReply reply;
  reply.kind = Kind::hang;
  return reply;
}

std::string SeenRequest::header(const std::string& lower_case_name) const {
  const auto found = headers.find(lower_case_name);
  return found == headers.end() ? std::string() : found->second;
}

std::string FakeGateway::default_receipt(const SeenRequest& request, std::size_t number) {
  return R"({"submission_id":"sub-)" + std::to_string(number) + R"(","member":")" +
         request.client_cn + R"(","sha256":")" + request.body_sha256 + R"(","size":)" +
         std::to_string(request.body_size) +
         R"(,"received_at":"2026-01-01T00:00:00Z","status":"complete","records":{"accepted":1,"rejected":0},"errors":{"total":0,"first":[]}})";
}

// One connection, handled as a coroutine on the server's loop.
class FakeGateway::Session {
 public:
  static asio::awaitable<void> run(FakeGateway& gateway, tcp::socket socket) {
    try {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), gateway.tls_);
      beast::get_lowest_layer(stream).expires_after(30s);
      co_await stream.async_handshake(ssl::stream_base::server, asio::use_awaitable);

      beast::flat_buffer buffer;
      http::request_parser<http::string_body> parser;
      parser.body_limit(512ull * 1024 * 1024);
      co_await http::async_read_header(stream, buffer, parser, asio::use_awaitable);

      SeenRequest seen;
      seen.method = std::string(parser.get().method_string());
      seen.target = std::string(parser.get().target());
      for (const auto& field : parser.get()) {
        seen.headers[lower(field.name_string())] = std::string(field.value());
      }
      seen.client_cn = peer_cn(stream.native_handle());

      http::response<http::string_body> response;
      if (seen.method == "GET") {
        gateway.record(seen);
        std::lock_guard lock(gateway.mutex_);
        const auto found = gateway.gets_.find(seen.target);
        response.result(found == gateway.gets_.end() ? 404 : 200);
        response.body() = found == gateway.gets_.end() ? R"({"error":{"code":"not_found","message":"no such page"}})"
                                                       : found->second;
      } else {
        const ScriptedReply reply = gateway.next_reply();
        if (reply.kind == ScriptedReply::Kind::drop) {
          gateway.record(seen);
          beast::get_lowest_layer(stream).socket().close();
          co_return;
        }
        co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
        seen.body_complete = true;
        seen.body_size = parser.get().body().size();
        seen.body_sha256 = sha256_hex(parser.get().body());
        if (reply.kind == ScriptedReply::Kind::hang) {
          gateway.record(seen);
          beast::get_lowest_layer(stream).expires_never();
          asio::steady_timer forever(co_await asio::this_coro::executor, std::chrono::hours(24));
          co_await forever.async_wait(asio::use_awaitable);
          co_return;
        }
        response.result(reply.status);
        if (reply.body.empty() && (reply.status == 202 || reply.status == 200)) {
          const std::size_t number = gateway.request_count() + 1;
          response.body() = default_receipt(seen, number);
          response.set("Receipt-Signature", base64("sig:" + seen.body_sha256));
          response.set("Location", "/v1/submissions/sub-" + std::to_string(number));
        } else {
          response.body() = reply.body;
        }
        for (const auto& [name, value] : reply.headers) response.set(name, value);
        gateway.record(seen);
      }
      response.version(11);
      response.set(http::field::connection, "close");
      response.prepare_payload();
      co_await http::async_write(stream, response, asio::use_awaitable);
      beast::get_lowest_layer(stream).expires_after(2s);
      co_await stream.async_shutdown(asio::use_awaitable);
    } catch (const std::exception&) {
      // A client that went away or failed the handshake: nothing to answer.
    }
  }
};

FakeGateway::FakeGateway(const IssuedCertificate& server, const std::filesystem::path& client_ca,
                         unsigned short port)
    : tls_(ssl::context::tls_server), acceptor_(ioc_) {
  tls_.use_certificate_chain_file(server.certificate.string());
  tls_.use_private_key_file(server.private_key.string(), ssl::context::pem);
  tls_.load_verify_file(client_ca.string());
  tls_.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);

  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  accept_next();
  thread_ = std::thread([this] { ioc_.run(); });
}

FakeGateway::~FakeGateway() {
  ioc_.stop();
  thread_.join();
}

std::string FakeGateway::url() const { return "https://127.0.0.1:" + std::to_string(port_); }

void FakeGateway::accept_next() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) return;
    asio::co_spawn(ioc_, Session::run(*this, std::move(socket)), asio::detached);
    accept_next();
  });
}

void FakeGateway::script(ScriptedReply reply) {
  std::lock_guard lock(mutex_);
  script_.push_back(std::move(reply));
}

void FakeGateway::serve_get(std::string target, std::string body) {
  std::lock_guard lock(mutex_);
  gets_[std::move(target)] = std::move(body);
}

ScriptedReply FakeGateway::next_reply() {
  std::lock_guard lock(mutex_);
  if (script_.empty()) return ScriptedReply{};
  ScriptedReply reply = std::move(script_.front());
  script_.pop_front();
  return reply;
}

void FakeGateway::record(SeenRequest request) {
  {
    std::lock_guard lock(mutex_);
    seen_.push_back(std::move(request));
  }
  seen_changed_.notify_all();
}

std::vector<SeenRequest> FakeGateway::requests() const {
  std::lock_guard lock(mutex_);
  return seen_;
}

std::size_t FakeGateway::request_count() const {
  std::lock_guard lock(mutex_);
  return seen_.size();
}

bool FakeGateway::wait_for_requests(std::size_t count, std::chrono::milliseconds cap) {
  std::unique_lock lock(mutex_);
  return seen_changed_.wait_for(lock, cap, [&] { return seen_.size() >= count; });
}

}  // namespace opcat::testing
