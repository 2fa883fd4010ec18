// The real opcat-gateway binary as a child process: signals, exit codes, messages and the log
// lines an operator (or systemd) sees. Hermetic: port 0, a temp dir, a PKI made for this run.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/gateway_log.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/tls_client.hpp"

#ifndef OPCAT_GATEWAY_BINARY
#error "OPCAT_GATEWAY_BINARY must name the opcat-gateway executable (tests/cli/CMakeLists.txt)"
#endif

namespace opcat::cli {
namespace {

namespace fs = std::filesystem;
namespace beast_http = boost::beast::http;
using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::ClientOptions;
using ::testing::HasSubstr;
using testing::IssuedCertificate;
using ::testing::Not;
using testing::Response;
using ::testing::StartsWith;
using testing::TempDir;
using testing::TestPki;
using testing::TlsClient;

constexpr const char* kBinary = OPCAT_GATEWAY_BINARY;
// Generous caps: they turn a hang into a failure on a loaded machine, and are never what a test
// measures. The configured grace period (60 s) is longer, so an exit within the cap is a drain
// that finished, not a grace period that ran out.
constexpr auto kCap = 30s;

using testing::eventually;
using testing::event_is;
using testing::number_field;
using testing::port_of;
using testing::string_field;
using testing::string_member;
using testing::toml_string;

bool logged(const ChildProcess& gateway, const std::string& event) {
  for (const auto& line : gateway.stderr_lines()) {
    if (event_is(event)(line)) return true;
  }
  return false;
}

std::string describe(int status) {
  if (WIFEXITED(status)) return "exited with " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

// The exit code, or -1 when the child did not exit normally (killed) or within the cap.
int exit_code(const std::optional<int>& status) {
  return status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

// Whether a plain TCP connection to 127.0.0.1:port is refused (nothing listens there).
bool connection_refused(unsigned short port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  const int error = errno;
  ::close(fd);
  return connected != 0 && error == ECONNREFUSED;
}

// A TCP socket bound and listening on 127.0.0.1 at a port the system chose: a busy port.
class BusyPort {
 public:
  BusyPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, 1) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot occupy a port: " << std::strerror(errno);
    }
    port_ = ntohs(address.sin_port);
  }
  ~BusyPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  BusyPort(const BusyPort&) = delete;
  BusyPort& operator=(const BusyPort&) = delete;

  unsigned short port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  unsigned short port_ = 0;
};

struct Ports {
  unsigned short member = 0;
  unsigned short admin = 0;
};

// What a finished run of the binary left behind.
struct Finished {
  std::optional<int> status;
  std::string out;
  std::string err;
};

// Runs opcat-gateway with `args` to completion; the child is killed if it outlives the cap.
Finished run(const std::vector<std::string>& args) {
  ChildProcess child(kBinary, args, {"OPCAT_GATEWAY_CONFIG"});
  Finished result;
  result.status = child.wait_exit(kCap);
  result.out = child.stdout_text();
  result.err = child.stderr_text();
  return result;
}

class ServeProcessTest : public ::testing::Test {
 protected:
  ServeProcessTest() : pki_(dir_.path() / "pki") {
    server_ = pki_.issue_server();
    signing_ = pki_.issue_signing();
    TestPki::ClientOptions body;
    body.organisation = "HM Inspectorate of Prisons";
    member_ = pki_.issue_client("hmip", body);
  }

