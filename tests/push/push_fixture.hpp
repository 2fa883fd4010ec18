// What the push agent's tests share: a temp dir, a PKI made for the run (a gateway certificate, a
// member's client certificate), a fake gateway, and the agent's client settings pointing at it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "gateway/push/https_client.hpp"
#include "tests/push/fake_gateway.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::push {

class PushFixture : public ::testing::Test {
 protected:
  PushFixture()
      : pki_(dir_.path() / "pki"),
        server_certificate_(pki_.issue_server()),
        member_(pki_.issue_client("hmip")) {}

  // A fake gateway on a free port (or `port`), trusting our member certificates.
  void start_gateway(unsigned short port = 0) {
    gateway_ = std::make_unique<testing::FakeGateway>(server_certificate_, pki_.ca_certificate(), port);
  }
  void stop_gateway() { gateway_.reset(); }

  // The agent's settings for the running gateway (or the given URL), short deadlines.
  ClientSettings client_settings(const std::string& url = {}) const {
    ClientSettings settings;
    settings.gateway = GatewayUrl::parse(url.empty() ? gateway_->url() : url);
    settings.certificate = member_.certificate;
    settings.private_key = member_.private_key;
    settings.ca = pki_.ca_certificate();
    settings.connect_timeout = std::chrono::seconds(5);
    settings.request_timeout = std::chrono::seconds(10);
    return settings;
  }

  std::filesystem::path write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  static std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  testing::TempDir dir_;
  testing::TestPki pki_;
  testing::IssuedCertificate server_certificate_;
  testing::IssuedCertificate member_;
  std::unique_ptr<testing::FakeGateway> gateway_;
};

}  // namespace opcat::push
