// Exactly once across a crash, with the real binaries: `opcat-gateway serve` delivering from its
// outbox to `opcat-gateway inbox`, SIGKILLed the moment the inbox has stored a delivery (so,
// often, before the gateway has recorded the receipt), then restarted. The inbox must hold every
// delivery exactly once, and the restarted gateway must end with every delivery delivered.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "gateway/delivery/payload.hpp"
#include "gateway/store/sqlite/sqlite_outbox.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/consolidated_payloads.hpp"
#include "tests/support/gateway_log.hpp"
#include "tests/support/gateway_process.hpp"
#include "tests/support/test_pki.hpp"

#ifndef OPCAT_GATEWAY_BINARY
#error "OPCAT_GATEWAY_BINARY must name the opcat-gateway executable"
#endif

namespace opcat::testing {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::size_t kDeliveries = 5;

class CrashDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto inbox_tls = pki_.issue_server("localhost");
    const auto inbox_signing = pki_.issue_signing("Inbox receipts");
    const auto gateway_tls = pki_.issue_server("localhost");
    gateway_client_ = pki_.issue_client("gateway");
    gateway_signing_ = pki_.issue_signing("OPCAT Gateway payloads");
    std::ofstream(dir_.path() / "inbox.toml")
        << "listen = \"127.0.0.1:0\"\nthreads = 2\ndata_dir = " << toml_string(inbox_data())
        << "\nallowed_senders = [\"gateway\"]\npayload_ca = " << toml_string(pki_.ca_certificate())
        << "\n[tls]\ncertificate = " << toml_string(inbox_tls.certificate)
        << "\nprivate_key = " << toml_string(inbox_tls.private_key)
        << "\nclient_ca = " << toml_string(pki_.ca_certificate())
        << "\ncrl = " << toml_string(pki_.crl()) << "\n[signing]\ncertificate = "
        << toml_string(inbox_signing.certificate)
        << "\nprivate_key = " << toml_string(inbox_signing.private_key) << "\n";
    gateway_tls_ = gateway_tls;
  }

  fs::path inbox_data() const { return dir_.path() / "inbox-data"; }
  fs::path gateway_data() const { return dir_.path() / "gateway-data"; }

  void write_gateway_config(unsigned short inbox_port) {
    std::ofstream(dir_.path() / "gateway.toml")
        << "[server]\nlisten = \"127.0.0.1:0\"\nthreads = 2\ndata_dir = "
        << toml_string(gateway_data()) << "\n[admin]\nlisten = \"127.0.0.1:0\"\n"
        << "[tls]\ncertificate = " << toml_string(gateway_tls_.certificate)
        << "\nprivate_key = " << toml_string(gateway_tls_.private_key)
        << "\nclient_ca = " << toml_string(pki_.ca_certificate())
        << "\ncrl = " << toml_string(pki_.crl()) << "\n[signing]\ncertificate = "
        << toml_string(gateway_signing_.certificate)
        << "\nprivate_key = " << toml_string(gateway_signing_.private_key)
        << "\n[members.icva]\nname = \"Independent Custody Visiting (synthetic)\"\n"
        << "[recipients.npm]\nurl = \"https://localhost:" << inbox_port << "/v1/deliveries\"\n"
        << "ca = " << toml_string(pki_.ca_certificate())
        << "\ncertificate = " << toml_string(gateway_client_.certificate)
        << "\nprivate_key = " << toml_string(gateway_client_.private_key) << "\n";
  }

  std::unique_ptr<ChildProcess> start(const std::vector<std::string>& args) {
    auto child = std::make_unique<ChildProcess>(OPCAT_GATEWAY_BINARY, args,
                                                std::vector<std::string>{"OPCAT_GATEWAY_CONFIG"});
    return child;
  }

  std::vector<std::string> inbox_ids() const {
    std::vector<std::string> ids;
    for (const auto& entry : fs::directory_iterator(inbox_data() / "deliveries")) {
      const auto name = entry.path().filename().string();
      if (!name.starts_with(".")) ids.push_back(name);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  TempDir dir_{"opcat-crash-delivery"};
  TestPki pki_{dir_.path() / "pki"};
  IssuedCertificate gateway_tls_, gateway_client_, gateway_signing_;
};

TEST_F(CrashDeliveryTest, KilledMidDeliveryAndRestartedTheInboxHoldsExactlyOneCopyOfEach) {
  auto inbox = start({"inbox", "--config", (dir_.path() / "inbox.toml").string()});
  const auto inbox_port = member_port(*inbox, 20s);
  ASSERT_TRUE(inbox_port.has_value()) << inbox->stderr_text();
  write_gateway_config(*inbox_port);

  // Deliveries queued before the gateway starts, as consolidation leaves them in the outbox.
  std::vector<std::string> queued;
  {
    store::sqlite::SqliteStore store(gateway_data());
    store::sqlite::SqliteOutbox outbox(store);
    const auto signer = signing::Signer::load(gateway_signing_.certificate, gateway_signing_.private_key);
    config::Recipient npm;
    npm.name = "npm";
    for (std::size_t i = 0; i < kDeliveries; ++i) {
      const fs::path payload = dir_.path() / ("payload-" + std::to_string(i) + ".json");
      std::ofstream(payload, std::ios::binary) << consolidated_payloads().json;
      queued.push_back(delivery::enqueue_payload(outbox, signer, gateway_data() / "outbox", npm,
                                                 payload, {"2025-04-01..2026-03-31", "npm"},
                                                 store::Clock::now())
                           .id);
    }
  }
  std::sort(queued.begin(), queued.end());

  const std::vector<std::string> serve = {"serve", "--config", (dir_.path() / "gateway.toml").string()};
  auto gateway = start(serve);
  // Killed the moment the inbox has stored the first delivery: its receipt is on the wire, or
  // not yet recorded by the gateway.
  ASSERT_TRUE(inbox->wait_for_stderr_line(event_is("delivery_received"), 30s))
      << gateway->stderr_text();
  gateway->signal(SIGKILL);
  ASSERT_TRUE(gateway->wait_exit(10s).has_value());

  std::size_t pending = 0;
  {
    store::sqlite::SqliteStore store(gateway_data());
    store::sqlite::SqliteOutbox outbox(store);
    store::DeliveryQuery query;
    query.state = store::DeliveryState::pending;
    pending = outbox.list_deliveries(query).size();
  }
  ASSERT_GE(pending, 1u);

  // Restarted: the leases of the killed process are released, every pending delivery resumes.
  gateway = start(serve);
  std::size_t delivered = 0;
  ASSERT_TRUE(gateway->wait_for_stderr_line(
      [&](std::string_view line) {
        if (event_is("delivery_delivered")(line)) ++delivered;
        return delivered == pending;
      },
      60s))
      << gateway->stderr_text();
  gateway->signal(SIGTERM);
  ASSERT_TRUE(gateway->wait_exit(30s).has_value());

  EXPECT_EQ(inbox_ids(), queued);  // each exactly once: a folder per delivery id
  store::sqlite::SqliteStore store(gateway_data());
  store::sqlite::SqliteOutbox outbox(store);
  for (const std::string& id : queued) {
    const auto delivery = outbox.get_delivery(id);
    ASSERT_TRUE(delivery.has_value());
    EXPECT_EQ(delivery->state, store::DeliveryState::delivered) << id;
    EXPECT_FALSE(delivery->receipt_signature.empty()) << id;
  }
  inbox->signal(SIGTERM);
  EXPECT_TRUE(inbox->wait_exit(30s).has_value());
}

}  // namespace
}  // namespace opcat::testing
