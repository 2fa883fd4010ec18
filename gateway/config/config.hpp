// The gateway's configuration: the model of the TOML file and its validation.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace opcat::config {

// A listening address as written in the config: "127.0.0.1:8443", "[::1]:8443", "localhost:0".
struct Endpoint {
  std::string host;
  unsigned short port = 0;

  std::string to_string() const;
  // Parses "host:port" / "[v6]:port"; throws std::invalid_argument with a readable reason.
  static Endpoint parse(const std::string& text);
};

// How a verified client certificate is recognised as one party (a member or an operator).
// At least one of the two is always set after validation: cn defaults to the party's code.
struct CertificateMatch {
  std::optional<std::string> cn;      // subject common name, exact
  std::vector<std::string> sha256;    // pinned fingerprints, lower-case hex without separators
};

struct Member {
  std::string code;  // from schemas/codelists: "hmip", "imb-ni"...
  std::string name;
  CertificateMatch certificate;
  // How often the member is expected to push; longer without a push raises the member_overdue
  // alert. nullopt: not watched.
  std::optional<std::chrono::hours> expected_interval;
};

enum class Role { viewer, operator_, admin };
const char* to_string(Role role);
// "viewer", "operator", "admin"; throws std::invalid_argument otherwise.
Role parse_role(const std::string& text);

struct Operator {
  std::string name;  // the key in [operators.<name>]
  std::string display_name;
  Role role = Role::viewer;
  CertificateMatch certificate;
};

struct TlsSettings {
  std::filesystem::path certificate;  // server certificate chain (PEM)
  std::filesystem::path private_key;  // its key (PEM)
  std::filesystem::path client_ca;    // CA bundle that client certificates must chain to
  std::filesystem::path crl;          // CRLs for that bundle (PEM, may hold several); always checked
  bool tls13_only = false;            // min_version = "1.3"
};

// The gateway's own signing certificate: receipts (and later payloads) carry a detached CMS
// signature made with it, which members check with stock OpenSSL (certs/README.md).
struct SigningSettings {
  std::filesystem::path certificate;  // PEM; may sign S/MIME (digitalSignature, emailProtection)
  std::filesystem::path private_key;  // its key (PEM, unencrypted)
  std::filesystem::path chain;        // intermediate CAs sent with each signature (PEM); empty: none
};

// Pushed exports: normalised, validated and committed off the I/O threads.
struct IntakeSettings {
  unsigned workers = 0;             // threads that normalise and commit; 0 = one per core
  std::size_t receipt_errors = 20;  // how many of the first errors a receipt lists
};

// [alerts]: conditions operators are told about once when they arise and once when they end.
struct AlertSettings {
  // A recipient's oldest undelivered delivery older than this raises outbox_age; zero: off.
  std::chrono::minutes outbox_age{60};
  // Optional: each raise and clear POSTed there as JSON (app/alert_webhook.hpp). Empty: none.
  std::string webhook_url;
  std::filesystem::path webhook_ca;           // verifies its certificate; default tls.client_ca
  std::filesystem::path webhook_certificate;  // a client certificate to present; optional
  std::filesystem::path webhook_private_key;
};

struct RetentionSettings {
  unsigned bodies_days = 400;  // raw bodies are kept this many days; 0 = forever
  // And at most this many MiB of them, the oldest pruned first; 0 = no cap. Never a body
  // received in the last hour (it may still be being processed).
  std::uint64_t bodies_max_mib = 0;
};

struct Limits {
  std::size_t max_connections = 1024;   // per listener; excess connections are closed at accept
  std::size_t header_limit = 16 * 1024;  // bytes of request line + headers
  std::uint64_t body_limit = 256ull * 1024 * 1024;
};

