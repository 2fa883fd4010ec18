// opcat-gateway serve: runs the gateway in the foreground until SIGTERM or SIGINT.
#include <filesystem>
#include <iostream>
#include <map>

#include "gateway/app/gateway.hpp"
#include "gateway/cli/commands.hpp"
#include "gateway/config/config.hpp"
#include "gateway/log/log.hpp"

namespace opcat::cli {
namespace {

struct ServeOptions {
  std::filesystem::path config;
  config::Overrides overrides;
  std::string listen, admin_listen, data_dir;
  unsigned threads = 0;
  log::Level log_level = log::Level::info;
};

int serve(const ServeOptions& options, const CLI::App& command) {
  config::Overrides overrides;
  if (command.count("--listen")) overrides.listen = options.listen;
  if (command.count("--admin-listen")) overrides.admin_listen = options.admin_listen;
  if (command.count("--data")) overrides.data_dir = options.data_dir;
  if (command.count("--threads")) overrides.threads = options.threads;
  log::set_min_level(options.log_level);

  config::Config config;
  try {
    config = config::load(options.config, overrides);
  } catch (const config::ConfigError& e) {
    std::cerr << "opcat-gateway serve: " << e.what() << '\n';
    return kExitUsage;
  }

  try {
    std::filesystem::create_directories(config.data_dir);
    log::info("starting")
        .field("config", config.source.string())
        .field("data_dir", std::filesystem::absolute(config.data_dir).string());
    app::Gateway gateway(config);
    gateway.run();
  } catch (const std::exception& e) {
    log::error("start_failed").field("reason", e.what());
    std::cerr << "opcat-gateway serve: " << e.what() << '\n';
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void add_serve(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* command = app.add_subcommand(
      "serve",
      "Run the gateway in the foreground: the member listener (mutual TLS, member certificates) "
      "and the admin listener (TLS, operator certificates). Logs are JSON lines on stderr. "
      "SIGTERM or SIGINT stops it gracefully.");
  command
      ->add_option("-c,--config", options->config, "The TOML configuration file")
      ->envname("OPCAT_GATEWAY_CONFIG")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--listen", options->listen,
                      "Member listener address, host:port (overrides server.listen)");
  command->add_option("--admin-listen", options->admin_listen,
                      "Admin listener address, host:port (overrides admin.listen)");
  command->add_option("--data", options->data_dir,
                      "Data directory (overrides server.data_dir)");
  command->add_option("--threads", options->threads,
                      "I/O threads, 0 = one per core (overrides server.threads)");
  const std::map<std::string, log::Level> levels{{"debug", log::Level::debug},
                                                 {"info", log::Level::info},
                                                 {"warn", log::Level::warn},
                                                 {"error", log::Level::error}};
  command->add_option("--log-level", options->log_level, "debug, info, warn or error")
      ->transform(CLI::CheckedTransformer(levels, CLI::ignore_case));
  command->callback([options, command, &exit_code] { exit_code = serve(*options, *command); });
}

}  // namespace opcat::cli
