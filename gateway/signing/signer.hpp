// The gateway's signing identity: detached CMS (PKCS #7) signatures over receipts, and later over
// payloads, that any recipient can check with stock OpenSSL (one command line):
//
//   openssl cms -verify -binary -inform DER -in content.p7s -content content
//               -CAfile ca.pem -out /dev/null
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace opcat::signing {

class Signer {
 public:
  // Reads the PEM signing certificate, its private key and, optionally, a PEM chain of
  // intermediate certificates to send along (certificates after the first in `certificate` are
  // sent too). Throws std::runtime_error naming the file and OpenSSL's reason when a file cannot
  // be read, when the key is not the certificate's, when the certificate is not valid now, or
  // when it may not sign CMS/S-MIME (keyUsage digitalSignature or nonRepudiation, and
  // extendedKeyUsage emailProtection if it has one): a recipient's `openssl cms -verify` would
  // refuse every signature made with it.
  static Signer load(const std::filesystem::path& certificate,
                     const std::filesystem::path& private_key,
                     const std::filesystem::path& chain = {});

  ~Signer();
  Signer(Signer&&) noexcept;
  Signer& operator=(Signer&&) noexcept;
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  // The DER bytes of a CMS SignedData over `content`: detached (the content is not inside),
  // binary (no MIME canonicalisation of line ends), SHA-256, with signed attributes including the
  // signing time, carrying the signer certificate and the chain. Throws std::runtime_error if
  // OpenSSL fails, std::length_error for content beyond 2 GiB.
  //
  // Safe to call from many threads at once on the same Signer: every call builds its own CMS
  // structure, BIOs and signing context (EVP_PKEY_CTX); the key and certificates shared between
  // calls are only read, and the little OpenSSL does change in them (reference counts, cached
  // extension flags) it changes under its own locks (openssl-threads(7)).
  std::string sign_detached(std::string_view content) const;

  // The same signature over the bytes of the file `content`, read in chunks through a file BIO:
  // a payload of hundreds of MB is never held in memory. Throws std::runtime_error naming the
  // file when it cannot be opened or read, and like sign_detached otherwise.
  std::string sign_detached_file(const std::filesystem::path& content) const;

  // SHA-256 of the signing certificate: lower-case hex, no separators (as config pins are).
  const std::string& certificate_sha256() const;
  // Its subject, RFC 2253 ("CN=OPCAT Gateway receipts,OU=gateway,O=..."), for logs and receipts.
  std::string certificate_subject() const;

 private:
  struct State;
  explicit Signer(std::unique_ptr<const State> state);
  std::unique_ptr<const State> state_;
};

}  // namespace opcat::signing