  // A complete configuration: both listeners on port 0, one member and one operator.
  std::string config_text() const {
    std::ostringstream text;
    text << "[server]\n"
         << "listen = \"127.0.0.1:0\"\n"
         << "threads = 2\n"
         << "data_dir = \"data\"\n"
         << "\n[admin]\n"
         << "listen = \"127.0.0.1:0\"\n"
         << "\n[tls]\n"
         << "certificate = " << toml_string(server_.certificate) << "\n"
         << "private_key = " << toml_string(server_.private_key) << "\n"
         << "client_ca = " << toml_string(pki_.ca_certificate()) << "\n"
         << "crl = " << toml_string(pki_.crl()) << "\n"
         << "\n[signing]\n"
         << "certificate = " << toml_string(signing_.certificate) << "\n"
         << "private_key = " << toml_string(signing_.private_key) << "\n"
         << "\n[timeouts]\n"
         << "grace = 60\n"
         << "\n[members.hmip]\n"
         << "name = \"HM Inspectorate of Prisons\"\n"
         << "\n[operators.admin]\n"
         << "name = \"Secretariat administrator\"\n"
         << "role = \"admin\"\n";
    return text.str();
  }

  fs::path write_config(const std::string& text) const {
    const fs::path file = dir_.path() / "gateway.toml";
    std::ofstream(file) << text;
    return file;
  }

  // Replaces the first `from` in `text` by `to`; a test failure if there is none.
  static std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    if (at == std::string::npos) {
      ADD_FAILURE() << "no \"" << from << "\" in the configuration";
      return text;
    }
    return text.replace(at, from.size(), to);
  }

  std::vector<std::string> serve_args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"serve", "--config", write_config(config_text()).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // The ports of the "listening" line; nothing (and a failure) if the gateway never got there.
  static std::optional<Ports> wait_listening(ChildProcess& gateway) {
    const auto line = gateway.wait_for_stderr_line(event_is("listening"), kCap);
    if (!line) {
      ADD_FAILURE() << "no \"listening\" line; stderr so far:\n" << gateway.stderr_text();
      return std::nullopt;
    }
    const auto member = string_field(*line, "member");
    const auto admin = string_field(*line, "admin");
    EXPECT_THAT(member.value_or(""), StartsWith("127.0.0.1:")) << *line;
    EXPECT_THAT(admin.value_or(""), StartsWith("127.0.0.1:")) << *line;
    const auto member_port = port_of(member.value_or(""));
    const auto admin_port = port_of(admin.value_or(""));
    if (!member_port || !admin_port) {
      ADD_FAILURE() << "no ports in " << *line;
      return std::nullopt;
    }
    EXPECT_NE(*member_port, *admin_port);
    return Ports{*member_port, *admin_port};
  }

  ClientOptions as(const IssuedCertificate& who) const {
    ClientOptions options;
    options.ca = pki_.ca_certificate();
    options.certificate = who.certificate;
    options.private_key = who.private_key;
    return options;
  }

  static boost::asio::ip::tcp::endpoint local(unsigned short port) {
    return {boost::asio::ip::address_v4::loopback(), port};
  }

  TempDir dir_{"opcat-serve-test"};
  TestPki pki_;
  IssuedCertificate server_;
  IssuedCertificate signing_;
  IssuedCertificate member_;
};

