#include "gateway/inbox/inbox_config.hpp"

#include <fstream>
#include <sstream>

#include "gateway/config/toml_section.hpp"

namespace opcat::inbox {
namespace {
namespace fs = std::filesystem;
using config::detail::fail;
using config::detail::Section;

fs::path required_file(const Section& section, std::string_view name, const fs::path& base) {
  section.require(name);
  fs::path path = *section.path(name, base);
  config::detail::check_readable_file(section.key(name), path, &section.find(name)->source());
  return path;
}

InboxConfig read(const toml::table& document, const fs::path& base) {
  const Section root(&document, "",
                     {"listen", "threads", "data_dir", "allowed_senders", "payload_ca", "schemas",
                      "schema", "body_limit_bytes", "tls", "signing"});
  InboxConfig c;
  if (auto listen = root.converted("listen", config::Endpoint::parse)) c.listen = *listen;
  if (auto threads = root.integer("threads", 1, 256)) c.threads = static_cast<unsigned>(*threads);
  root.require("data_dir");
  c.data_dir = *root.path("data_dir", base);
  root.require("allowed_senders");
  c.allowed_senders = root.strings("allowed_senders", [](const std::string& cn) {
    if (cn.empty()) throw std::invalid_argument("an empty CN");
    return cn;
  });
  if (c.allowed_senders.empty()) {
    fail("allowed_senders", "name at least one sender CN", &root.find("allowed_senders")->source());
  }
  c.payload_ca = required_file(root, "payload_ca", base);
  // Known only to say what replaced it: silently ignoring it would look like a schema in force.
  if (const toml::node* old = root.find("schema")) {
    fail("schema",
         "replaced by `schemas`, the folder holding consolidated.schema.json and "
         "consolidated.xsd (a copy of the gateway's schemas/)",
         &old->source());
  }
  if (auto schemas = root.path("schemas", base)) {
    for (const char* file : {"consolidated.schema.json", "consolidated.xsd"}) {
      config::detail::check_readable_file(root.key("schemas"), *schemas / file,
                                          &root.find("schemas")->source());
    }
    c.schemas = *schemas;
  }
  if (auto limit = root.integer("body_limit_bytes", 1, std::numeric_limits<std::int64_t>::max())) {
    c.body_limit = static_cast<std::uint64_t>(*limit);
  }

  const Section tls(root.table("tls"), "tls", {"certificate", "private_key", "client_ca", "crl"});
  c.tls.certificate = required_file(tls, "certificate", base);
  c.tls.private_key = required_file(tls, "private_key", base);
  c.tls.client_ca = required_file(tls, "client_ca", base);
  c.tls.crl = required_file(tls, "crl", base);

  const Section signing(root.table("signing"), "signing", {"certificate", "private_key", "chain"});
  c.signing.certificate = required_file(signing, "certificate", base);
  c.signing.private_key = required_file(signing, "private_key", base);
  if (auto chain = signing.path("chain", base)) c.signing.chain = *chain;
  return c;
}

}  // namespace

config::Config InboxConfig::server_config() const {
  config::Config server;
  server.source = source;
  server.listen = listen;
  // net::Server always binds an operator listener; the inbox has no operators, so it gets an
  // ephemeral loopback port where no certificate is identified and no route is served.
  server.admin.listen = {"127.0.0.1", 0};
  server.admin.client_ca = tls.client_ca;
  server.admin.crl = tls.crl;
  server.threads = threads;
  server.data_dir = data_dir;
  server.tls = tls;
  server.limits.body_limit = body_limit;
  server.timeouts = timeouts;
  for (const std::string& cn : allowed_senders) {
    server.members.emplace(cn, config::Member{cn, "sender " + cn, {cn, {}}, {}});
  }
  return server;
}

InboxConfig parse_inbox_config(std::string_view text, const fs::path& base) {
  toml::table document;
  try {
    document = toml::parse(text);
  } catch (const toml::parse_error& e) {
    throw config::ConfigError("TOML syntax error at line " + std::to_string(e.source().begin.line) +
                              ": " + std::string(e.description()));
  }
  return read(document, base);
}

InboxConfig load_inbox_config(const fs::path& file) {
  const fs::path path = fs::absolute(file).lexically_normal();
  toml::table document;
  try {
    document = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    throw config::ConfigError(path.string() + ": TOML syntax error at line " +
                              std::to_string(e.source().begin.line) + ": " +
                              std::string(e.description()));
  }
  InboxConfig c = read(document, path.parent_path());
  c.source = path;
  return c;
}

}  // namespace opcat::inbox
