// opcat-gateway inbox: the reference receiving endpoint a recipient (the NPM Secretariat, the
// SPT) runs to take deliveries from the gateway (docs/protocol.md). Foreground, JSON-lines logs
// on stderr, SIGTERM or SIGINT stops it gracefully.
#include <filesystem>
#include <iostream>

#include "gateway/cli/commands.hpp"
#include "gateway/config/config.hpp"
#include "gateway/inbox/inbox_server.hpp"
#include "gateway/log/log.hpp"

namespace opcat::cli {
namespace {

struct InboxOptions {
  std::filesystem::path config;
  std::string listen;
  std::string data_dir;
};

int run_inbox(const InboxOptions& options, const CLI::App& command) {
  inbox::InboxConfig config;
  try {
    config = inbox::load_inbox_config(options.config);
    if (command.count("--listen")) config.listen = config::Endpoint::parse(options.listen);
    if (command.count("--data")) config.data_dir = std::filesystem::absolute(options.data_dir);
  } catch (const std::exception& e) {  // ConfigError, or a bad --listen
    std::cerr << "opcat-gateway inbox: " << e.what() << '\n';
    return kExitUsage;
  }
  try {
    log::info("inbox_starting")
        .field("config", config.source.string())
        .field("data_dir", config.data_dir.string());
    inbox::InboxServer server(config);
    server.run();
  } catch (const std::exception& e) {
    log::error("start_failed").field("reason", e.what());
    std::cerr << "opcat-gateway inbox: " << e.what() << '\n';
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void add_inbox(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<InboxOptions>();
  CLI::App* command = app.add_subcommand(
      "inbox",
      "Run the reference receiving endpoint for a recipient (NPM Secretariat, SPT): takes the "
      "gateway's deliveries over mutual TLS, verifies sender, signature, digest and schema, "
      "stores each once and answers with a signed receipt (docs/protocol.md).");
  command->add_option("-c,--config", options->config, "The inbox's TOML configuration file")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--listen", options->listen, "Listening address, host:port (overrides listen)");
  command->add_option("--data", options->data_dir, "Data directory (overrides data_dir)");
  command->callback([options, command, &exit_code] { exit_code = run_inbox(*options, *command); });
}

}  // namespace opcat::cli