TEST_F(ServeProcessTest, SigtermLetsTheRequestInFlightFinishAndExitsZero) {
  ChildProcess gateway(kBinary, serve_args({"--log-level", "debug"}), {"OPCAT_GATEWAY_CONFIG"});
  const auto ports = wait_listening(gateway);
  ASSERT_TRUE(ports);

  // A request whose header is in but whose body is not: in flight when the signal comes.
  TlsClient client(local(ports->member), as(member_));
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(
      client.write("GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n\r\nab"));
  const auto received = gateway.wait_for_stderr_line(event_is("request_received"), kCap);
  ASSERT_TRUE(received) << gateway.stderr_text();
  EXPECT_EQ(string_field(*received, "listener"), "member");
  EXPECT_EQ(string_field(*received, "path"), "/v1/whoami");

  ASSERT_TRUE(gateway.signal(SIGTERM));
  const auto draining = gateway.wait_for_stderr_line(event_is("draining"), kCap);
  ASSERT_TRUE(draining) << gateway.stderr_text();
  EXPECT_EQ(string_field(*draining, "cause"), "SIGTERM");
  EXPECT_EQ(number_field(*draining, "open_member_connections"), 1u);

  // Nobody new gets in. The listeners close on their own strands just after the drain starts,
  // so this waits for the refusal rather than expecting it at the very instant of the line.
  EXPECT_TRUE(eventually([&] { return connection_refused(ports->member); }))
      << "the member port still accepts connections while draining";
  EXPECT_TRUE(eventually([&] { return connection_refused(ports->admin); }))
      << "the admin port still accepts connections while draining";

  // The request in flight still gets its whole answer, and is told the connection ends.
  ASSERT_FALSE(client.write("cd"));
  Response response;
  ASSERT_FALSE(client.read(response));
  EXPECT_EQ(response.result(), beast_http::status::ok);
  EXPECT_EQ(response[beast_http::field::connection], "close");
  EXPECT_FALSE(response.keep_alive());
  rapidjson::Document body;
  body.Parse<rapidjson::kParseValidateEncodingFlag>(response.body().data(), response.body().size());
  ASSERT_FALSE(body.HasParseError()) << response.body();
  ASSERT_TRUE(body.IsObject()) << response.body();
  EXPECT_EQ(string_member(body, "member"), "hmip");
  EXPECT_EQ(string_member(body, "name"), "HM Inspectorate of Prisons");
  ASSERT_TRUE(body.HasMember("certificate") && body["certificate"].IsObject()) << response.body();
  EXPECT_EQ(string_member(body["certificate"], "subject"), "O=HM Inspectorate of Prisons,CN=hmip");
  EXPECT_EQ(string_member(body["certificate"], "sha256"), member_.sha256);
  client.close();

  const auto status = gateway.wait_exit(kCap);
  ASSERT_TRUE(status) << "still running " << kCap.count() << " s after SIGTERM:\n"
                      << gateway.stderr_text();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describe(*status);
  EXPECT_TRUE(logged(gateway, "stopped")) << gateway.stderr_text();
  EXPECT_FALSE(logged(gateway, "grace_period_over")) << gateway.stderr_text();

  const auto request = gateway.wait_for_stderr_line(event_is("request"), 0ms);
  ASSERT_TRUE(request) << gateway.stderr_text();
  EXPECT_EQ(number_field(*request, "status"), 200u);
  EXPECT_EQ(string_field(*request, "member"), "hmip");
  EXPECT_EQ(number_field(*request, "bytes_in"), 4u);
}

TEST_F(ServeProcessTest, SigintOnAnIdleGatewayExitsZero) {
  ChildProcess gateway(kBinary, serve_args(), {"OPCAT_GATEWAY_CONFIG"});
  ASSERT_TRUE(wait_listening(gateway));
  ASSERT_TRUE(gateway.signal(SIGINT));

  const auto status = gateway.wait_exit(kCap);
  ASSERT_TRUE(status) << "still running " << kCap.count() << " s after SIGINT:\n"
                      << gateway.stderr_text();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describe(*status);
  const auto draining = gateway.wait_for_stderr_line(event_is("draining"), 0ms);
  ASSERT_TRUE(draining) << gateway.stderr_text();
  EXPECT_EQ(string_field(*draining, "cause"), "SIGINT");
  EXPECT_TRUE(logged(gateway, "stopped"));
  EXPECT_FALSE(logged(gateway, "grace_period_over"));
}

