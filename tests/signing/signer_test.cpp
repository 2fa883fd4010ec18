// Tests of Signer: what its signatures contain, that stock `openssl cms -verify` accepts them,
// that it signs from many threads at once, and which certificates and keys load() refuses.
#include "gateway/signing/signer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/cms.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gateway/signing/verifier.hpp"
#include "tests/signing/openssl_cli.hpp"
#include "tests/support/test_pki.hpp"

namespace opcat::signing {
namespace {

namespace fs = std::filesystem;
using opcat::testing::IssuedCertificate;
using opcat::testing::TempDir;
using opcat::testing::TestPki;
using ::testing::HasSubstr;

// The message of the std::runtime_error that `action` throws; a test failure if it throws none.
template <class Action>
std::string error_of(Action action) {
  try {
    action();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a std::runtime_error";
  return {};
}

struct CmsDeleter {
  void operator()(CMS_ContentInfo* cms) const noexcept { CMS_ContentInfo_free(cms); }
};

std::unique_ptr<CMS_ContentInfo, CmsDeleter> parse_der(const std::string& der) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  return std::unique_ptr<CMS_ContentInfo, CmsDeleter>{
      d2i_CMS_ContentInfo(nullptr, &bytes, static_cast<long>(der.size()))};
}

class SignerTest : public ::testing::Test {
 protected:
  TempDir temp_{"opcat-signing"};
  TestPki pki_{temp_.path() / "pki"};
  IssuedCertificate signing_ = pki_.issue_signing("OPCAT Gateway receipts");

  Signer load_signer() const { return Signer::load(signing_.certificate, signing_.private_key); }

