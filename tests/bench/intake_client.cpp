// push-file: one export pushed from disk, timed in three parts (connect, upload, the gateway's
// work until the receipt).
#include "tests/bench/intake_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <cstdio>
#include <exception>
#include <optional>

#include "gateway/push/receipt.hpp"
#include "tests/bench/intake_tls.hpp"

namespace opcat::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

struct FileOutcome {
  std::optional<http::response<http::string_body>> response;
  std::string failure;  // what broke, when there is no response
  double connect_s = 0;
  double sent_s = 0;      // first byte of the request -> last byte of the body written
  double answered_s = 0;  // first byte of the request -> the whole answer read
};

asio::awaitable<void> push_one(const PushFileOptions& options, asio::ssl::context& tls,
                               FileOutcome& outcome) {
  const auto timeout = std::chrono::milliseconds(static_cast<long long>(options.timeout_s * 1000));
  TlsStream stream(co_await asio::this_coro::executor, tls);
  const auto started = BenchClock::now();
  const auto since = [](BenchClock::time_point from) {
    return std::chrono::duration<double>(BenchClock::now() - from).count();
  };
  try {
    co_await open_connection(stream, options.gateway, timeout);
  } catch (const std::exception& e) {
    outcome.failure = std::string("connect: ") + e.what();
    co_return;
  }
  outcome.connect_s = since(started);

  http::request<http::file_body> request{http::verb::post,
                                         options.gateway.target("/v1/submissions"), 11};
  beast::error_code ec;
  request.body().open(options.file.c_str(), beast::file_mode::scan, ec);
  if (ec) {
    outcome.failure = options.file.string() + ": " + ec.message();
    co_return;
  }
  request.set(http::field::host, options.gateway.authority());
  request.set(http::field::user_agent, "opcat-bench");
  request.set(http::field::content_type, options.content_type);
  request.prepare_payload();

  const auto request_started = BenchClock::now();
  // Every write_some restarts the deadline: a slow but moving upload is fine.
  http::request_serializer<http::file_body> serializer(request);
  while (!serializer.is_done() && !ec) {
    beast::get_lowest_layer(stream).expires_after(timeout);
    co_await http::async_write_some(stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
  }
  outcome.sent_s = since(request_started);
  // After a failed send, the gateway may still have answered (413 on Content-Length).
  const std::string send_error = ec ? ec.message() : std::string();

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64ull << 20);
  beast::get_lowest_layer(stream).expires_after(timeout);
  ec = {};
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  outcome.answered_s = since(request_started);
  if (ec) {
    outcome.failure = (send_error.empty() ? "" : "send: " + send_error + "; ") +
                      "receive: " + ec.message();
    co_return;
  }
  outcome.response = parser.release();
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

int push_file(const PushFileOptions& options) {
  const std::uint64_t bytes = std::filesystem::file_size(options.file);
  const auto tls = member_tls_context(options.member, options.ca);
  const std::string load_before = load_average();
  asio::io_context ioc;
  FileOutcome outcome;
  std::exception_ptr error;
  asio::co_spawn(ioc, push_one(options, *tls, outcome), [&](std::exception_ptr e) { error = e; });
  ioc.run();
  if (error) std::rethrow_exception(error);

  const unsigned status = outcome.response ? outcome.response->result_int() : 0;
  const std::string body = outcome.response ? outcome.response->body() : std::string();
  const auto receipt = status == 202 || status == 200 || status == 422
                           ? push::read_receipt(body)
                           : std::optional<push::ReceiptSummary>();
  const double mb = static_cast<double>(bytes) / 1e6;
  std::printf(
      "file=%s bytes=%llu status=%u connect_s=%.4f sent_s=%.4f answered_s=%.4f "
      "mb_per_s=%.2f upload_mb_per_s=%.2f receipt_status=%s records_accepted=%llu "
      "records_rejected=%llu submission=%s load1_before=%s load1_after=%s",
      options.file.c_str(), static_cast<unsigned long long>(bytes), status, outcome.connect_s,
      outcome.sent_s, outcome.answered_s, outcome.answered_s > 0 ? mb / outcome.answered_s : 0.0,
      outcome.sent_s > 0 ? mb / outcome.sent_s : 0.0,
      receipt ? receipt->status.c_str() : "-",
      static_cast<unsigned long long>(receipt ? receipt->records_accepted : 0),
      static_cast<unsigned long long>(receipt ? receipt->records_rejected : 0),
      receipt ? receipt->submission_id.c_str() : "-", load_before.c_str(),
      load_average().c_str());
  if (!outcome.failure.empty()) std::printf(" failure=\"%s\"", outcome.failure.c_str());
  if (status != 0 && status != 202 && !receipt) {
    const auto error_text = push::read_error(body);
    std::printf(" error=\"%s\"", error_text ? error_text->c_str() : "?");
  }
  std::printf("\n");
  return status == 202 ? 0 : 1;
}

}  // namespace opcat::bench
