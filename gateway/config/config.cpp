// Reading and validating the gateway's TOML configuration (format: gateway/gateway.example.toml).
#include "gateway/config/config.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "gateway/config/parties.hpp"
#include "gateway/config/recipients.hpp"
#include "gateway/config/toml_section.hpp"

namespace opcat::config {
namespace {
namespace fs = std::filesystem;
using detail::fail;
using detail::Section;

constexpr std::int64_t kMaxThreads = 1024;
// A receipt lists the first errors and links to the rest; a thousand is already a long document.
constexpr std::int64_t kMaxReceiptErrors = 1000;
// A century: anything longer is a unit mix-up, and 0 already means "keep forever".
constexpr std::int64_t kMaxRetentionDays = 36'500;
// Beyond this many sockets per listener the process runs out of descriptors long before.
constexpr std::int64_t kMaxConnections = 1'000'000;
// A request line plus headers larger than this is an attack, not a request.
constexpr std::int64_t kMaxHeaderBytes = 1'048'576;
// Timeouts are seconds; below the millisecond resolution of Timeouts::duration they would round to
// zero, and above a day they are a unit mix-up (milliseconds written as seconds).
constexpr double kMinTimeoutSeconds = 0.001;
constexpr double kMaxTimeoutSeconds = 86'400;

// An existing data_dir is reused; one that does not exist yet is created at start-up.
void check_data_dir(std::string_view key, const fs::path& dir, const toml::source_region* where) {
  std::error_code ec;
  const fs::file_status status = fs::status(dir, ec);
  if (fs::exists(status) && !fs::is_directory(status)) {
    fail(key, dir.string() + " exists and is not a directory", where);
  }
}

std::optional<fs::path> optional_file(const Section& section, std::string_view name,
                                      const fs::path& base) {
  auto path = section.path(name, base);
  if (path) detail::check_readable_file(section.key(name), *path, &section.find(name)->source());
  return path;
}

fs::path required_file(const Section& section, std::string_view name, const fs::path& base) {
  section.require(name);
  return *optional_file(section, name, base);
}

bool parse_tls13_only(const std::string& min_version) {
  if (min_version == "1.2") return false;
  if (min_version == "1.3") return true;
  throw std::invalid_argument("expected \"1.2\" or \"1.3\", got \"" + min_version + "\"");
}

void read_server(const Section& root, const fs::path& base, const Overrides& overrides,
                 Config& config) {
  const Section server(root.table("server"), "server", {"listen", "threads", "data_dir"});
  if (auto listen = server.converted("listen", Endpoint::parse)) config.listen = *listen;
  if (auto threads = server.integer("threads", 0, kMaxThreads)) {
    config.threads = static_cast<unsigned>(*threads);
  }
  config.data_dir = server.path("data_dir", base).value_or(detail::resolve(config.data_dir, base));
  // An overridden data_dir is checked as "--data" instead; the file's value no longer matters.
  if (!overrides.data_dir) {
    const toml::node* node = server.find("data_dir");
    check_data_dir(server.key("data_dir"), config.data_dir,
                   node == nullptr ? nullptr : &node->source());
  }
}

TlsSettings read_tls(const Section& root, const fs::path& base) {
  const Section tls(root.table("tls"), "tls",
                    {"certificate", "private_key", "client_ca", "crl", "min_version"});
  TlsSettings settings;
  settings.certificate = required_file(tls, "certificate", base);
  settings.private_key = required_file(tls, "private_key", base);
  settings.client_ca = required_file(tls, "client_ca", base);
  // Required rather than optional: a gateway that cannot revoke a member's certificate is unsafe.
  settings.crl = required_file(tls, "crl", base);
  if (auto tls13_only = tls.converted("min_version", parse_tls13_only)) {
    settings.tls13_only = *tls13_only;
  }
  return settings;
}

// Optional as a whole; when present, its files follow the rules of [tls].
std::optional<SigningSettings> read_signing(const Section& root, const fs::path& base) {
  const toml::table* table = root.table("signing");
  if (table == nullptr) return std::nullopt;
  const Section signing(table, "signing", {"certificate", "private_key", "chain"});
  SigningSettings settings;
  settings.certificate = required_file(signing, "certificate", base);
  settings.private_key = required_file(signing, "private_key", base);
  settings.chain = optional_file(signing, "chain", base).value_or(fs::path());
  return settings;
}

IntakeSettings read_intake(const Section& root) {
  const Section intake(root.table("intake"), "intake", {"workers", "receipt_errors"});
  IntakeSettings settings;
  if (auto workers = intake.integer("workers", 0, kMaxThreads)) {
    settings.workers = static_cast<unsigned>(*workers);
  }
  if (auto errors = intake.integer("receipt_errors", 0, kMaxReceiptErrors)) {
    settings.receipt_errors = static_cast<std::size_t>(*errors);
  }
  return settings;
}

RetentionSettings read_retention(const Section& root) {
  const Section retention(root.table("retention"), "retention", {"bodies_days", "bodies_max_mib"});
  RetentionSettings settings;
  if (auto days = retention.integer("bodies_days", 0, kMaxRetentionDays)) {
    settings.bodies_days = static_cast<unsigned>(*days);
  }
  if (auto mib = retention.integer("bodies_max_mib", 0, std::int64_t{1} << 30)) {
    settings.bodies_max_mib = static_cast<std::uint64_t>(*mib);
  }
  return settings;
}

// Operators may be issued by a CA of their own; by default they share the members' CA.
AdminListener read_admin(const Section& root, const fs::path& base, const TlsSettings& tls) {
  const Section admin(root.table("admin"), "admin",
                      {"listen", "client_ca", "crl", "console", "session_idle_minutes",
                       "session_hours"});
  AdminListener listener;
  if (auto listen = admin.converted("listen", Endpoint::parse)) listener.listen = *listen;
  listener.client_ca = optional_file(admin, "client_ca", base).value_or(tls.client_ca);
  listener.crl = optional_file(admin, "crl", base).value_or(tls.crl);
  if (auto console = admin.boolean("console")) listener.console = *console;
  if (auto minutes = admin.integer("session_idle_minutes", 1, 24 * 60)) {
    listener.session_idle = std::chrono::minutes(*minutes);
  }
  if (auto hours = admin.integer("session_hours", 1, 24 * 7)) {
    listener.session_max = std::chrono::hours(*hours);
  }
  return listener;
}

Limits read_limits(const Section& root) {
  const Section limits(root.table("limits"), "limits",
                       {"max_connections", "header_limit_bytes", "body_limit_bytes"});
  Limits result;
  if (auto n = limits.integer("max_connections", 1, kMaxConnections)) {
    result.max_connections = static_cast<std::size_t>(*n);
  }
  if (auto n = limits.integer("header_limit_bytes", 1, kMaxHeaderBytes)) {
    result.header_limit = static_cast<std::size_t>(*n);
  }
  if (auto n = limits.integer("body_limit_bytes", 1, std::numeric_limits<std::int64_t>::max())) {
    result.body_limit = static_cast<std::uint64_t>(*n);
  }
  return result;
}

void read_timeout(const Section& timeouts, std::string_view name, Timeouts::duration& timeout) {
  if (auto seconds = timeouts.number(name, kMinTimeoutSeconds, kMaxTimeoutSeconds)) {
    timeout = std::chrono::round<Timeouts::duration>(std::chrono::duration<double>(*seconds));
  }
}

AlertSettings read_alerts(const Section& root, const fs::path& base, const TlsSettings& tls) {
  const Section alerts(root.table("alerts"), "alerts",
                       {"outbox_age_minutes", "webhook_url", "webhook_ca", "webhook_certificate",
                        "webhook_private_key"});
  AlertSettings result;
  if (const auto minutes = alerts.integer("outbox_age_minutes", 0, 60 * 24 * 365)) {
    result.outbox_age = std::chrono::minutes(*minutes);
  }
  if (auto url = alerts.string("webhook_url")) {
    if (!url->starts_with("https://")) {
      fail("alerts.webhook_url", "must be an https:// URL, got \"" + *url + "\"",
           &alerts.find("webhook_url")->source());
    }
    result.webhook_url = std::move(*url);
    result.webhook_ca = optional_file(alerts, "webhook_ca", base).value_or(tls.client_ca);
    result.webhook_certificate = optional_file(alerts, "webhook_certificate", base).value_or(fs::path());
    result.webhook_private_key = optional_file(alerts, "webhook_private_key", base).value_or(fs::path());
    if (result.webhook_certificate.empty() != result.webhook_private_key.empty()) {
      fail("alerts.webhook_certificate", "webhook_certificate and webhook_private_key go together",
           alerts.where());
    }
  }
  return result;
}

Timeouts read_timeouts(const Section& root) {
  const Section timeouts(
      root.table("timeouts"), "timeouts",
      {"handshake", "request_header", "request", "idle", "write", "shutdown", "grace"});
  Timeouts result;
  read_timeout(timeouts, "handshake", result.handshake);
  read_timeout(timeouts, "request_header", result.request_header);
  read_timeout(timeouts, "request", result.request);
  read_timeout(timeouts, "idle", result.idle);
  read_timeout(timeouts, "write", result.write);
  read_timeout(timeouts, "shutdown", result.shutdown);
  read_timeout(timeouts, "grace", result.grace);
  return result;
}

Endpoint parse_endpoint_option(std::string_view option, const std::string& text) {
  try {
    return Endpoint::parse(text);
  } catch (const std::invalid_argument& e) {
    fail(option, e.what());
  }
}

// Command-line paths are relative to the working directory, as any shell user expects.
void apply_overrides(const Overrides& overrides, Config& config) {
  if (overrides.listen) config.listen = parse_endpoint_option("--listen", *overrides.listen);
  if (overrides.admin_listen) {
    config.admin.listen = parse_endpoint_option("--admin-listen", *overrides.admin_listen);
  }
  if (overrides.data_dir) {
    config.data_dir = fs::absolute(*overrides.data_dir).lexically_normal();
    check_data_dir("--data", config.data_dir, nullptr);
  }
  if (overrides.threads) {
    if (*overrides.threads > kMaxThreads) {
      fail("--threads", "must be between 0 and " + std::to_string(kMaxThreads) + ", got " +
                            std::to_string(*overrides.threads));
    }
    config.threads = *overrides.threads;
  }
}

bool is_wildcard(const std::string& host) {
  return host == "0.0.0.0" || host == "::";
}

// Whether binding both would fail: same port, and the same address or one of them is "any".
bool same_socket(const Endpoint& a, const Endpoint& b) {
  if (a.port == 0 || a.port != b.port) return false;  // port 0: the system picks two free ports
  return a.host == b.host || is_wildcard(a.host) || is_wildcard(b.host);
}

// The member and operator listeners must be two sockets. The error names whichever setting the
// user most likely just changed: a command-line option, else admin.listen, else server.listen.
void check_listeners_differ(const Config& config, const toml::table& document,
                            const Overrides& overrides) {
  if (!same_socket(config.listen, config.admin.listen)) return;
  const std::string problem = config.admin.listen.to_string() + " is also the member listener (" +
                              config.listen.to_string() +
                              "); the member and operator listeners need different ports";
  if (overrides.admin_listen) fail("--admin-listen", problem);
  if (overrides.listen) fail("--listen", problem);
  if (const toml::node* node = document.at_path("admin.listen").node()) {
    fail("admin.listen", problem, &node->source());
  }
  const toml::node* node = document.at_path("server.listen").node();
  fail("server.listen", problem, node == nullptr ? nullptr : &node->source());
}

Config read_document(const toml::table& document, const fs::path& base,
                     const Overrides& overrides) {
  const Section root(&document, "",
                     {"server", "admin", "tls", "signing", "intake", "retention", "alerts",
                      "limits", "timeouts", "members", "operators", "recipients"});
  Config config;
  read_server(root, base, overrides, config);
  config.tls = read_tls(root, base);
  config.admin = read_admin(root, base, config.tls);
  config.signing = read_signing(root, base);
  config.intake = read_intake(root);
  config.retention = read_retention(root);
  config.alerts = read_alerts(root, base, config.tls);
  config.limits = read_limits(root);
  config.timeouts = read_timeouts(root);
  detail::Parties parties = detail::read_parties(root);
  config.members = std::move(parties.members);
  config.operators = std::move(parties.operators);
  config.recipients = detail::read_recipients(root, base, config);
  apply_overrides(overrides, config);
  check_listeners_differ(config, document, overrides);
  return config;
}

// "<path>: TOML syntax error at line 3, column 7: <what toml++ found>".
std::string syntax_error(const toml::parse_error& error) {
  const toml::source_region& where = error.source();
  std::string message;
  if (where.path) message = *where.path + ": ";
  message += "TOML syntax error";
  if (where.begin) {
    message += " at line " + std::to_string(where.begin.line) + ", column " +
               std::to_string(where.begin.column);
  }
  message += ": ";
  message += error.description();
  return message;
}

// `source_name` (the file's path, or empty) is recorded by toml++ in every node's source().
Config parse_text(std::string_view text, std::string_view source_name, const fs::path& base,
                  const Overrides& overrides) {
  toml::table document;
  try {
    document = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    throw ConfigError(syntax_error(error));
  }
  return read_document(document, base, overrides);
}

std::string read_config_file(const fs::path& path) {
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_regular_file(path, ec)) {
    throw ConfigError(path.string() + ": the configuration is not a regular file");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw ConfigError(path.string() + ": cannot read the configuration: " + std::strerror(errno));
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) throw ConfigError(path.string() + ": error while reading the configuration");
  return std::move(text).str();
}

}  // namespace

Config load(const fs::path& file, const Overrides& overrides) {
  const fs::path path = fs::absolute(file).lexically_normal();
  Config config = parse_text(read_config_file(path), path.string(), path.parent_path(), overrides);
  config.source = path;
  return config;
}

Config parse(std::string_view toml_text, const fs::path& base, const Overrides& overrides) {
  return parse_text(toml_text, {}, base, overrides);
}

}  // namespace opcat::config
