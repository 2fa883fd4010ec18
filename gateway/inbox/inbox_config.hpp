// inbox.toml: the configuration of `opcat-gateway inbox`, the reference receiving endpoint a
// recipient (the NPM Secretariat, the SPT) runs. Format: docs/protocol.md, "The reference inbox".
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "gateway/config/config.hpp"

namespace opcat::inbox {

struct InboxConfig {
  std::filesystem::path source;
  config::Endpoint listen{"127.0.0.1", 9443};
  unsigned threads = 2;
  std::filesystem::path data_dir;  // required: deliveries/, bodies/
  // The inbox's server certificate, and the CA (+ CRL) the gateway's client certificate chains to.
  config::TlsSettings tls;
  std::vector<std::string> allowed_senders;  // CNs of the gateway client certificates accepted
  std::filesystem::path payload_ca;          // verifies the gateway's payload signatures
  config::SigningSettings signing;           // the inbox's own receipt-signing certificate and key
  // The folder holding consolidated.schema.json and consolidated.xsd (and what they refer to): a
  // copy of the gateway's schemas/. Empty: schema::schemas_dir().
  std::filesystem::path schemas;
  std::uint64_t body_limit = 1024ull * 1024 * 1024;
  config::Timeouts timeouts;

  // The gateway-style config net::Server needs: the allowed senders as "members" (identified by
  // CN), no operators, the admin listener on an ephemeral loopback port that serves nothing.
  config::Config server_config() const;
};

// Reads and validates inbox.toml; relative paths are against its folder. Throws
// config::ConfigError naming the key and line.
InboxConfig load_inbox_config(const std::filesystem::path& file);
InboxConfig parse_inbox_config(std::string_view toml_text, const std::filesystem::path& base);

}  // namespace opcat::inbox
