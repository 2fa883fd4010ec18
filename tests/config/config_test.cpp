// Tests of the configuration model: the example file, defaults, and every validation rule.
#include "gateway/config/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

namespace opcat::config {
namespace {
namespace fs = std::filesystem;
using testing::HasSubstr;
using testing::StartsWith;

// A fresh folder under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("opcat-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }

  // Writes `text` to the relative path `name`, creating its folders; returns the full path.
  fs::path write(const fs::path& name, const std::string& text = "") const {
    const fs::path file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file;
  }

 private:
  fs::path path_;
};

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The message of the ConfigError that `action` throws; a test failure if it throws none.
std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return {};
}

// Every test config lives in <tmp>/etc; the TLS files are empty placeholders in <tmp>/pki,
// since the config checks that they exist, not what they contain.
class ConfigTest : public testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"server.crt", "server.key", "ca.crt", "ca.crl", "signing.crt",
                             "signing.key", "chain.pem"}) {
      dir_.write(fs::path("pki") / name);
    }
    fs::create_directories(base());
  }

  fs::path base() const { return dir_.path() / "etc"; }

  static constexpr std::string_view kTls = R"(
[tls]
certificate = "../pki/server.crt"
private_key = "../pki/server.key"
client_ca = "../pki/ca.crt"
crl = "../pki/ca.crl"
)";

  // A valid config: the [tls] section plus `extra`.
  Config parse_with(const std::string& extra, const Overrides& overrides = {}) const {
    return parse(std::string(kTls) + extra, base(), overrides);
  }

  std::string error_with(const std::string& extra, const Overrides& overrides = {}) const {
    return error_of([&] { parse_with(extra, overrides); });
  }

  TempDir dir_;
};

// ---- The example file -------------------------------------------------------------------------

const fs::path kSource = OPCAT_SOURCE_DIR;

// A copy of gateway/gateway.example.toml in <tmp>/gateway, with the files it names (relative to
// its folder: ../certs/dev/...) as empty placeholders, the way `certs/dev-pki certs/dev` lays them
// out.
class ExampleConfigTest : public testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"gateway.crt", "gateway.key", "gateway-signing.crt",
                             "gateway-signing.key", "ca.crt", "ca.crl", "gateway-client.crt",
                             "gateway-client.key", "spt-pseudonym.key"}) {
      dir_.write(fs::path("certs/dev") / name);
    }
    for (const char* policy : {"npm.toml", "spt.toml"}) {
      dir_.write(fs::path("schemas/policies") / policy);
    }
    file_ = dir_.write("gateway/gateway.toml", read_text(kSource / "gateway/gateway.example.toml"));
  }

  TempDir dir_;
  fs::path file_;
};

TEST_F(ExampleConfigTest, LoadsWhenItsFilesExist) {
  const Config config = load(file_);
  const fs::path certs = dir_.path() / "certs/dev";
  EXPECT_EQ(config.source, file_);
  EXPECT_EQ(config.listen.to_string(), "127.0.0.1:8443");
  EXPECT_EQ(config.admin.listen.to_string(), "127.0.0.1:8444");
  EXPECT_EQ(config.data_dir, dir_.path() / "var");
  EXPECT_EQ(config.tls.certificate, certs / "gateway.crt");
  EXPECT_EQ(config.tls.private_key, certs / "gateway.key");
  EXPECT_EQ(config.tls.client_ca, certs / "ca.crt");
  EXPECT_EQ(config.tls.crl, certs / "ca.crl");
  EXPECT_EQ(config.admin.client_ca, certs / "ca.crt");
  EXPECT_EQ(config.admin.crl, certs / "ca.crl");
  EXPECT_FALSE(config.tls.tls13_only);
  ASSERT_TRUE(config.signing.has_value());
  EXPECT_EQ(config.signing->certificate, certs / "gateway-signing.crt");
  EXPECT_EQ(config.signing->private_key, certs / "gateway-signing.key");
  EXPECT_TRUE(config.signing->chain.empty());
  EXPECT_EQ(config.intake.workers, 0u);
  EXPECT_EQ(config.intake.receipt_errors, 20u);
  EXPECT_EQ(config.retention.bodies_days, 400u);
  // The two local inboxes scripts/run starts.
  ASSERT_EQ(config.recipients.size(), 2u);
  EXPECT_EQ(config.recipients.at("npm").url, "https://localhost:9443/v1/deliveries");
  EXPECT_EQ(config.recipients.at("spt").url, "https://localhost:9444/v1/deliveries");
  EXPECT_EQ(config.recipients.at("spt").policy, dir_.path() / "schemas/policies/spt.toml");
  EXPECT_EQ(config.recipients.at("spt").pseudonym_key, certs / "spt-pseudonym.key");
  EXPECT_TRUE(config.recipients.at("spt").schedule.has_value());
  EXPECT_FALSE(config.recipients.at("npm").schedule.has_value());
}

