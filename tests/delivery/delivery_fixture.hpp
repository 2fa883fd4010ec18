// What the delivery tests share: a throwaway PKI (the inbox's TLS and receipt-signing
// certificates, the gateway's client and payload-signing certificates), a real SQLite outbox in
// a temp directory, a clock the test moves by hand, and the reference inbox run in-process.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gateway/config/config.hpp"
#include "gateway/delivery/deliverer.hpp"
#include "gateway/delivery/payload.hpp"
#include "gateway/inbox/inbox_server.hpp"
#include "gateway/log/log.hpp"
#include "gateway/signing/signer.hpp"
#include "gateway/store/sqlite/sqlite_outbox.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "tests/support/consolidated_payloads.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/running_inbox.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::testing {

// Log lines captured for the test's duration.
class CapturedLog {
 public:
  CapturedLog() {
    log::set_sink([this](std::string_view line) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    });
  }
  ~CapturedLog() { log::set_sink({}); }
  bool contains(std::string_view text) const {
    std::lock_guard lock(mutex_);
    for (const auto& line : lines_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

class DeliveryFixture : public ::testing::Test {
 protected:
  DeliveryFixture()
      : dir_("opcat-delivery"),
        pki_(dir_.path() / "pki"),
        inbox_tls_(pki_.issue_server("localhost")),
        gateway_client_(pki_.issue_client("gateway")),
        gateway_signing_(pki_.issue_signing("OPCAT Gateway payloads")),
        inbox_signing_(pki_.issue_signing("Inbox receipts")),
        signer_(signing::Signer::load(gateway_signing_.certificate, gateway_signing_.private_key)),
        store_(dir_.path() / "gateway"),
        outbox_(store_),
        now_(std::chrono::floor<std::chrono::milliseconds>(store::Clock::now())) {}

  const std::filesystem::path& dir() const { return dir_.path(); }

  inbox::InboxConfig inbox_config(unsigned short port = 0) const {
    inbox::InboxConfig config;
    config.listen = {"127.0.0.1", port};
    config.threads = 1;
    config.data_dir = dir_.path() / "inbox";
    config.tls.certificate = inbox_tls_.certificate;
    config.tls.private_key = inbox_tls_.private_key;
    config.tls.client_ca = pki_.ca_certificate();
    config.tls.crl = pki_.crl();
    config.allowed_senders = {"gateway"};
    config.payload_ca = pki_.ca_certificate();
    config.signing.certificate = inbox_signing_.certificate;
    config.signing.private_key = inbox_signing_.private_key;
    config.timeouts.grace = std::chrono::seconds(2);
    return config;
  }

  config::Recipient push_recipient(unsigned short port, std::string host = "localhost") const {
    config::Recipient recipient;
    recipient.name = "npm";
    recipient.mode = config::DeliveryMode::push;
    recipient.url = "https://" + host + ":" + std::to_string(port) + "/v1/deliveries";
    recipient.ca = pki_.ca_certificate();
    recipient.certificate = gateway_client_.certificate;
    recipient.private_key = gateway_client_.private_key;
    return recipient;
  }

  // A deliverer on the test's clock; full jitter pinned to its ceiling, so waits are known.
  std::unique_ptr<delivery::Deliverer> deliverer_for(const config::Recipient& recipient) {
    std::vector<delivery::ActiveRecipient> active;
    active.push_back({delivery::make_recipient(recipient), recipient.retry});
    delivery::DelivererOptions options;
    options.now = [this] { return now_; };
    options.random = [] { return 1.0; };
    return std::make_unique<delivery::Deliverer>(outbox_, std::move(active), options);
  }

  // A real consolidated payload by default: the inbox checks it against the schema.
  store::Delivery enqueue(const config::Recipient& recipient,
                          const std::string& payload = consolidated_payloads().json) {
    const auto file = dir_.path() / "payload.json";
    std::ofstream(file, std::ios::binary) << payload;
    return delivery::enqueue_payload(outbox_, signer_, dir_.path() / "gateway" / "outbox", recipient,
                                     file, {"2025-04-01..2026-03-31", "npm"}, now_);
  }

  store::Delivery get(const std::string& id) {
    auto delivery = outbox_.get_delivery(id);
    EXPECT_TRUE(delivery.has_value()) << id;
    return delivery.value_or(store::Delivery{});
  }

  TempDir dir_;
  TestPki pki_;
  IssuedCertificate inbox_tls_;
  IssuedCertificate gateway_client_;
  IssuedCertificate gateway_signing_;
  IssuedCertificate inbox_signing_;
  signing::Signer signer_;
  store::sqlite::SqliteStore store_;
  store::sqlite::SqliteOutbox outbox_;
  store::Clock::time_point now_;
};

}  // namespace opcat::testing
