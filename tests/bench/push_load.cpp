// push: small distinct exports pushed over many keep-alive connections, all on one thread (the
// client's work per push is small next to the gateway's), for a fixed time.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <numeric>
#include <stdexcept>

#include "tests/bench/intake_client.hpp"
#include "tests/bench/intake_tls.hpp"
#include "tests/bench/small_exports.hpp"

namespace opcat::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

// Everything runs on one thread: no locks.
struct LoadStats {
  BenchClock::time_point measure_from;
  BenchClock::time_point stop_at;
  std::map<unsigned, std::uint64_t> statuses;  // answers within the window, by HTTP status
  std::vector<double> accepted_ms;             // latency of each 202 within the window
  // Per second of the window: 202s answered in it, and the longest of their latencies.
  std::vector<std::uint64_t> per_second;
  std::vector<double> per_second_max_ms;
  std::uint64_t not_complete = 0;  // 202 receipts whose status is not "complete" (should be 0)
  std::uint64_t answers_total = 0;
  std::uint64_t connections_opened = 0;
  std::uint64_t transport_errors = 0;
  std::string first_error;

  void answer(BenchClock::time_point started, BenchClock::time_point answered,
              const http::response<http::string_body>& response) {
    ++answers_total;
    if (answered < measure_from || answered > stop_at) return;
    ++statuses[response.result_int()];
    if (response.result_int() != 202) {
      if (first_error.empty()) first_error = std::to_string(response.result_int()) + " " + response.body();
      return;
    }
    const double ms = std::chrono::duration<double, std::milli>(answered - started).count();
    accepted_ms.push_back(ms);
    const auto second = static_cast<std::size_t>(
        std::chrono::duration_cast<std::chrono::seconds>(answered - measure_from).count());
    if (second < per_second.size()) {
      ++per_second[second];
      per_second_max_ms[second] = std::max(per_second_max_ms[second], ms);
    }
    if (response.body().find("\"status\":\"complete\"") == std::string::npos) ++not_complete;
  }

  void transport_error(const std::string& what) {
    ++transport_errors;
    if (first_error.empty()) first_error = what;
  }
};

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

asio::awaitable<void> keep_pushing(const PushLoadOptions& options, asio::ssl::context& tls,
                                   const SmallExports& exports, std::uint64_t connection,
                                   LoadStats& stats) {
  using asio::use_awaitable;
  const auto executor = co_await asio::this_coro::executor;
  const auto timeout = std::chrono::milliseconds(static_cast<long long>(options.timeout_s * 1000));
  const std::string target = options.gateway.target("/v1/submissions");
  std::uint64_t sequence = 0;
  while (BenchClock::now() < stats.stop_at) {
    TlsStream stream(executor, tls);
    bool failed = false;
    try {
      co_await open_connection(stream, options.gateway, timeout);
      ++stats.connections_opened;
      beast::flat_buffer buffer;
      bool keep_alive = true;
      while (keep_alive && BenchClock::now() < stats.stop_at) {
        http::request<http::string_body> request{http::verb::post, target, 11};
        request.set(http::field::host, options.gateway.authority());
        request.set(http::field::user_agent, "opcat-bench");
        request.set(http::field::content_type, "text/csv");
        request.body() = exports.body(connection, sequence++);
        request.keep_alive(true);
        request.prepare_payload();
        const auto started = BenchClock::now();
        beast::get_lowest_layer(stream).expires_after(timeout);
        co_await http::async_write(stream, request, use_awaitable);
        http::response_parser<http::string_body> parser;
        parser.body_limit(1u << 20);
        beast::get_lowest_layer(stream).expires_after(timeout);
        co_await http::async_read(stream, buffer, parser, use_awaitable);
        stats.answer(started, BenchClock::now(), parser.get());
        keep_alive = parser.get().keep_alive();
      }
      beast::error_code ignored;
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
      co_await stream.async_shutdown(asio::redirect_error(use_awaitable, ignored));
    } catch (const std::exception& e) {
      stats.transport_error(e.what());
      failed = true;
    }
    if (failed) {  // a gateway that refuses is not hammered
      asio::steady_timer pause(executor, std::chrono::milliseconds(100));
      beast::error_code ignored;
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ignored));
    }
  }
}

}  // namespace