// A certs/dev written before dev-pki issued the signing certificate: the error says which file.
TEST_F(ExampleConfigTest, ReportsAMissingSigningCertificate) {
  fs::remove(dir_.path() / "certs/dev/gateway-signing.crt");
  const std::string error = error_of([&] { load(file_); });
  EXPECT_THAT(error, StartsWith("signing.certificate: " +
                                (dir_.path() / "certs/dev/gateway-signing.crt").string() +
                                " does not exist"));
  EXPECT_THAT(error, HasSubstr(file_.string() + ", line "));
}

TEST_F(ExampleConfigTest, ListsExactlyTheMembersOfTheCodeList) {
  std::map<std::string, std::string> expected;  // code -> name
  std::ifstream codelist(kSource / "schemas/codelists/members.tsv");
  std::string line;
  std::getline(codelist, line);  // the header
  while (std::getline(codelist, line)) {
    if (line.empty()) continue;
    const std::size_t tab = line.find('\t');
    expected.emplace(line.substr(0, tab), line.substr(tab + 1));
  }
  ASSERT_EQ(expected.size(), 21u);

  std::map<std::string, std::string> listed;
  for (const auto& [code, member] : load(file_).members) {
    listed.emplace(code, member.name);
    EXPECT_EQ(member.code, code);
    // dev-pki issues each member's certificate with its code as the CN.
    EXPECT_EQ(member.certificate.cn, code);
  }
  EXPECT_EQ(listed, expected);
}

TEST_F(ExampleConfigTest, HasOneOperatorOfEachRole) {
  const Config config = load(file_);
  ASSERT_EQ(config.operators.size(), 3u);
  for (const Role role : {Role::admin, Role::operator_, Role::viewer}) {
    const Operator& op = config.operators.at(to_string(role));
    EXPECT_EQ(op.role, role);
    EXPECT_EQ(op.certificate.cn, to_string(role));
    EXPECT_FALSE(op.display_name.empty());
  }
}

TEST_F(ExampleConfigTest, ReportsTheFileWhenACertificateIsMissing) {
  fs::remove(dir_.path() / "certs/dev/ca.crl");
  const std::string error = error_of([&] { load(file_); });
  EXPECT_THAT(error, StartsWith("tls.crl: "));
  EXPECT_THAT(error, HasSubstr((dir_.path() / "certs/dev/ca.crl").string() + " does not exist"));
  EXPECT_THAT(error, HasSubstr(file_.string() + ", line "));
}

// ---- Loading ------------------------------------------------------------------------------------

TEST_F(ConfigTest, LoadResolvesPathsAgainstTheFilesFolderNotTheWorkingDirectory) {
  const fs::path file = dir_.write("etc/gateway.toml", std::string(kTls));
  const Config config = load(file);
  EXPECT_EQ(config.tls.crl, dir_.path() / "pki/ca.crl");
  EXPECT_EQ(config.data_dir, base() / "var");
}

TEST_F(ConfigTest, LoadOfAMissingFileNamesThePath) {
  const fs::path missing = base() / "absent.toml";
  EXPECT_THAT(error_of([&] { load(missing); }),
              StartsWith(missing.string() + ": cannot read the configuration"));
  EXPECT_THAT(error_of([&] { load(base()); }), HasSubstr("not a regular file"));
}

TEST_F(ConfigTest, SyntaxErrorGivesLineAndColumn) {
  EXPECT_THAT(error_of([&] { parse("[server]\nthreads = 4\nlisten = \n", base()); }),
              StartsWith("TOML syntax error at line 3, column "));
  const fs::path file = dir_.write("etc/broken.toml", "[tls]\ncertificate = \"unterminated\n");
  EXPECT_THAT(error_of([&] { load(file); }),
              StartsWith(file.string() + ": TOML syntax error at line 2, column "));
}

// ---- Defaults and values ----------------------------------------------------------------------

