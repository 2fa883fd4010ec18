#pragma once
// A throwaway PKI for hermetic TLS and signing tests: a CA, server, client and signing certificates
// and a CRL, made in memory with the OpenSSL 3.0 API on every test run and written to a directory
// the test owns. Tests never depend on certs/dev or on the openssl command line.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace opcat::testing {

/// A certificate issued by a TestPki and the PEM files it was written to.
struct IssuedCertificate {
  std::filesystem::path certificate;  // PEM certificate
  std::filesystem::path private_key;  // PEM private key (PKCS#8, unencrypted, mode 0600)
  std::string sha256;                 // SHA-256 of the DER certificate: lower-case hex, no colons
  long serial = 0;
};

/// A test certificate authority: ECDSA P-256 keys, SHA-256 signatures, a CRL kept current.
/// Every failure throws std::runtime_error carrying OpenSSL's error queue.
class TestPki {
 public:
  struct ClientOptions {
    std::string organisation = "Test";
    std::string organisational_unit;  // left out of the subject when empty
    // Validity relative to now; a negative not_after_offset issues an already expired certificate.
    std::chrono::seconds not_before_offset{-3600};
    std::chrono::seconds not_after_offset{3600 * 24};
  };

  /// Creates dir, a CA key and certificate, and writes dir/ca.crt and an empty dir/ca.crl.
  explicit TestPki(std::filesystem::path dir, std::string ca_name = "Test CA");
  ~TestPki();
  TestPki(TestPki&&) noexcept;
  TestPki& operator=(TestPki&&) noexcept;
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::filesystem::path& dir() const;
  std::filesystem::path ca_certificate() const;
  std::filesystem::path crl() const;

  /// A server certificate: CN cn, SAN DNS:localhost, IP:127.0.0.1, IP:::1, EKU serverAuth.
  IssuedCertificate issue_server(const std::string& cn = "localhost");

  /// A client certificate: CN cn, O and OU from options, EKU clientAuth.
  IssuedCertificate issue_client(const std::string& cn);
  IssuedCertificate issue_client(const std::string& cn, const ClientOptions& options);

  /// A CMS/S-MIME signing certificate, as the gateway signs receipts with: CN cn, keyUsage
  /// digitalSignature and nonRepudiation, EKU emailProtection (what `openssl cms -verify` wants).
  IssuedCertificate issue_signing(const std::string& cn = "Test signing");

  /// Adds the certificate to the CRL and rewrites ca.crl. Throws if this CA did not issue it.
  void revoke(const IssuedCertificate& certificate);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// A unique directory under temp_directory_path(), removed with its contents when destroyed.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "opcat-test");
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace opcat::testing