TEST_F(ServeProcessTest, EveryStderrLineOfARunIsAJsonLogLine) {
  ChildProcess gateway(kBinary, serve_args(), {"OPCAT_GATEWAY_CONFIG"});
  const auto ports = wait_listening(gateway);
  ASSERT_TRUE(ports);
  {
    TlsClient client(local(ports->member), as(member_));
    ASSERT_FALSE(client.connect());
    Response response;
    ASSERT_FALSE(client.get("/v1/whoami", response));
    EXPECT_EQ(response.result(), beast_http::status::ok);
    client.close();
  }
  ASSERT_TRUE(gateway.signal(SIGTERM));
  ASSERT_EQ(exit_code(gateway.wait_exit(kCap)), 0) << gateway.stderr_text();
  const auto lines = gateway.stderr_lines();
  EXPECT_GE(lines.size(), 4u);  // starting, listening, request, draining, stopped
  for (const auto& line : lines) {
    EXPECT_TRUE(string_field(line, "event").has_value()) << "not a log line: " << line;
    EXPECT_TRUE(string_field(line, "time").has_value()) << line;
    EXPECT_TRUE(string_field(line, "level").has_value()) << line;
  }
  EXPECT_TRUE(gateway.stdout_text().empty()) << gateway.stdout_text();
}

