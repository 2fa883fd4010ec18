// Tests of verify_detached: each way a signature can fail gives its own readable reason, and a
// signature made by stock OpenSSL (as a recipient signs its receipts) verifies.
#include "gateway/signing/verifier.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gateway/signing/signer.hpp"
#include "tests/signing/openssl_cli.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::signing {
namespace {

namespace fs = std::filesystem;
using opcat::testing::IssuedCertificate;
using opcat::testing::TempDir;
using opcat::testing::TestPki;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kContent = R"({"receipt":"accepted","records":3})";

class VerifierTest : public ::testing::Test {
 protected:
  // The reason verify_detached gives; a test failure if it accepts.
  std::string rejection(const std::string& signature, const std::string& content,
                        const fs::path& crl = {}) const {
    try {
      verify_detached(signature, content, pki_.ca_certificate(), crl);
    } catch (const SignatureError& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected a SignatureError";
    return {};
  }

  std::string sign(const IssuedCertificate& certificate, const std::string& content) const {
    return Signer::load(certificate.certificate, certificate.private_key).sign_detached(content);
  }

  // `openssl cms -sign` over kContent, as a recipient would sign, plus `extra` options.
  std::string sign_with_openssl(const IssuedCertificate& certificate,
                                const std::vector<std::string>& extra = {}) const {
    const fs::path content = temp_.path() / "content";
    const fs::path signature = temp_.path() / "content.p7s";
    opcat::testing::write_file(content, kContent);
    std::vector<std::string> arguments = {"cms",
                                          "-sign",
                                          "-binary",
                                          "-md",
                                          "sha256",
                                          "-in",
                                          content.string(),
                                          "-signer",
                                          certificate.certificate.string(),
                                          "-inkey",
                                          certificate.private_key.string(),
                                          "-outform",
                                          "DER",
                                          "-out",
                                          signature.string()};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    const auto result = opcat::testing::openssl(arguments);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return opcat::testing::read_file(signature);
  }

  TempDir temp_{"opcat-verifier"};
  TestPki pki_{temp_.path() / "pki"};
  IssuedCertificate signing_ = pki_.issue_signing();
};

TEST_F(VerifierTest, OneChangedByteIsNoticed) {
  const std::string signature = sign(signing_, kContent);
  for (const std::size_t at : {std::size_t{0}, kContent.size() / 2, kContent.size() - 1}) {
    std::string tampered = kContent;
    tampered[at] = static_cast<char>(tampered[at] ^ 0x01);
    EXPECT_EQ(rejection(signature, tampered), "content does not match the signature") << at;
  }
  EXPECT_EQ(rejection(signature, kContent + " "), "content does not match the signature");
  EXPECT_EQ(rejection(signature, ""), "content does not match the signature");
}

TEST_F(VerifierTest, SignerFromAnotherCaIsNotTrusted) {
  TestPki other(temp_.path() / "other", "Other CA");
  TestPki same_name(temp_.path() / "same-name");  // also "Test CA", but another key
  EXPECT_THAT(rejection(sign(other.issue_signing(), kContent), kContent),
              StartsWith("signer certificate not trusted: unable to get local issuer certificate "
                         "(O=Test,CN=Test signing)"));
  EXPECT_THAT(rejection(sign(same_name.issue_signing(), kContent), kContent),
              StartsWith("signer certificate not trusted: "));
}

TEST_F(VerifierTest, RevokedSignerIsNotTrustedWhenACrlIsGiven) {
  const std::string signature = sign(signing_, kContent);
  pki_.revoke(signing_);
  EXPECT_THAT(rejection(signature, kContent, pki_.crl()),
              StartsWith("signer certificate not trusted: certificate revoked"));
  EXPECT_NO_THROW(verify_detached(signature, kContent, pki_.ca_certificate()));
}

TEST_F(VerifierTest, ACertificateNotForSigningIsNotTrusted) {
  // A TLS client certificate signs fine with the openssl command line, but is no S/MIME signer.
  const IssuedCertificate client = pki_.issue_client("hmip");
  EXPECT_THAT(rejection(sign_with_openssl(client), kContent),
              StartsWith("signer certificate not trusted: unsuitable certificate purpose"));
}

TEST_F(VerifierTest, SignatureMadeByTheOpensslCommandLineVerifies) {
  const VerifiedSigner signer =
      verify_detached(sign_with_openssl(signing_), kContent, pki_.ca_certificate(), pki_.crl());
  EXPECT_EQ(signer.cn, "Test signing");
  EXPECT_EQ(signer.sha256, signing_.sha256);
}

TEST_F(VerifierTest, ChangedSignatureBytesAreInvalid) {
  std::string signature = sign(signing_, kContent);
  // The DER ends with the ECDSA signature value.
  signature.back() = static_cast<char>(signature.back() ^ 0x01);
  EXPECT_THAT(rejection(signature, kContent), StartsWith("the signature is invalid: "));
}

TEST_F(VerifierTest, WhatIsNotADetachedSignatureIsSaidSo) {
  EXPECT_THAT(rejection("not a signature", kContent),
              StartsWith("not a DER-encoded CMS signature: "));
  EXPECT_THAT(rejection("", kContent), StartsWith("not a DER-encoded CMS signature: "));
  EXPECT_EQ(rejection(sign_with_openssl(signing_, {"-nodetach"}), kContent),
            "the signature is not detached");
}

TEST_F(VerifierTest, UnreadableTrustFilesAreNotSignatureErrors) {
  const std::string signature = sign(signing_, kContent);
  const fs::path missing = temp_.path() / "missing.pem";
  try {
    verify_detached(signature, kContent, missing);
    ADD_FAILURE() << "expected an error";
  } catch (const SignatureError& e) {
    ADD_FAILURE() << "a missing CA bundle is not a bad signature: " << e.what();
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), StartsWith(missing.string() + ": cannot read the CA bundle: "));
  }
  EXPECT_THROW(verify_detached(signature, kContent, pki_.ca_certificate(), missing),
               std::runtime_error);
}

}  // namespace
}  // namespace opcat::signing