  // Writes content and signature beside each other and runs the members' openssl command.
  opcat::testing::CommandResult verify_with_openssl(const std::string& content,
                                                    const std::string& signature) const {
    const fs::path content_file = temp_.path() / "content";
    const fs::path signature_file = temp_.path() / "content.p7s";
    opcat::testing::write_file(content_file, content);
    opcat::testing::write_file(signature_file, signature);
    return opcat::testing::openssl_cms_verify(signature_file, content_file, pki_.ca_certificate());
  }
};

TEST_F(SignerTest, SignatureVerifiesAndNamesTheSigner) {
  const Signer signer = load_signer();
  const std::string receipt = R"({"submission":"s-1","records":12,"errors":[]})";
  const VerifiedSigner verified =
      verify_detached(signer.sign_detached(receipt), receipt, pki_.ca_certificate());
  EXPECT_EQ(verified.cn, "OPCAT Gateway receipts");
  EXPECT_EQ(verified.sha256, signing_.sha256);
  EXPECT_EQ(signer.certificate_sha256(), signing_.sha256);
  EXPECT_EQ(signer.certificate_subject(), "O=Test,CN=OPCAT Gateway receipts");
}

TEST_F(SignerTest, SignatureIsDetachedSha256WithSigningTimeAndTheCertificates) {
  // The CA as the "chain": TestPki has no intermediate CA, and any extra certificate shows that
  // the chain is carried.
  const Signer signer =
      Signer::load(signing_.certificate, signing_.private_key, pki_.ca_certificate());
  const auto cms = parse_der(signer.sign_detached("content"));
  ASSERT_NE(cms, nullptr);
  EXPECT_EQ(OBJ_obj2nid(CMS_get0_type(cms.get())), NID_pkcs7_signed);
  EXPECT_EQ(CMS_is_detached(cms.get()), 1);

  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
  ASSERT_EQ(sk_CMS_SignerInfo_num(signers), 1);
  CMS_SignerInfo* info = sk_CMS_SignerInfo_value(signers, 0);
  X509_ALGOR* digest = nullptr;
  CMS_SignerInfo_get0_algs(info, nullptr, nullptr, &digest, nullptr);
  const ASN1_OBJECT* digest_oid = nullptr;
  X509_ALGOR_get0(&digest_oid, nullptr, nullptr, digest);
  EXPECT_EQ(OBJ_obj2nid(digest_oid), NID_sha256);
  EXPECT_GE(CMS_signed_get_attr_by_NID(info, NID_pkcs9_signingTime, -1), 0);

  STACK_OF(X509)* certificates = CMS_get1_certs(cms.get());
  EXPECT_EQ(sk_X509_num(certificates), 2);  // the signer's and the chain
  sk_X509_pop_free(certificates, X509_free);
}

TEST_F(SignerTest, ChainRepeatingTheSignerOrItselfIsCarriedOnce) {
  // A "full chain" file: the signer's certificate, then the CA, given twice over.
  const fs::path full_chain = temp_.path() / "fullchain.pem";
  opcat::testing::write_file(full_chain, opcat::testing::read_file(signing_.certificate) +
                                             opcat::testing::read_file(pki_.ca_certificate()));
  const Signer signer = Signer::load(full_chain, signing_.private_key, full_chain);
  const std::string signature = signer.sign_detached("content");
  const auto cms = parse_der(signature);
  ASSERT_NE(cms, nullptr);
  STACK_OF(X509)* certificates = CMS_get1_certs(cms.get());
  EXPECT_EQ(sk_X509_num(certificates), 2);
  sk_X509_pop_free(certificates, X509_free);
  EXPECT_EQ(signer.certificate_sha256(), signing_.sha256);
  EXPECT_NO_THROW(verify_detached(signature, "content", pki_.ca_certificate()));
}

TEST_F(SignerTest, OpensslCommandLineAcceptsTheSignature) {
  const Signer signer = load_signer();
  const std::string content = R"({"receipt":"accepted"})";
  const auto accepted = verify_with_openssl(content, signer.sign_detached(content));
  EXPECT_EQ(accepted.exit_code, 0) << accepted.output;

  // The command really checks the content: one byte changed and it refuses.
  const auto refused =
      verify_with_openssl(R"({"receipt":"accepteD"})", signer.sign_detached(content));
  EXPECT_NE(refused.exit_code, 0) << refused.output;
}

TEST_F(SignerTest, ContentIsSignedAsBinaryBytes) {
  // Line ends and bytes that S/MIME canonicalisation would rewrite, or that are not text at all.
  const std::string content("line\nline\r\nno newline at end\0\xff\xfe", 37);
  const Signer signer = load_signer();
  const std::string signature = signer.sign_detached(content);
  const auto result = verify_with_openssl(content, signature);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NO_THROW(verify_detached(signature, content, pki_.ca_certificate()));
  EXPECT_THROW(verify_detached(signature, "line\r\nline\r\n", pki_.ca_certificate()),
               SignatureError);
}

TEST_F(SignerTest, EmptyContentCanBeSigned) {
  const Signer signer = load_signer();
  EXPECT_NO_THROW(verify_detached(signer.sign_detached(""), "", pki_.ca_certificate()));
}

TEST_F(SignerTest, SignsFromEightThreadsAtOnce) {
  const Signer signer = load_signer();
  constexpr int kThreads = 8;
  constexpr int kSignaturesEach = 25;
  std::vector<std::vector<std::string>> signatures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&signer, &signatures, t] {
      for (int i = 0; i < kSignaturesEach; ++i) {
        signatures[t].push_back(
            signer.sign_detached("thread " + std::to_string(t) + " receipt " + std::to_string(i)));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(signatures[t].size(), static_cast<std::size_t>(kSignaturesEach));
    for (int i = 0; i < kSignaturesEach; ++i) {
      const std::string content = "thread " + std::to_string(t) + " receipt " + std::to_string(i);
      EXPECT_NO_THROW(verify_detached(signatures[t][i], content, pki_.ca_certificate())) << content;
    }
  }
}

TEST_F(SignerTest, RefusesAKeyThatIsNotTheCertificates) {
  const IssuedCertificate other = pki_.issue_signing("other");
  const std::string error =
      error_of([&] { Signer::load(signing_.certificate, other.private_key); });
  EXPECT_THAT(error, HasSubstr(other.private_key.string()));
  EXPECT_THAT(error, HasSubstr("does not match the signing certificate"));
}

TEST_F(SignerTest, UnreadableFilesAreNamedWithOpensslsReason) {
  const fs::path missing = temp_.path() / "missing.crt";
  const std::string no_file = error_of([&] { Signer::load(missing, signing_.private_key); });
  EXPECT_THAT(no_file, HasSubstr(missing.string() + ": cannot read the signing certificate"));
  EXPECT_THAT(no_file, HasSubstr("No such file or directory"));

  // A certificate where the key should be, and a key where the certificate should be.
  EXPECT_THAT(error_of([&] { Signer::load(signing_.certificate, signing_.certificate); }),
              HasSubstr(signing_.certificate.string() +
                        ": cannot read the signing key: it holds no PEM private key"));
  EXPECT_THAT(error_of([&] { Signer::load(signing_.private_key, signing_.private_key); }),
              HasSubstr(signing_.private_key.string() +
                        ": cannot read the signing certificate: it holds no PEM certificate"));

  // An encrypted key: a server has no one to type the pass phrase, and must not wait for one.
  const fs::path encrypted = temp_.path() / "encrypted.key";
  const auto made =
      opcat::testing::openssl({"pkey", "-in", signing_.private_key.string(), "-aes256", "-passout",
                               "pass:secret", "-out", encrypted.string()});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  EXPECT_THAT(error_of([&] { Signer::load(signing_.certificate, encrypted); }),
              HasSubstr(encrypted.string() + ": cannot read the signing key: it is encrypted"));

  const fs::path broken = temp_.path() / "broken-chain.pem";
  opcat::testing::write_file(broken,
                             "-----BEGIN CERTIFICATE-----\nnot base64\n"
                             "-----END CERTIFICATE-----\n");
  EXPECT_THAT(error_of([&] { Signer::load(signing_.certificate, signing_.private_key, broken); }),
              HasSubstr(broken.string() + ": cannot read the certificate chain: "));
}

TEST_F(SignerTest, RefusesACertificateThatMayNotSign) {
  // A TLS certificate: stock `openssl cms -verify` would refuse everything signed with it.
  const IssuedCertificate server = pki_.issue_server();
  EXPECT_THAT(
      error_of([&] { Signer::load(server.certificate, server.private_key); }),
      HasSubstr(server.certificate.string() + ": the signing certificate may not sign CMS/S-MIME"));
}

TEST_F(SignerTest, RefusesAnExpiredCertificate) {
  TestPki::ClientOptions expired;
  expired.not_before_offset = std::chrono::hours(-48);
  expired.not_after_offset = std::chrono::hours(-24);
  const IssuedCertificate old = pki_.issue_client("old", expired);
  EXPECT_THAT(error_of([&] { Signer::load(old.certificate, old.private_key); }),
              HasSubstr("the signing certificate has expired"));
}

}  // namespace
}  // namespace opcat::signing