TEST_F(ConfigTest, DefaultsApplyToEverythingButTheTlsFiles) {
  const Config config = parse_with("");
  const Config defaults;
  EXPECT_TRUE(config.source.empty());
  EXPECT_EQ(config.listen.to_string(), "127.0.0.1:8443");
  EXPECT_EQ(config.admin.listen.to_string(), "127.0.0.1:8444");
  EXPECT_EQ(config.threads, 0u);
  EXPECT_EQ(config.data_dir, base() / "var");
  EXPECT_EQ(config.admin.client_ca, config.tls.client_ca);
  EXPECT_EQ(config.admin.crl, config.tls.crl);
  EXPECT_FALSE(config.tls.tls13_only);
  EXPECT_EQ(config.limits.max_connections, 1024u);
  EXPECT_EQ(config.limits.header_limit, 16u * 1024);
  EXPECT_EQ(config.limits.body_limit, 256ull * 1024 * 1024);
  EXPECT_EQ(config.timeouts.handshake, std::chrono::seconds(10));
  EXPECT_EQ(config.timeouts.request, std::chrono::seconds(300));
  EXPECT_EQ(config.timeouts.grace, defaults.timeouts.grace);
  EXPECT_FALSE(config.signing.has_value());
  EXPECT_EQ(config.intake.workers, 0u);
  EXPECT_EQ(config.intake.receipt_errors, 20u);
  EXPECT_EQ(config.retention.bodies_days, 400u);
  EXPECT_TRUE(config.members.empty());
  EXPECT_TRUE(config.operators.empty());
}

TEST_F(ConfigTest, ReadsAlertSettingsAndMembersExpectedIntervals) {
  const Config config = parse_with(R"(
[alerts]
outbox_age_minutes = 30
[members.hmip]
name = "HM Inspectorate of Prisons"
expected_interval_hours = 168
[members.icva]
name = "ICVA"
)");
  EXPECT_EQ(config.alerts.outbox_age, std::chrono::minutes(30));
  EXPECT_EQ(config.members.at("hmip").expected_interval, std::chrono::hours(168));
  EXPECT_FALSE(config.members.at("icva").expected_interval.has_value());
  EXPECT_EQ(parse_with("").alerts.outbox_age, std::chrono::minutes(60));
  EXPECT_THAT(error_with("[members.hmip]\nname = \"x\"\nexpected_interval_hours = 0\n"),
              HasSubstr("members.hmip.expected_interval_hours"));
  EXPECT_THAT(error_with("[alerts]\nwebhook = \"x\"\n"), HasSubstr("alerts.webhook"));
}