int push_load(const PushLoadOptions& options) {
  const SmallExports exports(options.template_file, options.rows, options.tag);
  std::vector<std::unique_ptr<asio::ssl::context>> contexts;
  for (const auto& member : options.members) contexts.push_back(member_tls_context(member, options.ca));

  asio::io_context ioc(1);
  LoadStats stats;
  const auto start = BenchClock::now();
  const auto to_duration = [](double seconds) {
    return std::chrono::duration_cast<BenchClock::duration>(std::chrono::duration<double>(seconds));
  };
  stats.measure_from = start + to_duration(options.warmup_s);
  stats.stop_at = stats.measure_from + to_duration(options.seconds);
  stats.per_second.assign(static_cast<std::size_t>(std::ceil(options.seconds)), 0);
  stats.per_second_max_ms.assign(stats.per_second.size(), 0.0);
  const std::string load_before = load_average();
  const double cpu_before = process_cpu_seconds();

  // --stop-file: the window ends early once the file exists (looked for four times a second).
  asio::steady_timer stop_watch(ioc);
  std::function<void()> watch_for_stop = [&] {
    stop_watch.expires_after(std::chrono::milliseconds(250));
    stop_watch.async_wait([&](const boost::system::error_code& ec) {
      if (ec || BenchClock::now() >= stats.stop_at) return;
      std::error_code exists_error;
      if (std::filesystem::exists(options.stop_file, exists_error)) {
        stats.stop_at = std::max(BenchClock::now(), stats.measure_from);
        return;
      }
      watch_for_stop();
    });
  };
  if (!options.stop_file.empty()) watch_for_stop();

  std::uint64_t connection = 0;
  std::exception_ptr failure;
  for (auto& tls : contexts) {
    for (int i = 0; i < options.connections_per_member; ++i) {
      asio::co_spawn(ioc, keep_pushing(options, *tls, exports, connection++, stats),
                     [&failure](std::exception_ptr e) {
                       if (e && !failure) failure = e;
                     });
    }
  }
  ioc.run();
  if (failure) std::rethrow_exception(failure);
  const double window_s = std::chrono::duration<double>(stats.stop_at - stats.measure_from).count();
  stats.per_second.resize(static_cast<std::size_t>(std::ceil(window_s)));

  if (!options.timeline.empty()) {
    std::FILE* timeline = std::fopen(options.timeline.c_str(), "w");
    if (timeline == nullptr) throw std::runtime_error("cannot write " + options.timeline.string());
    for (std::size_t i = 0; i < stats.per_second.size(); ++i) {
      std::fprintf(timeline, "second=%zu accepted=%llu max_ms=%.1f\n", i,
                   static_cast<unsigned long long>(stats.per_second[i]), stats.per_second_max_ms[i]);
    }
    std::fclose(timeline);
  }
  std::sort(stats.accepted_ms.begin(), stats.accepted_ms.end());
  const auto accepted = stats.accepted_ms.size();
  std::string others;
  std::uint64_t answered = 0;
  for (const auto& [status, count] : stats.statuses) {
    answered += count;
    if (status == 202) continue;
    if (!others.empty()) others += ',';
    others += std::to_string(status);
    others += ':';
    others += std::to_string(count);
  }
  const double mean = accepted == 0 ? 0
                                    : std::accumulate(stats.accepted_ms.begin(), stats.accepted_ms.end(), 0.0) /
                                          static_cast<double>(accepted);
  std::printf(
      "members=%zu connections=%llu rows=%d warmup_s=%.1f seconds=%.1f answered=%llu "
      "accepted=%zu accepted_per_s=%.1f others=%s not_complete=%llu p50_ms=%.1f p90_ms=%.1f "
      "p99_ms=%.1f max_ms=%.1f mean_ms=%.1f transport_errors=%llu connections_opened=%llu "
      "client_cpu_s=%.2f load1_before=%s load1_after=%s",
      options.members.size(), static_cast<unsigned long long>(connection), options.rows,
      options.warmup_s, window_s, static_cast<unsigned long long>(answered), accepted,
      window_s > 0 ? static_cast<double>(accepted) / window_s : 0.0, others.empty() ? "-" : others.c_str(),
      static_cast<unsigned long long>(stats.not_complete), percentile(stats.accepted_ms, 0.50),
      percentile(stats.accepted_ms, 0.90), percentile(stats.accepted_ms, 0.99),
      accepted ? stats.accepted_ms.back() : 0.0, mean,
      static_cast<unsigned long long>(stats.transport_errors),
      static_cast<unsigned long long>(stats.connections_opened),
      process_cpu_seconds() - cpu_before, load_before.c_str(), load_average().c_str());
  if (!stats.first_error.empty()) {
    std::string first = stats.first_error.substr(0, 200);
    std::replace(first.begin(), first.end(), '"', '\'');
    std::replace(first.begin(), first.end(), '\n', ' ');
    std::printf(" first_error=\"%s\"", first.c_str());
  }
  std::printf("\n");
  return accepted > 0 && stats.transport_errors == 0 && others.empty() ? 0 : 1;
}

}  // namespace opcat::bench
