// The agent's optional configuration file (`push --config agent.toml`), for a service that should
// not carry everything on its command line. Every key is optional and the command line overrides
// the file. Relative paths are resolved against the file's folder.
//
//   url = "https://gateway.npm.example:8443"
//   certificate = "/etc/opcat-push/hmip.crt"
//   private_key = "/etc/opcat-push/hmip.key"
//   ca = "/etc/opcat-push/gateway-ca.pem"
//   adapter = "inspections"            # X-Adapter: which of the member's mappings reads the export
//   watch = "/srv/opcat/outbox"
//   settle_seconds = 5
//   interval_seconds = 2
//   backoff_base_seconds = 1
//   backoff_cap_seconds = 300
//   retries = 5                        # file mode only
//   connect_timeout_seconds = 30
//   request_timeout_seconds = 300
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace opcat::push {

struct AgentConfig {
  std::filesystem::path source;  // the file it was read from
  std::optional<std::string> url;  // checked with GatewayUrl::parse
  std::optional<std::filesystem::path> certificate;
  std::optional<std::filesystem::path> private_key;
  std::optional<std::filesystem::path> ca;
  std::optional<std::string> adapter;
  std::optional<std::filesystem::path> watch;
  std::optional<std::chrono::milliseconds> settle;
  std::optional<std::chrono::milliseconds> interval;
  std::optional<std::chrono::milliseconds> backoff_base;
  std::optional<std::chrono::milliseconds> backoff_cap;
  std::optional<unsigned> retries;
  std::optional<std::chrono::milliseconds> connect_timeout;
  std::optional<std::chrono::milliseconds> request_timeout;
};

// Reads and checks the file; every error is a config::ConfigError whose message names the key
// ("settle_seconds: expected a number, got a string (agent.toml, line 4, column 18)").
AgentConfig load_agent_config(const std::filesystem::path& file);

// The same from TOML text; `base` resolves relative paths.
AgentConfig parse_agent_config(std::string_view toml_text, const std::filesystem::path& base);

}  // namespace opcat::push
