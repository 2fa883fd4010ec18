// Tests of sign_detached_file and verify_detached_file: a file's signature is the signature of its
// bytes (interchangeable with the in-memory functions and with stock `openssl cms`), tampering is
// noticed, an unreadable file is named, and a payload of many megabytes goes through.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/cms.h>

#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "gateway/signing/signer.hpp"
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
using ::testing::StartsWith;

// Bytes that are not text: line ends S/MIME would rewrite, NULs, high bytes.
const std::string kContent("{\"payload\":1}\r\nline\n\0\xff\xfe end", 31);

template <class Action>
std::string runtime_error_of(Action action) {
  try {
    action();
  } catch (const SignatureError& e) {
    ADD_FAILURE() << "an unreadable file is not a bad signature: " << e.what();
    return {};
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a std::runtime_error";
  return {};
}

// The messageDigest signed attribute: what a signature says the content's SHA-256 is.
std::string signed_digest(const std::string& der) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  const std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)> cms{
      d2i_CMS_ContentInfo(nullptr, &bytes, static_cast<long>(der.size())), &CMS_ContentInfo_free};
  if (!cms) return {};
  CMS_SignerInfo* info = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0);
  const auto* digest = static_cast<const ASN1_OCTET_STRING*>(CMS_signed_get0_data_by_OBJ(
      info, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  if (digest == nullptr) return {};
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(digest)),
          static_cast<std::size_t>(ASN1_STRING_length(digest))};
}

class FileSigningTest : public ::testing::Test {
 protected:
  fs::path write(const std::string& name, const std::string& bytes) const {
    const fs::path path = temp_.path() / name;
    opcat::testing::write_file(path, bytes);
    return path;
  }

  std::string rejection(const std::string& signature, const fs::path& content) const {
    try {
      verify_detached_file(signature, content, pki_.ca_certificate());
    } catch (const SignatureError& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected a SignatureError";
    return {};
  }

  TempDir temp_{"opcat-file-signing"};
  TestPki pki_{temp_.path() / "pki"};
  IssuedCertificate signing_ = pki_.issue_signing("OPCAT Gateway payloads");
  Signer signer_ = Signer::load(signing_.certificate, signing_.private_key);
};

TEST_F(FileSigningTest, FileAndMemorySignaturesAreInterchangeable) {
  const fs::path file = write("payload.json", kContent);

  const std::string of_file = signer_.sign_detached_file(file);
  const VerifiedSigner verified = verify_detached(of_file, kContent, pki_.ca_certificate());
  EXPECT_EQ(verified.cn, "OPCAT Gateway payloads");
  EXPECT_EQ(verified.sha256, signing_.sha256);

  const std::string of_memory = signer_.sign_detached(kContent);
  EXPECT_EQ(verify_detached_file(of_memory, file, pki_.ca_certificate(), pki_.crl()).sha256,
            signing_.sha256);
  EXPECT_NO_THROW(verify_detached_file(of_file, file, pki_.ca_certificate()));

  // Signing times differ, so the DER does; the digest they sign must not.
  const std::string digest = signed_digest(of_file);
  EXPECT_EQ(digest.size(), 32u);
  EXPECT_EQ(digest, signed_digest(of_memory));
}

TEST_F(FileSigningTest, OpensslCommandLineAcceptsAFileSignature) {
  const fs::path file = write("payload.json", kContent);
  const fs::path signature = write("payload.p7s", signer_.sign_detached_file(file));
  const auto result = opcat::testing::openssl_cms_verify(signature, file, pki_.ca_certificate());
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

TEST_F(FileSigningTest, OneChangedByteInTheFileIsRefused) {
  const std::string signature = signer_.sign_detached_file(write("payload.json", kContent));
  for (const std::size_t at : {std::size_t{0}, kContent.size() / 2, kContent.size() - 1}) {
    std::string tampered = kContent;
    tampered[at] = static_cast<char>(tampered[at] ^ 0x01);
    EXPECT_EQ(rejection(signature, write("tampered.json", tampered)),
              "content does not match the signature")
        << at;
  }
  EXPECT_EQ(rejection(signature, write("longer.json", kContent + "\n")),
            "content does not match the signature");
  EXPECT_EQ(rejection(signature, write("empty.json", "")), "content does not match the signature");
}

TEST_F(FileSigningTest, AFileThatCannotBeReadIsNamed) {
  const fs::path missing = temp_.path() / "missing.json";
  EXPECT_THAT(runtime_error_of([&] { signer_.sign_detached_file(missing); }),
              StartsWith(missing.string() +
                         ": cannot read the content to sign: No such file or directory"));
  const std::string signature = signer_.sign_detached(kContent);
  EXPECT_THAT(
      runtime_error_of([&] { verify_detached_file(signature, missing, pki_.ca_certificate()); }),
      StartsWith(missing.string() + ": cannot read the signed content: No such file or directory"));

  // A directory opens, but every read fails: neither a signature over nothing nor a "content does
  // not match" must come of it.
  const fs::path directory = temp_.path() / "a-directory";
  fs::create_directory(directory);
  EXPECT_THAT(runtime_error_of([&] { signer_.sign_detached_file(directory); }),
              StartsWith(directory.string() + ": reading the content to sign failed"));
  EXPECT_THAT(
      runtime_error_of([&] { verify_detached_file(signature, directory, pki_.ca_certificate()); }),
      StartsWith(directory.string() + ": reading the signed content failed"));
}

TEST_F(FileSigningTest, TwentyMegabytesSignAndVerify) {
  constexpr std::size_t kSize = 20u * 1024 * 1024 + 7;  // not a multiple of any read size
  const fs::path file = temp_.path() / "large.bin";
  {
    std::mt19937 random(42);
    std::ofstream out(file, std::ios::binary);
    std::string block(64 * 1024, '\0');
    for (std::size_t written = 0; written < kSize;) {
      for (char& c : block) c = static_cast<char>(random());
      const std::size_t n = std::min(block.size(), kSize - written);
      out.write(block.data(), static_cast<std::streamsize>(n));
      written += n;
    }
    ASSERT_TRUE(out.good());
  }
  ASSERT_EQ(fs::file_size(file), kSize);

  const std::string signature = signer_.sign_detached_file(file);
  EXPECT_EQ(verify_detached_file(signature, file, pki_.ca_certificate()).sha256, signing_.sha256);
  const fs::path signature_file = write("large.p7s", signature);
  const auto result =
      opcat::testing::openssl_cms_verify(signature_file, file, pki_.ca_certificate());
  EXPECT_EQ(result.exit_code, 0) << result.output;

  // One bit flipped in the middle of the file.
  {
    std::fstream io(file, std::ios::binary | std::ios::in | std::ios::out);
    io.seekg(static_cast<std::streamoff>(kSize / 2));
    char c = 0;
    io.get(c);
    io.seekp(static_cast<std::streamoff>(kSize / 2));
    io.put(static_cast<char>(c ^ 0x01));
    ASSERT_TRUE(io.good());
  }
  EXPECT_EQ(rejection(signature, file), "content does not match the signature");
}

}  // namespace
}  // namespace opcat::signing