// A client picks the request path, and the path is logged: bytes that UTF-8 forbids (here a
// UTF-16 surrogate) must not make the gateway's own log unreadable to a strict JSON reader.
TEST_F(ServeProcessTest, HostilePathStillGivesValidJsonLogLines) {
  ChildProcess gateway(kBinary, serve_args({"--log-level", "debug"}), {"OPCAT_GATEWAY_CONFIG"});
  const auto ports = wait_listening(gateway);
  ASSERT_TRUE(ports);
  {
    TlsClient client(local(ports->member), as(member_));
    ASSERT_FALSE(client.connect());
    ASSERT_FALSE(client.write("GET /v1/\xed\xa0\x80 HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    Response response;
    ASSERT_FALSE(client.read(response));
    EXPECT_EQ(response.result(), beast_http::status::not_found);
    client.close();
  }
  ASSERT_TRUE(gateway.signal(SIGTERM));
  ASSERT_EQ(exit_code(gateway.wait_exit(kCap)), 0) << gateway.stderr_text();
  for (const auto& line : gateway.stderr_lines()) {
    EXPECT_TRUE(string_field(line, "event").has_value()) << "not valid JSON: " << line;
  }
}

TEST_F(ServeProcessTest, UnknownKeyExitsTwoNamingTheKey) {
  const Finished result =
      run({"serve", "--config",
           write_config(replaced(config_text(), "\ncertificate = ", "\ncertifcate = ")).string()});
  EXPECT_EQ(exit_code(result.status), 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("tls.certifcate"));
  EXPECT_THAT(result.err, HasSubstr("unknown key"));
  EXPECT_THAT(result.err, Not(HasSubstr(R"("event":"listening")")));
}

TEST_F(ServeProcessTest, MissingReferencedFileExitsTwoNamingTheKey) {
  const fs::path missing = dir_.path() / "nowhere" / "ca.crl";
  const Finished result =
      run({"serve", "--config",
           write_config(replaced(config_text(), "crl = " + toml_string(pki_.crl()),
                                 "crl = " + toml_string(missing)))
               .string()});
  EXPECT_EQ(exit_code(result.status), 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("tls.crl"));
  EXPECT_THAT(result.err, HasSubstr(missing.string()));
  EXPECT_THAT(result.err, Not(HasSubstr(R"("event":"listening")")));
}

TEST_F(ServeProcessTest, BusyMemberPortExitsOneNamingTheAddress) {
  const BusyPort busy;
  const Finished result = run(serve_args({"--listen", busy.address()}));
  EXPECT_EQ(exit_code(result.status), 1) << result.err;
  EXPECT_THAT(result.err, HasSubstr(busy.address()));
  EXPECT_THAT(result.err, HasSubstr("member listener"));
  EXPECT_THAT(result.err, Not(HasSubstr(R"("event":"listening")")));
}

TEST_F(ServeProcessTest, BusyAdminPortExitsOneNamingTheAddress) {
  const BusyPort busy;
  const Finished result = run(serve_args({"--admin-listen", busy.address()}));
  EXPECT_EQ(exit_code(result.status), 1) << result.err;
  EXPECT_THAT(result.err, HasSubstr(busy.address()));
  EXPECT_THAT(result.err, HasSubstr("admin listener"));
  EXPECT_THAT(result.err, Not(HasSubstr(R"("event":"listening")")));
}

TEST_F(ServeProcessTest, KeyFileThatHoldsNoKeyExitsOneNamingTheFile) {
  const fs::path garbage = dir_.path() / "not-a-key.pem";
  std::ofstream(garbage)
      << "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n";
  const Finished result =
      run({"serve", "--config",
           write_config(replaced(config_text(), "private_key = " + toml_string(server_.private_key),
                                 "private_key = " + toml_string(garbage)))
               .string()});
  EXPECT_EQ(exit_code(result.status), 1) << result.err;
  EXPECT_THAT(result.err, HasSubstr(garbage.string()));
  EXPECT_THAT(result.err, Not(HasSubstr(R"("event":"listening")")));
}

TEST(CommandLineTest, HelpPrintsUsageAndExitsZero) {
  const Finished result = run({"--help"});
  EXPECT_EQ(exit_code(result.status), 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("Usage:"));
  EXPECT_THAT(result.out, HasSubstr("serve"));
  EXPECT_THAT(result.out, HasSubstr("version"));
}

TEST(CommandLineTest, ServeHelpListsItsOptionsAndExitsZero) {
  const Finished result = run({"serve", "--help"});  // no --config: help comes first
  EXPECT_EQ(exit_code(result.status), 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("Usage:"));
  for (const char* option :
       {"--config", "--listen", "--admin-listen", "--data", "--threads", "--log-level"}) {
    EXPECT_THAT(result.out, HasSubstr(option));
  }
}

TEST(CommandLineTest, VersionHelpExitsZero) {
  const Finished result = run({"version", "--help"});
  EXPECT_EQ(exit_code(result.status), 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("Usage:"));
  EXPECT_THAT(result.out, HasSubstr("version"));
}

TEST(CommandLineTest, VersionPrintsTheVersionFirst) {
  const Finished result = run({"version"});
  EXPECT_EQ(exit_code(result.status), 0) << result.err;
  const std::string first_line = result.out.substr(0, result.out.find('\n'));
  EXPECT_EQ(first_line, std::string("opcat-gateway ") + OPCAT_EXPECTED_VERSION);
  EXPECT_THAT(result.out, HasSubstr("Boost"));
  EXPECT_THAT(result.out, HasSubstr("OpenSSL"));
  EXPECT_THAT(result.out, HasSubstr("RapidJSON"));
  EXPECT_TRUE(result.err.empty()) << result.err;
}

TEST(CommandLineTest, UnknownSubcommandExitsTwo) {
  const Finished result = run({"frobnicate"});
  EXPECT_EQ(exit_code(result.status), 2) << result.err;
  // CLI11 reports the missing subcommand before the unexpected word (see the report), so only
  // the pointer to --help is certain.
  EXPECT_THAT(result.err, HasSubstr("--help"));
  EXPECT_TRUE(result.out.empty()) << result.out;
}

TEST(CommandLineTest, NoSubcommandExitsTwo) {
  const Finished result = run({});
  EXPECT_EQ(exit_code(result.status), 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("subcommand"));
}

TEST(CommandLineTest, ServeWithoutConfigExitsTwoNamingTheOption) {
  const Finished result = run({"serve"});  // and OPCAT_GATEWAY_CONFIG unset
  EXPECT_EQ(exit_code(result.status), 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("--config"));
}

TEST(CommandLineTest, UnknownLogLevelExitsTwo) {
  testing::TempDir dir("opcat-cli-test");
  const fs::path config = dir.path() / "gateway.toml";
  std::ofstream(config) << "";  // never read: the command line is refused first
  const Finished result = run({"serve", "--config", config.string(), "--log-level", "loud"});
  EXPECT_EQ(exit_code(result.status), 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("loud"));
}

}  // namespace
}  // namespace opcat::cli
