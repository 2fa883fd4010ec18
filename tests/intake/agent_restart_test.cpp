// The push agent in watch mode against the real gateway, across a gateway crash: exports dropped
// while the gateway is down wait in the folder, and are delivered once it is back; each is stored
// once and filed into sent/ beside its signed receipt. Both programs are the real binary.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <algorithm>
#include <iterator>

#include "gateway/signing/verifier.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/test_pki.hpp"

#ifndef OPCAT_GATEWAY_BINARY
#error "OPCAT_GATEWAY_BINARY must name the opcat-gateway executable (tests/intake/CMakeLists.txt)"
#endif

namespace opcat::intake {
namespace {

using namespace std::chrono_literals;
using opcat::testing::ChildProcess;
using opcat::testing::eventually;
using opcat::testing::IssuedCertificate;
using opcat::testing::TempDir;
using opcat::testing::TestPki;
using opcat::testing::toml_string;
namespace fs = std::filesystem;

constexpr auto kCap = 30s;
const fs::path kFixtures = fs::path(OPCAT_SOURCE_DIR) / "tests/fixtures/members";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// As an export job should: written under a name the agent ignores, then renamed into place.
void drop_export(const fs::path& dir, const std::string& name, const std::string& bytes) {
  std::ofstream(dir / (name + ".part"), std::ios::binary) << bytes;
  fs::rename(dir / (name + ".part"), dir / name);
}

class AgentRestartTest : public ::testing::Test {
 protected:
  AgentRestartTest() : pki_(dir_.path() / "pki") {
    const auto server = pki_.issue_server();
    const auto signing = pki_.issue_signing();
    member_ = pki_.issue_client("icva");
    fs::create_directories(watch_dir());
    std::ofstream(config()) << "[server]\nlisten = \"127.0.0.1:0\"\nthreads = 2\ndata_dir = "
                            << toml_string(data_dir()) << "\n[admin]\nlisten = \"127.0.0.1:0\"\n"
                            << "[tls]\ncertificate = " << toml_string(server.certificate)
                            << "\nprivate_key = " << toml_string(server.private_key)
                            << "\nclient_ca = " << toml_string(pki_.ca_certificate())
                            << "\ncrl = " << toml_string(pki_.crl())
                            << "\n[signing]\ncertificate = " << toml_string(signing.certificate)
                            << "\nprivate_key = " << toml_string(signing.private_key)
                            << "\n[members.icva]\nname = \"Independent Custody Visiting\"\n";
  }

  fs::path config() const { return dir_.path() / "gateway.toml"; }
  fs::path data_dir() const { return dir_.path() / "data"; }
  fs::path watch_dir() const { return dir_.path() / "outgoing"; }

  std::unique_ptr<ChildProcess> gateway(const std::string& listen) {
    auto child = std::make_unique<ChildProcess>(
        OPCAT_GATEWAY_BINARY,
        std::vector<std::string>{"serve", "--config", config().string(), "--listen", listen},
        std::vector<std::string>{"OPCAT_GATEWAY_CONFIG"});
    const auto port = opcat::testing::member_port(*child, kCap);
    EXPECT_TRUE(port) << child->stderr_text();
    port_ = port.value_or(0);
    return child;
  }

  std::unique_ptr<ChildProcess> agent() {
    return std::make_unique<ChildProcess>(
        OPCAT_GATEWAY_BINARY,
        std::vector<std::string>{
            "push", "--url", "https://localhost:" + std::to_string(port_), "--cacert",
            pki_.ca_certificate().string(), "--cert", member_.certificate.string(), "--key",
            member_.private_key.string(), "--watch", watch_dir().string(), "--settle", "50ms",
            "--interval", "50ms", "--backoff-base", "100ms", "--backoff-cap", "300ms"});
  }

  bool sent(const std::string& name) const {
    return fs::exists(watch_dir() / "sent" / name) &&
           fs::exists(watch_dir() / "sent" / (name + ".receipt.json")) &&
           fs::exists(watch_dir() / "sent" / (name + ".receipt.p7s"));
  }

  TempDir dir_{"opcat-agent-restart"};
  TestPki pki_;
  IssuedCertificate member_;
  unsigned short port_ = 0;
};

TEST_F(AgentRestartTest, ExportsDroppedWhileTheGatewayIsDownAreDeliveredWhenItIsBack) {
  const std::string all = read_file(kFixtures / "icva/custody-visits-2024-25.csv");
  const std::string first = all.substr(0, all.find('\n', all.size() / 3) + 1);
  const std::string second = all;

  auto server = gateway("127.0.0.1:0");
  ASSERT_NE(port_, 0);
  auto pusher = agent();
  drop_export(watch_dir(), "visits-q1.csv", first);
  ASSERT_TRUE(eventually([&] { return sent("visits-q1.csv"); }, kCap)) << pusher->stderr_text();

  // The gateway dies; an export dropped now is tried, refused by the closed port, and kept.
  ASSERT_TRUE(server->signal(SIGKILL));
  ASSERT_TRUE(server->wait_exit(kCap));
  drop_export(watch_dir(), "visits-full.csv", second);
  ASSERT_TRUE(pusher->wait_for_stderr_line(opcat::testing::event_is("push_retry"), kCap))
      << pusher->stderr_text();
  EXPECT_TRUE(fs::exists(watch_dir() / "visits-full.csv"));
  EXPECT_FALSE(sent("visits-full.csv"));

  // Back on the same port: the agent's next retry gets through.
  server = gateway("127.0.0.1:" + std::to_string(port_));
  ASSERT_TRUE(eventually([&] { return sent("visits-full.csv"); }, kCap)) << pusher->stderr_text();
  ASSERT_TRUE(pusher->signal(SIGTERM));
  ASSERT_TRUE(pusher->wait_exit(kCap));
  ASSERT_TRUE(server->signal(SIGTERM));
  ASSERT_TRUE(server->wait_exit(kCap));

  // Each export stored once, its receipt beside it and verifiable.
  store::sqlite::SqliteStore store(data_dir());
  EXPECT_EQ(store.list_submissions("icva", {}, 100).size(), 2u);
  for (const std::string name : {"visits-q1.csv", "visits-full.csv"}) {
    const std::string receipt = read_file(watch_dir() / "sent" / (name + ".receipt.json"));
    const std::string signature = read_file(watch_dir() / "sent" / (name + ".receipt.p7s"));
    EXPECT_NO_THROW(signing::verify_detached(signature, receipt, pki_.ca_certificate())) << name;
  }
  EXPECT_TRUE(fs::is_empty(watch_dir()) ||
              std::all_of(fs::directory_iterator(watch_dir()), fs::directory_iterator(),
                          [](const fs::directory_entry& entry) { return entry.is_directory(); }));
}

}  // namespace
}  // namespace opcat::intake
