// Verifying a detached CMS signature (what Signer makes, or what a recipient signs a receipt
// with) against a CA bundle: the same checks as `openssl cms -verify -binary -CAfile`.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace opcat::signing {

// The signature does not hold: readable reasons such as "content does not match the signature"
// or "signer certificate not trusted: certificate has expired".
class SignatureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Who signed, from the verified signer certificate.
struct VerifiedSigner {
  std::string cn;      // subject commonName (empty if it has none)
  std::string sha256;  // SHA-256 of the certificate: lower-case hex, no separators
};

// Verifies `signature` (DER CMS SignedData, detached, exactly one signer) over `content`: the
// signer certificate, found among the certificates the signature carries, must chain to
// `ca_bundle` (PEM) for S/MIME signing (keyUsage and extendedKeyUsage allowing it), be valid now
// and, when `crl` (PEM) is given, not be revoked; the signature over the signed attributes must
// hold, and the content's digest must be the one that was signed. Intermediate certificates may
// come from the signature or from the bundle.
//
// Throws SignatureError when the signature does not hold, std::runtime_error when ca_bundle or
// crl cannot be read (a setup problem, not a bad signature). Safe to call from many threads.
VerifiedSigner verify_detached(std::string_view signature, std::string_view content,
                               const std::filesystem::path& ca_bundle,
                               const std::filesystem::path& crl = {});

// The same checks over the bytes of the file `content`, read in chunks through a file BIO: a
// payload of hundreds of MB is never held in memory. Throws std::runtime_error naming the file
// when it cannot be opened or read (like an unreadable ca_bundle: not a bad signature).
VerifiedSigner verify_detached_file(std::string_view signature,
                                    const std::filesystem::path& content,
                                    const std::filesystem::path& ca_bundle,
                                    const std::filesystem::path& crl = {});

}  // namespace opcat::signing