struct Timeouts {
  using duration = std::chrono::milliseconds;
  duration handshake{10'000};       // TCP accepted -> TLS handshake done
  duration request_header{10'000};  // first byte of a request -> end of its headers
  duration request{300'000};        // first byte of a request -> end of its body
  duration idle{30'000};            // keep-alive wait for the next request
  duration write{60'000};           // writing one response
  duration shutdown{5'000};         // TLS close_notify exchange
  duration grace{30'000};           // SIGTERM: time given to requests in flight
};

struct AdminListener {
  Endpoint listen{"127.0.0.1", 8444};
  std::filesystem::path client_ca;  // defaults to tls.client_ca
  std::filesystem::path crl;        // defaults to tls.crl
  // The browser console (opt-in): a client certificate becomes optional on this listener (one presented
  // is still verified); a caller without one reaches only the console's files and its login,
  // and then acts through a session cookie (docs/console.md).
  bool console = false;
  std::chrono::minutes session_idle{30};  // a console session ends after this long unused
  std::chrono::hours session_max{12};     // and after this long in any case
};

// ---- Recipients: where consolidated submissions are delivered ([recipients.<name>]) -------------

// How a submission reaches a recipient.
enum class DeliveryMode {
  push,    // the gateway POSTs it to the recipient's HTTPS endpoint (mutual TLS)
  pull,    // the recipient fetches it from the gateway with its own client certificate
  folder,  // written into a directory (payload, .p7s, manifest.json) for an air-gapped hand-over
};
const char* to_string(DeliveryMode mode);

enum class PayloadFormat { json, xml };
const char* to_string(PayloadFormat format);

// A recipient may be down for days: retries back off up to max, and give up only after a week.
struct RetryPolicy {
  std::chrono::milliseconds initial{2'000};  // the ceiling of the first retry's wait
  std::chrono::milliseconds max{900'000};    // no wait is ever longer
  std::chrono::hours give_up_after{168};     // from enqueue: then the delivery is a dead letter
};

// "daily HH:MM" (UTC): when a consolidation for this recipient is started on its own.
struct DailySchedule {
  int hour = 0;
  int minute = 0;
  // Parses "daily HH:MM"; throws std::invalid_argument with the reason.
  static DailySchedule parse(const std::string& text);
  std::string to_string() const;
};

struct Recipient {
  std::string name;  // the key in [recipients.<name>]: "npm", "spt"
  DeliveryMode mode = DeliveryMode::push;
  std::string url;               // push: https://host:port/path of the recipient's endpoint
  std::filesystem::path ca;      // verifies its server certificate and its receipts' signatures
  std::filesystem::path certificate;  // the client certificate the gateway presents (push)
  std::filesystem::path private_key;  // its key; both default to [tls]'s
  std::filesystem::path folder;       // folder mode: where deliveries are written
  PayloadFormat format = PayloadFormat::json;
  std::filesystem::path policy;         // data policy file (schemas/policies/<profile>.toml)
  std::filesystem::path pseudonym_key;  // key for pseudonymised identifiers; empty: none
  RetryPolicy retry;
  std::optional<DailySchedule> schedule;  // nullopt: on demand only
  std::string client_cn;  // pull: the CN of the recipient's client certificate
};

struct Config {
  std::filesystem::path source;  // the file it was read from (empty for built-in defaults)
  Endpoint listen{"127.0.0.1", 8443};
  AdminListener admin;
  unsigned threads = 0;  // 0 = one per core
  std::filesystem::path data_dir = "var";
  TlsSettings tls;
  std::optional<SigningSettings> signing;  // absent when the file has no [signing]
  IntakeSettings intake;
  RetentionSettings retention;
  AlertSettings alerts;
  Limits limits;
  Timeouts timeouts;
  std::map<std::string, Member> members;      // by code
  std::map<std::string, Operator> operators;  // by name
  std::map<std::string, Recipient> recipients;  // by name
};

// Thrown for any invalid configuration; what() names the key ("limits.body_limit: ...").
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Command-line values that override the file (serve --listen/--admin-listen/--data/--threads).
struct Overrides {
  std::optional<std::string> listen;
  std::optional<std::string> admin_listen;
  std::optional<std::filesystem::path> data_dir;
  std::optional<unsigned> threads;
};

// Reads and validates a config file. Relative paths in the file are resolved against the file's
// folder; overrides given on the command line are resolved against the working directory.
// Every referenced file must exist and be readable. Throws ConfigError.
Config load(const std::filesystem::path& file, const Overrides& overrides = {});

// The same from TOML text (tests); `base` resolves relative paths.
Config parse(std::string_view toml_text, const std::filesystem::path& base,
             const Overrides& overrides = {});

}  // namespace opcat::config