TEST_F(ConfigTest, ReadsEveryValue) {
  dir_.write("pki/operators-ca.crt");
  dir_.write("pki/operators-ca.crl");
  const Config config = parse_with(R"(
min_version = "1.3"
[server]
listen = "[::1]:9443"
threads = 4
data_dir = "/srv/opcat"
[admin]
listen = "0.0.0.0:0"
client_ca = "../pki/operators-ca.crt"
crl = "../pki/operators-ca.crl"
[signing]
certificate = "../pki/signing.crt"
private_key = "../pki/signing.key"
chain = "../pki/chain.pem"
[intake]
workers = 3
receipt_errors = 0
[retention]
bodies_days = 0
[limits]
max_connections = 10
header_limit_bytes = 8192
body_limit_bytes = 1048576
[timeouts]
handshake = 0.5
request_header = 2
request = 600
idle = 0.25
write = 1.5
shutdown = 1
grace = 45
)");
  EXPECT_TRUE(config.tls.tls13_only);
  EXPECT_EQ(config.listen.host, "::1");
  EXPECT_EQ(config.listen.port, 9443);
  EXPECT_EQ(config.threads, 4u);
  EXPECT_EQ(config.data_dir, fs::path("/srv/opcat"));
  EXPECT_EQ(config.admin.listen.to_string(), "0.0.0.0:0");
  EXPECT_EQ(config.admin.client_ca, dir_.path() / "pki/operators-ca.crt");
  EXPECT_EQ(config.admin.crl, dir_.path() / "pki/operators-ca.crl");
  ASSERT_TRUE(config.signing.has_value());
  EXPECT_EQ(config.signing->certificate, dir_.path() / "pki/signing.crt");
  EXPECT_EQ(config.signing->private_key, dir_.path() / "pki/signing.key");
  EXPECT_EQ(config.signing->chain, dir_.path() / "pki/chain.pem");
  EXPECT_EQ(config.intake.workers, 3u);
  EXPECT_EQ(config.intake.receipt_errors, 0u);
  EXPECT_EQ(config.retention.bodies_days, 0u);
  EXPECT_EQ(config.limits.max_connections, 10u);
  EXPECT_EQ(config.limits.header_limit, 8192u);
  EXPECT_EQ(config.limits.body_limit, 1048576u);
  using std::chrono::milliseconds;
  EXPECT_EQ(config.timeouts.handshake, milliseconds(500));
  EXPECT_EQ(config.timeouts.request_header, milliseconds(2000));
  EXPECT_EQ(config.timeouts.request, milliseconds(600'000));
  EXPECT_EQ(config.timeouts.idle, milliseconds(250));
  EXPECT_EQ(config.timeouts.write, milliseconds(1500));
  EXPECT_EQ(config.timeouts.shutdown, milliseconds(1000));
  EXPECT_EQ(config.timeouts.grace, milliseconds(45'000));
}

// ---- Types, ranges, unknown and missing keys --------------------------------------------------

TEST_F(ConfigTest, WrongTypeNamesKeyExpectedAndActualType) {
  EXPECT_THAT(error_with("[limits]\nbody_limit_bytes = \"256M\"\n"),
              StartsWith("limits.body_limit_bytes: expected an integer, got a string"));
  EXPECT_THAT(error_with("[server]\nthreads = 2.5\n"),
              StartsWith("server.threads: expected an integer, got a float"));
  EXPECT_THAT(error_with("[timeouts]\nidle = \"30s\"\n"),
              StartsWith("timeouts.idle: expected a number, got a string"));
  EXPECT_THAT(error_with("[server]\nlisten = 8443\n"),
              StartsWith("server.listen: expected a string, got an integer"));
  EXPECT_THAT(error_with("[intake]\nworkers = \"4\"\n"),
              StartsWith("intake.workers: expected an integer, got a string"));
  EXPECT_THAT(error_of([&] { parse("signing = true\n" + std::string(kTls), base()); }),
              StartsWith("signing: expected a table, got a boolean"));
  EXPECT_THAT(error_of([&] { parse("limits = 5\n" + std::string(kTls), base()); }),
              StartsWith("limits: expected a table, got an integer"));
  EXPECT_THAT(error_of([&] { parse("[tls]\ncertificate = true\n", base()); }),
              StartsWith("tls.certificate: expected a string, got a boolean"));
}

TEST_F(ConfigTest, ErrorsInTheFileGiveTheirLine) {
  EXPECT_THAT(error_with("[limits]\nbody_limit_bytes = \"256M\"\n"), HasSubstr("(line 8, column"));
}

TEST_F(ConfigTest, IntegersAndTimeoutsMustBeInRange) {
  EXPECT_THAT(error_with("[server]\nthreads = 1025\n"),
              StartsWith("server.threads: must be between 0 and 1024, got 1025"));
  EXPECT_THAT(error_with("[server]\nthreads = -1\n"), StartsWith("server.threads: must be"));
  EXPECT_THAT(error_with("[limits]\nmax_connections = 0\n"),
              StartsWith("limits.max_connections: must be between 1 and"));
  EXPECT_THAT(error_with("[limits]\nbody_limit_bytes = -5\n"),
              StartsWith("limits.body_limit_bytes: must be between 1 and"));
  EXPECT_THAT(error_with("[timeouts]\nidle = 0\n"), StartsWith("timeouts.idle: must be between"));
  EXPECT_THAT(error_with("[timeouts]\nwrite = -1.5\n"), StartsWith("timeouts.write: must be"));
  EXPECT_THAT(error_with("[timeouts]\nrequest = nan\n"),
              StartsWith("timeouts.request: must be between 0.001 and 86400, got nan"));
  EXPECT_THAT(error_with("[timeouts]\ngrace = inf\n"), StartsWith("timeouts.grace: must be"));
  EXPECT_THAT(error_with("[intake]\nworkers = 1025\n"),
              StartsWith("intake.workers: must be between 0 and 1024, got 1025"));
  EXPECT_THAT(error_with("[intake]\nreceipt_errors = 1001\n"),
              StartsWith("intake.receipt_errors: must be between 0 and 1000, got 1001"));
  EXPECT_THAT(error_with("[intake]\nreceipt_errors = -1\n"),
              StartsWith("intake.receipt_errors: must be"));
  EXPECT_THAT(error_with("[retention]\nbodies_days = -1\n"),
              StartsWith("retention.bodies_days: must be between 0 and 36500, got -1"));
  EXPECT_THAT(error_with("[retention]\nbodies_days = 36501\n"),
              StartsWith("retention.bodies_days: must be"));
  EXPECT_EQ(parse_with("[retention]\nbodies_days = 36500\n").retention.bodies_days, 36500u);
  EXPECT_EQ(parse_with("[intake]\nreceipt_errors = 1000\n").intake.receipt_errors, 1000u);
}

TEST_F(ConfigTest, UnknownKeyIsNamedWherever) {
  EXPECT_THAT(error_with("[serverr]\nthreads = 1\n"),
              StartsWith("serverr: unknown key; did you mean \"server\"?"));
  EXPECT_THAT(error_of([&] { parse("[tls]\ncertifcate = \"../pki/server.crt\"\n", base()); }),
              StartsWith("tls.certifcate: unknown key"));
  EXPECT_THAT(error_with("[timeouts]\nread = 5\n"), StartsWith("timeouts.read: unknown key"));
  EXPECT_THAT(error_with("[members.hmip]\nname = \"HMIP\"\ncn = \"hmip\"\n"),
              StartsWith("members.hmip.cn: unknown key"));
  EXPECT_THAT(error_with("[operators.ann]\nname = \"Ann\"\nrole = \"admin\"\nrol = \"x\"\n"),
              StartsWith("operators.ann.rol: unknown key"));
}

TEST_F(ConfigTest, MissingRequiredKeyIsNamed) {
  EXPECT_THAT(error_of([&] { parse("", base()); }),
              StartsWith("tls.certificate: required key is missing"));
  const std::string without_crl =
      "[tls]\ncertificate = \"../pki/server.crt\"\nprivate_key = \"../pki/server.key\"\n"
      "client_ca = \"../pki/ca.crt\"\n";
  EXPECT_THAT(error_of([&] { parse(without_crl, base()); }),
              StartsWith("tls.crl: required key is missing"));
}

TEST_F(ConfigTest, EmptyStringIsRejected) {
  EXPECT_THAT(error_with("[server]\ndata_dir = \"\"\n"),
              StartsWith("server.data_dir: must not be empty"));
}

TEST_F(ConfigTest, TlsVersionMustBeKnown) {
  EXPECT_THAT(error_with("min_version = \"1.1\"\n"),
              StartsWith("tls.min_version: expected \"1.2\" or \"1.3\", got \"1.1\""));
}

// ---- Referenced files ---------------------------------------------------------------------------

TEST_F(ConfigTest, MissingFileNamesKeyAndResolvedPath) {
  fs::remove(dir_.path() / "pki/server.key");
  EXPECT_THAT(error_with(""),
              StartsWith("tls.private_key: " + (dir_.path() / "pki/server.key").string() +
                         " does not exist"));
}

TEST_F(ConfigTest, AdminFilesAreCheckedToo) {
  EXPECT_THAT(
      error_with("[admin]\ncrl = \"../pki/operators.crl\"\n"),
      StartsWith("admin.crl: " + (dir_.path() / "pki/operators.crl").string() + " does not exist"));
}

TEST_F(ConfigTest, ReferencedFileMustBeARegularFile) {
  fs::create_directories(dir_.path() / "pki/folder");
  EXPECT_THAT(error_with("[admin]\nclient_ca = \"../pki/folder\"\n"),
              StartsWith("admin.client_ca: " + (dir_.path() / "pki/folder").string() +
                         " is not a regular file"));
}

TEST_F(ConfigTest, SigningNeedsCertificateAndKeyWhenPresent) {
  const Config without_chain = parse_with(
      "[signing]\ncertificate = \"../pki/signing.crt\"\n"
      "private_key = \"../pki/signing.key\"\n");
  ASSERT_TRUE(without_chain.signing.has_value());
  EXPECT_TRUE(without_chain.signing->chain.empty());

  EXPECT_THAT(error_with("[signing]\n"),
              StartsWith("signing.certificate: required key is missing"));
  EXPECT_THAT(error_with("[signing]\ncertificate = \"../pki/signing.crt\"\n"),
              StartsWith("signing.private_key: required key is missing"));
  EXPECT_THAT(error_with("[signing]\ncertificate = \"../pki/signing.crt\"\n"
                         "private_key = \"../pki/signing.key\"\nkey = \"x\"\n"),
              StartsWith("signing.key: unknown key"));
  EXPECT_THAT(error_with("signing = \"../pki/signing.crt\"\n"),
              StartsWith("tls.signing: unknown key"));  // after [tls], a key of that table
}

TEST_F(ConfigTest, SigningFilesMustExist) {
  EXPECT_THAT(error_with("[signing]\ncertificate = \"../pki/signing.crt\"\n"
                         "private_key = \"../pki/absent.key\"\n"),
              StartsWith("signing.private_key: " + (dir_.path() / "pki/absent.key").string() +
                         " does not exist"));
  EXPECT_THAT(
      error_with("[signing]\ncertificate = \"../pki/signing.crt\"\n"
                 "private_key = \"../pki/signing.key\"\nchain = \"../pki\"\n"),
      StartsWith("signing.chain: " + (dir_.path() / "pki").string() + " is not a regular file"));
}

TEST_F(ConfigTest, DataDirMayBeAbsentButNotAFile) {
  EXPECT_EQ(parse_with("[server]\ndata_dir = \"new/data\"\n").data_dir, base() / "new/data");
  dir_.write("etc/occupied");
  EXPECT_THAT(error_with("[server]\ndata_dir = \"occupied\"\n"),
              StartsWith("server.data_dir: " + (base() / "occupied").string() +
                         " exists and is not a directory"));
}

// ---- Endpoints ----------------------------------------------------------------------------------

TEST(EndpointTest, ParsesHostAndPortAndWritesThemBack) {
  for (const char* text : {"127.0.0.1:8443", "localhost:0", "gateway.npm.example:65535",
                           "[::1]:8443", "[::]:1", "0.0.0.0:443"}) {
    EXPECT_EQ(Endpoint::parse(text).to_string(), text);
  }
  const Endpoint v6 = Endpoint::parse("[fe80::1]:8443");
  EXPECT_EQ(v6.host, "fe80::1");
  EXPECT_EQ(v6.port, 8443);
}

TEST(EndpointTest, RejectsMalformedAddressesWithAReason) {
  const auto reason = [](const std::string& text) -> std::string {
    try {
      Endpoint::parse(text);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_THAT(reason("8443"), HasSubstr("expected \"host:port\""));
  EXPECT_THAT(reason(":8443"), HasSubstr("the host is missing"));
  EXPECT_THAT(reason("localhost:"), HasSubstr("port must be a number from 0 to 65535"));
  EXPECT_THAT(reason("localhost:65536"), HasSubstr("port must be"));
  EXPECT_THAT(reason("localhost:-1"), HasSubstr("port must be"));
  EXPECT_THAT(reason("localhost:84a3"), HasSubstr("port must be"));
  EXPECT_THAT(reason("::1:8443"), HasSubstr("must be in brackets"));
  EXPECT_THAT(reason("[::1]8443"), HasSubstr("expected \"host:port\""));
  EXPECT_THAT(reason("[not-v6]:8443"), HasSubstr("is not an IPv6 address"));
  EXPECT_THAT(reason("bad host:8443"), HasSubstr("is not a host name or address"));
}

TEST_F(ConfigTest, BadListenAddressNamesTheKey) {
  EXPECT_THAT(error_with("[server]\nlisten = \"localhost\"\n"),
              StartsWith("server.listen: expected \"host:port\""));
  EXPECT_THAT(error_with("[admin]\nlisten = \"localhost:99999\"\n"),
              StartsWith("admin.listen: port must be"));
}

TEST_F(ConfigTest, ListenersMustDifferUnlessThePortIsChosenBySystem) {
  EXPECT_THAT(error_with("[admin]\nlisten = \"127.0.0.1:8443\"\n"),
              StartsWith("admin.listen: 127.0.0.1:8443 is also the member listener"));
  // "any address" overlaps every address on the same port.
  EXPECT_THAT(error_with("[server]\nlisten = \"0.0.0.0:8444\"\n"),
              StartsWith("server.listen: 127.0.0.1:8444 is also the member listener"));
  const Config config =
      parse_with("[server]\nlisten = \"127.0.0.1:0\"\n[admin]\nlisten = \"127.0.0.1:0\"\n");
  EXPECT_EQ(config.listen.port, 0);
  EXPECT_EQ(config.admin.listen.port, 0);
  EXPECT_NO_THROW(parse_with("[admin]\nlisten = \"127.0.0.2:8443\"\n"));
}

// ---- Members and operators --------------------------------------------------------------------

TEST_F(ConfigTest, MemberNeedsAValidCodeAndAName) {
  EXPECT_THAT(error_with("[members.HMIP]\nname = \"HMIP\"\n"),
              StartsWith("members.HMIP: the name must match ^[a-z][a-z0-9-]*$"));
  EXPECT_THAT(error_with("[members.2nd]\nname = \"x\"\n"), StartsWith("members.2nd: the name"));
  EXPECT_THAT(error_with("[members.hmip]\ncertificate_cn = \"hmip\"\n"),
              StartsWith("members.hmip.name: required key is missing"));
  EXPECT_THAT(error_with("[members.hmip]\nname = \"\"\n"),
              StartsWith("members.hmip.name: must not be empty"));
  EXPECT_THAT(error_with("[members]\nhmip = \"HM Inspectorate of Prisons\"\n"),
              StartsWith("members.hmip: expected a table, got a string"));
}

TEST_F(ConfigTest, CertificateCnDefaultsToTheCode) {
  const Config config = parse_with(R"toml(
[members.imb-ni]
name = "Independent Monitoring Boards (Northern Ireland)"
[members.cqc]
name = "Care Quality Commission"
certificate_cn = "cqc-gateway"
)toml");
  EXPECT_EQ(config.members.at("imb-ni").certificate.cn, "imb-ni");
  EXPECT_EQ(config.members.at("cqc").certificate.cn, "cqc-gateway");
  EXPECT_TRUE(config.members.at("cqc").certificate.sha256.empty());
}

TEST_F(ConfigTest, TwoMembersMayNotShareACertificateCn) {
  const std::string error = error_with(R"(
[members.hmip]
name = "HM Inspectorate of Prisons"
[members.imb]
name = "Independent Monitoring Boards"
certificate_cn = "hmip"
)");
  EXPECT_THAT(error, StartsWith("members.imb.certificate_cn: CN \"hmip\""));
  EXPECT_THAT(error, HasSubstr("members.hmip"));
}

TEST_F(ConfigTest, OperatorCnMayNotBeAMemberCn) {
  // The operator's CN defaults to its name, which happens to be a member code.
  const std::string error = error_with(R"(
[members.lo]
name = "Lay Observers"
[operators.lo]
name = "Lisa Owen"
role = "admin"
)");
  EXPECT_THAT(error, StartsWith("operators.lo.certificate_cn: CN \"lo\" (by default the operator "
                                "name) is also the certificate CN of members.lo"));
  EXPECT_THAT(error, HasSubstr("a member's certificate must never pass for an operator's"));
}

TEST_F(ConfigTest, TwoOperatorsMayNotShareACertificateCn) {
  const std::string error = error_with(R"(
[operators.ann]
name = "Ann"
role = "admin"
[operators.bob]
name = "Bob"
role = "viewer"
certificate_cn = "ann"
)");
  EXPECT_THAT(error, StartsWith("operators.bob.certificate_cn: CN \"ann\""));
  EXPECT_THAT(error, HasSubstr("operators.ann"));
}

const std::string kPin(64, 'a');

TEST_F(ConfigTest, FingerprintsAreNormalisedToLowerCaseWithoutColons) {
  std::string with_colons = "AB";  // "AB:AB:...": how openssl x509 -fingerprint prints it
  std::string normalised = "ab";
  for (int i = 1; i < 32; ++i) {
    with_colons += ":AB";
    normalised += "ab";
  }
  const Config config = parse_with("[members.hmip]\nname = \"HMIP\"\ncertificate_sha256 = [\"" +
                                   with_colons + "\", \"" + std::string(64, 'C') + "\"]\n");
  EXPECT_THAT(config.members.at("hmip").certificate.sha256,
              testing::ElementsAre(normalised, std::string(64, 'c')));
  // Pins do not replace the CN: both are kept, and both must match.
  EXPECT_EQ(config.members.at("hmip").certificate.cn, "hmip");
}

TEST_F(ConfigTest, BadFingerprintNamesTheElement) {
  EXPECT_THAT(error_with("[members.hmip]\nname = \"HMIP\"\ncertificate_sha256 = [\"" + kPin +
                         "\", \"" + std::string(63, 'a') + "\"]\n"),
              StartsWith("members.hmip.certificate_sha256[1]: expected a SHA-256 fingerprint"));
  EXPECT_THAT(error_with("[members.hmip]\nname = \"HMIP\"\ncertificate_sha256 = [\"" +
                         std::string(64, 'g') + "\"]\n"),
              StartsWith("members.hmip.certificate_sha256[0]: expected a SHA-256 fingerprint"));
  EXPECT_THAT(error_with("[members.hmip]\nname = \"HMIP\"\ncertificate_sha256 = [1]\n"),
              StartsWith("members.hmip.certificate_sha256[0]: expected a string, got an integer"));
  EXPECT_THAT(
      error_with("[members.hmip]\nname = \"HMIP\"\ncertificate_sha256 = \"" + kPin + "\"\n"),
      StartsWith("members.hmip.certificate_sha256: expected an array of strings"));
}

TEST_F(ConfigTest, APinnedFingerprintBelongsToOneParty) {
  const std::string upper(64, 'A');
  const std::string error =
      error_with("[members.hmip]\nname = \"HMIP\"\ncertificate_sha256 = [\"" + kPin +
                 "\"]\n"
                 "[operators.ann]\nname = \"Ann\"\nrole = \"viewer\"\ncertificate_sha256 = [\"" +
                 upper + "\"]\n");
  EXPECT_THAT(error, StartsWith("operators.ann.certificate_sha256[0]: fingerprint " + kPin +
                                " is also pinned by members.hmip"));
}

TEST_F(ConfigTest, OperatorNeedsAKnownRoleAndAName) {
  const Config config = parse_with("[operators.ann]\nname = \"Ann\"\nrole = \"operator\"\n");
  EXPECT_EQ(config.operators.at("ann").role, Role::operator_);
  EXPECT_EQ(config.operators.at("ann").display_name, "Ann");
  EXPECT_EQ(config.operators.at("ann").name, "ann");
  EXPECT_THAT(error_with("[operators.ann]\nname = \"Ann\"\nrole = \"root\"\n"),
              StartsWith("operators.ann.role: expected \"viewer\", \"operator\" or \"admin\", "
                         "got \"root\""));
  EXPECT_THAT(error_with("[operators.ann]\nname = \"Ann\"\n"),
              StartsWith("operators.ann.role: required key is missing"));
  EXPECT_THAT(error_with("[operators.ann]\nrole = \"admin\"\n"),
              StartsWith("operators.ann.name: required key is missing"));
  EXPECT_THAT(error_with("[operators.Ann]\nname = \"Ann\"\nrole = \"admin\"\n"),
              StartsWith("operators.Ann: the name must match"));
}

TEST(RoleTest, HasItsConfigName) {
  EXPECT_STREQ(to_string(Role::viewer), "viewer");
  EXPECT_STREQ(to_string(Role::operator_), "operator");
  EXPECT_STREQ(to_string(Role::admin), "admin");
}

// ---- Command-line overrides
// ----------------------------------------------------------------------

TEST_F(ConfigTest, OverridesReplaceFileValues) {
  Overrides overrides;
  overrides.listen = "127.0.0.1:0";
  overrides.admin_listen = "[::1]:9444";
  overrides.data_dir = "relative/data";
  overrides.threads = 8;
  const Config config = parse_with(
      "[server]\nlisten = \"127.0.0.1:8443\"\nthreads = 2\ndata_dir = \"d\"\n", overrides);
  EXPECT_EQ(config.listen.to_string(), "127.0.0.1:0");
  EXPECT_EQ(config.admin.listen.to_string(), "[::1]:9444");
  // Relative to the working directory, not to the config's folder.
  EXPECT_EQ(config.data_dir, fs::current_path() / "relative/data");
  EXPECT_EQ(config.threads, 8u);
}

TEST_F(ConfigTest, OverridesAreValidatedUnderTheirOptionName) {
  Overrides bad_listen;
  bad_listen.listen = "8443";
  EXPECT_THAT(error_with("", bad_listen), StartsWith("--listen: expected \"host:port\""));

  Overrides bad_admin;
  bad_admin.admin_listen = "[::1]:70000";
  EXPECT_THAT(error_with("", bad_admin), StartsWith("--admin-listen: port must be"));

  Overrides clash;
  clash.admin_listen = "127.0.0.1:8443";
  EXPECT_THAT(error_with("", clash), StartsWith("--admin-listen: 127.0.0.1:8443 is also"));

  Overrides threads;
  threads.threads = 5000;
  EXPECT_THAT(error_with("", threads), StartsWith("--threads: must be between 0 and 1024"));

  Overrides data;
  data.data_dir = dir_.write("a-file");
  EXPECT_THAT(error_with("", data),
              StartsWith("--data: " + data.data_dir->string() + " exists and is not a directory"));
}

TEST_F(ConfigTest, OverriddenDataDirMakesTheFilesValueIrrelevant) {
  dir_.write("etc/occupied");
  Overrides overrides;
  overrides.data_dir = dir_.path() / "data";
  EXPECT_EQ(parse_with("[server]\ndata_dir = \"occupied\"\n", overrides).data_dir,
            dir_.path() / "data");
}

}  // namespace
}  // namespace opcat::config
