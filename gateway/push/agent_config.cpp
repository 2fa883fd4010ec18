#include "gateway/push/agent_config.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <iterator>

#include "gateway/config/config.hpp"
#include "gateway/config/toml_section.hpp"
#include "gateway/push/gateway_url.hpp"

namespace opcat::push {
namespace {

namespace fs = std::filesystem;
using config::detail::Section;

constexpr double kDay = 86'400;

std::optional<std::chrono::milliseconds> seconds(const Section& section, std::string_view name,
                                                 double min, double max) {
  const auto value = section.number(name, min, max);
  if (!value) return std::nullopt;
  return std::chrono::round<std::chrono::milliseconds>(std::chrono::duration<double>(*value));
}

std::optional<fs::path> readable_file(const Section& section, std::string_view name,
                                      const fs::path& base) {
  auto path = section.path(name, base);
  if (path) config::detail::check_readable_file(section.key(name), *path, &section.find(name)->source());
  return path;
}

AgentConfig read_document(const toml::table& document, const fs::path& base) {
  const Section root(&document, "",
                     {"url", "certificate", "private_key", "ca", "adapter", "watch",
                      "settle_seconds", "interval_seconds", "backoff_base_seconds",
                      "backoff_cap_seconds", "retries", "connect_timeout_seconds",
                      "request_timeout_seconds"});
  AgentConfig agent;
  agent.url = root.converted("url", [](const std::string& text) {
    GatewayUrl::parse(text);
    return text;
  });
  agent.certificate = readable_file(root, "certificate", base);
  agent.private_key = readable_file(root, "private_key", base);
  agent.ca = readable_file(root, "ca", base);
  agent.adapter = root.string("adapter");
  agent.watch = root.path("watch", base);
  agent.settle = seconds(root, "settle_seconds", 0, kDay);
  agent.interval = seconds(root, "interval_seconds", 0.01, kDay);
  agent.backoff_base = seconds(root, "backoff_base_seconds", 0.001, kDay);
  agent.backoff_cap = seconds(root, "backoff_cap_seconds", 0.001, kDay);
  if (agent.backoff_base && agent.backoff_cap && *agent.backoff_cap < *agent.backoff_base) {
    config::detail::fail("backoff_cap_seconds", "must not be less than backoff_base_seconds",
                         &root.find("backoff_cap_seconds")->source());
  }
  if (auto retries = root.integer("retries", 0, 10'000)) agent.retries = static_cast<unsigned>(*retries);
  agent.connect_timeout = seconds(root, "connect_timeout_seconds", 0.001, kDay);
  agent.request_timeout = seconds(root, "request_timeout_seconds", 0.001, kDay);
  return agent;
}

AgentConfig parse_text(std::string_view text, std::string_view source_name, const fs::path& base) {
  toml::table document;
  try {
    document = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    std::string message = source_name.empty() ? std::string() : std::string(source_name) + ": ";
    message += "TOML syntax error at line " + std::to_string(error.source().begin.line) +
               ", column " + std::to_string(error.source().begin.column) + ": " +
               std::string(error.description());
    throw config::ConfigError(message);
  }
  return read_document(document, base);
}

}  // namespace

AgentConfig load_agent_config(const fs::path& file) {
  const fs::path path = fs::absolute(file).lexically_normal();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config::ConfigError(path.string() + ": cannot read the agent configuration");
  const std::string text(std::istreambuf_iterator<char>(in), {});
  AgentConfig agent = parse_text(text, path.string(), path.parent_path());
  agent.source = path;
  return agent;
}

AgentConfig parse_agent_config(std::string_view toml_text, const fs::path& base) {
  return parse_text(toml_text, {}, base);
}

}  // namespace opcat::push
