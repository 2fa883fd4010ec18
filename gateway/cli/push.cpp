// opcat-gateway push: the agent a member runs to push its exports to the gateway, once for the
// files named (file mode, for cron or by hand) or for as long as it runs for a folder (watch mode,
// as a service). docs/push-agent.md is the member's guide.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stop_token>
#include <thread>
#include <vector>

#include "gateway/cli/commands.hpp"
#include "gateway/config/config.hpp"
#include "gateway/log/log.hpp"
#include "gateway/push/agent_config.hpp"
#include "gateway/push/backoff.hpp"
#include "gateway/push/delivery.hpp"
#include "gateway/push/file_pusher.hpp"
#include "gateway/push/https_client.hpp"
#include "gateway/push/push_log.hpp"
#include "gateway/push/receipt.hpp"
#include "gateway/push/watcher.hpp"

namespace opcat::cli {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// Durations on the command line: "5s", "500ms", "2m", "1h", or a bare number of seconds.
const std::map<std::string, double> kDurationUnits{{"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}};
constexpr double kLongestSeconds = 86'400;

// As parsed; each default here is the documented default (docs/push-agent.md).
struct PushOptions {
  fs::path config;
  std::string url;
  fs::path certificate, private_key, ca;
  std::string adapter;
  unsigned retries = 5;
  fs::path watch;
  double settle = 5, interval = 2;
  double backoff_base = 1, backoff_cap = 300;
  double connect_timeout = 30, request_timeout = 300;
  std::vector<fs::path> files;
  log::Level log_level = log::Level::info;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The settings the agent runs with: the command line, else the agent config, else the defaults.
struct AgentSettings {
  push::ClientSettings client;
  std::optional<std::string> adapter;
  unsigned retries = 5;
  std::optional<fs::path> watch;
  push::WatchSettings watching;
  push::BackoffPolicy backoff;
};

class Merger {
 public:
  explicit Merger(const CLI::App& command) : command_(command) {}

  // `given` holds the option's default when it was not given on the command line.
  template <class T>
  T pick(const char* option, const T& given, const std::optional<T>& from_file) const {
    if (command_.count(option) > 0 || !from_file) return given;
    return *from_file;
  }

  milliseconds duration(const char* option, double given_seconds,
                        const std::optional<milliseconds>& from_file, double min_seconds) const {
    if (command_.count(option) == 0 && from_file) return *from_file;
    if (!(given_seconds >= min_seconds && given_seconds <= kLongestSeconds)) {
      std::ostringstream message;
      message << option << " must be between " << min_seconds << " s and one day";
      throw UsageError(message.str());
    }
    return std::chrono::round<milliseconds>(std::chrono::duration<double>(given_seconds));
  }

  template <class T>
  T required(const char* option, const char* key, const T& given,
             const std::optional<T>& from_file) const {
    if (command_.count(option) > 0) return given;
    if (from_file) return *from_file;
    throw UsageError(std::string("missing ") + option + " (or " + key + " in the agent config)");
  }

 private:
  const CLI::App& command_;
};

AgentSettings agent_settings(const PushOptions& options, const CLI::App& command) {
  push::AgentConfig file;
  if (command.count("--config") > 0) file = push::load_agent_config(options.config);
  const Merger merge(command);

  AgentSettings settings;
  const std::string url = merge.required("--url", "url", options.url, file.url);
  try {
    settings.client.gateway = push::GatewayUrl::parse(url);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--url: ") + e.what());
  }
  settings.client.certificate = merge.required("--cert", "certificate", options.certificate, file.certificate);
  settings.client.private_key = merge.required("--key", "private_key", options.private_key, file.private_key);
  settings.client.ca = merge.required("--cacert", "ca", options.ca, file.ca);
  settings.client.connect_timeout =
      merge.duration("--connect-timeout", options.connect_timeout, file.connect_timeout, 0.001);
  settings.client.request_timeout =
      merge.duration("--request-timeout", options.request_timeout, file.request_timeout, 0.001);

  const std::string adapter = merge.pick("--adapter", options.adapter, file.adapter);
  if (!adapter.empty()) settings.adapter = adapter;
  settings.retries = merge.pick("--retries", options.retries, file.retries);

  settings.backoff.base = merge.duration("--backoff-base", options.backoff_base, file.backoff_base, 0.001);
  settings.backoff.cap = merge.duration("--backoff-cap", options.backoff_cap, file.backoff_cap, 0.001);
  if (settings.backoff.cap < settings.backoff.base) {
    throw UsageError("the backoff cap must not be less than its base");
  }

  if (command.count("--watch") > 0) {
    settings.watch = options.watch;
  } else if (options.files.empty() && file.watch) {
    settings.watch = file.watch;
  }
  if (settings.watch) {
    settings.watching.dir = *settings.watch;
    settings.watching.settle = merge.duration("--settle", options.settle, file.settle, 0);
    settings.watching.interval = merge.duration("--interval", options.interval, file.interval, 0.01);
  }
  if (settings.watch && !options.files.empty()) {
    throw UsageError("give either files to push or --watch DIR, not both");
  }
  if (!settings.watch && options.files.empty()) {
    throw UsageError("name the files to push, or a folder to watch with --watch DIR");
  }
  return settings;
}

// SIGTERM and SIGINT request a stop: the request in flight is abandoned (the export stays and is
// pushed again next time; the idempotency key makes that harmless) and the agent exits.
class StopOnSignal {
 public:
  explicit StopOnSignal(std::stop_source& stop) : signals_(loop_, SIGINT, SIGTERM) {
    signals_.async_wait([&stop](const boost::system::error_code& ec, int number) {
      if (ec) return;
      log::info("push_stopping").field("signal", number == SIGTERM ? "SIGTERM" : "SIGINT");
      stop.request_stop();
    });
    thread_ = std::thread([this] { loop_.run(); });
  }
  ~StopOnSignal() {
    loop_.stop();
    thread_.join();
  }
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

 private:
  boost::asio::io_context loop_;
  boost::asio::signal_set signals_;
  std::thread thread_;
};

// File mode: exit 0 when every file was accepted, 3 when any was rejected, 1 when any could not
// be delivered; 1 wins over 3, since running again can only help the undelivered ones.
int push_files(const AgentSettings& settings, const std::vector<fs::path>& files,
               const push::FilePusher& pusher, std::stop_token stop) {
  const push::Backoff backoff(settings.backoff);
  bool any_rejected = false, any_undelivered = false;
  for (const fs::path& file : files) {
    if (stop.stop_requested()) {
      any_undelivered = true;
      continue;
    }
    try {
      const push::Delivery delivery = push::deliver(pusher, file, settings.retries, backoff, stop);
      const push::PushOutcome& outcome = delivery.push.outcome;
      // A 422 receipt is a receipt too: signed, with the errors' summary.
      if (outcome.has_receipt()) std::cout << push::on_one_line(outcome.body) << '\n' << std::flush;
      switch (outcome.verdict) {
        case push::Verdict::accepted:
          push::log_accepted(file, delivery.push);
          break;
        case push::Verdict::rejected:
          push::log_rejected(file, delivery.push);
          std::cerr << "opcat-gateway push: " << file.string() << ": rejected: " << outcome.reason << '\n';
          any_rejected = true;
          break;
        case push::Verdict::retry_later:
          log::error("push_undelivered")
              .field("file", file.string())
              .field("attempts", delivery.attempts)
              .field("reason", outcome.reason);
          std::cerr << "opcat-gateway push: " << file.string() << ": not delivered after "
                    << delivery.attempts << " attempt(s): " << outcome.reason << '\n';
          any_undelivered = true;
          break;
      }
    } catch (const push::LocalFileError& e) {
      log::error("push_undelivered").field("file", file.string()).field("reason", e.what());
      std::cerr << "opcat-gateway push: " << e.what() << '\n';
      any_undelivered = true;
    }
  }
  if (any_undelivered) return kExitFailure;
  return any_rejected ? kExitSomeRejected : kExitOk;
}

int run_push(const PushOptions& options, const CLI::App& command) {
  log::set_min_level(options.log_level);
  AgentSettings settings;
  try {
    settings = agent_settings(options, command);
  } catch (const config::ConfigError& e) {
    std::cerr << "opcat-gateway push: " << e.what() << '\n';
    return kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << "opcat-gateway push: " << e.what() << '\n';
    return kExitUsage;
  }

  std::stop_source stop;
  const StopOnSignal on_signal(stop);
  try {
    const push::HttpsClient gateway(settings.client);
    const push::FilePusher pusher(gateway, settings.adapter);
    if (!settings.watch) return push_files(settings, options.files, pusher, stop.get_token());

    push::Watcher watcher(settings.watching, pusher, push::Backoff(settings.backoff));
    watcher.prepare();
    watcher.run(stop.get_token());
    return kExitOk;
  } catch (const std::exception& e) {
    // An unusable certificate, key or CA bundle, a watch folder that is not one.
    log::error("push_failed").field("reason", e.what());
    std::cerr << "opcat-gateway push: " << e.what() << '\n';
    return kExitFailure;
  }
}

}  // namespace

void add_push(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<PushOptions>();
  CLI::App* command = app.add_subcommand(
      "push",
      "Push exports to the gateway over mutual TLS: the files named, each with retries, printing "
      "each receipt on stdout (exit 0 all accepted, 3 some rejected, 1 some not delivered); or, "
      "with --watch DIR, every export that settles in DIR until SIGTERM, filing it into "
      "DIR/sent/ with its signed receipt or DIR/rejected/ with the reasons.");
  command->add_option("-c,--config", options->config, "Agent config file (TOML); options override it")
      ->check(CLI::ExistingFile);
  command->add_option("--url", options->url, "The gateway, https://host:port");
  command->add_option("--cert", options->certificate, "The member's client certificate (PEM)")
      ->check(CLI::ExistingFile);
  command->add_option("--key", options->private_key, "Its private key (PEM)")->check(CLI::ExistingFile);
  command->add_option("--cacert", options->ca, "CA bundle that verifies the gateway's certificate")
      ->check(CLI::ExistingFile);
  command->add_option("--adapter", options->adapter,
                      "Which of the member's mappings reads the export (X-Adapter)");
  command->add_option("--retries", options->retries,
                      "File mode: retries of a temporary failure per file (default 5)");
  auto* watch = command->add_option("--watch", options->watch,
                                    "Watch mode: push every export that settles in this folder")
                    ->check(CLI::ExistingDirectory);
  const auto duration = [&](const char* name, double& seconds, const char* help) {
    command->add_option(name, seconds, help)
        ->transform(CLI::AsNumberWithUnit(kDurationUnits))
        ->type_name("DURATION");
  };
  duration("--settle", options->settle, "Watch mode: unchanged this long before pushed (default 5s)");
  duration("--interval", options->interval, "Watch mode: between looks at the folder (default 2s)");
  duration("--backoff-base", options->backoff_base, "First retry waits up to this (default 1s)");
  duration("--backoff-cap", options->backoff_cap, "No retry waits longer (default 5m)");
  duration("--connect-timeout", options->connect_timeout, "Connect + TLS handshake (default 30s)");
  duration("--request-timeout", options->request_timeout,
           "Longest stall while sending, longest wait for the answer (default 5m)");
  command->add_option("files", options->files, "Exports to push (file mode)")
      ->check(CLI::ExistingFile)
      ->excludes(watch);
  const std::map<std::string, log::Level> levels{{"debug", log::Level::debug},
                                                 {"info", log::Level::info},
                                                 {"warn", log::Level::warn},
                                                 {"error", log::Level::error}};
  command->add_option("--log-level", options->log_level, "debug, info, warn or error")
      ->transform(CLI::CheckedTransformer(levels, CLI::ignore_case));
  command->callback([options, command, &exit_code] { exit_code = run_push(*options, *command); });
}

}  // namespace opcat::cli
