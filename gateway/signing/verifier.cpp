#include "gateway/signing/verifier.hpp"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "gateway/signing/openssl_helpers.hpp"

namespace opcat::signing {
namespace {

namespace fs = std::filesystem;
using detail::take_openssl_errors;

[[noreturn]] void reject(const std::string& reason) {
  ERR_clear_error();
  throw SignatureError(reason);
}

[[noreturn]] void unreadable(const fs::path& path, std::string_view what) {
  throw std::runtime_error(path.string() + ": cannot read the " + std::string(what) + ": " +
                           take_openssl_errors());
}

// A detached SignedData, or a SignatureError saying what it is instead.
detail::Cms parse(std::string_view signature) {
  detail::Bio der = detail::memory_bio(signature);
  detail::Cms cms{d2i_CMS_bio(der.get(), nullptr)};
  if (!cms) reject("not a DER-encoded CMS signature: " + take_openssl_errors());
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) reject("not a CMS SignedData");
  // A signature with content inside would be checked against that content, not against ours.
  if (CMS_is_detached(cms.get()) != 1) reject("the signature is not detached");
  return cms;
}

// The CAs (and CRLs) a signer must chain to. Only the leaf's revocation is checked, as on the TLS
// listeners: checking the whole chain would need a CRL for every CA (certs/README.md).
detail::Store trust_store(const fs::path& ca_bundle, const fs::path& crl) {
  detail::Store store{X509_STORE_new()};
  if (!store) throw std::runtime_error("X509_STORE_new: " + take_openssl_errors());
  if (X509_STORE_load_file(store.get(), ca_bundle.c_str()) != 1) unreadable(ca_bundle, "CA bundle");
  if (!crl.empty()) {
    X509_LOOKUP* lookup = X509_STORE_add_lookup(store.get(), X509_LOOKUP_file());
    if (lookup == nullptr || X509_load_crl_file(lookup, crl.c_str(), X509_FILETYPE_PEM) <= 0) {
      unreadable(crl, "CRL");
    }
    X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK);
  }
  return store;
}

// The certificate of the one signer, found among those the signature carries.
X509* signer_certificate(CMS_ContentInfo* cms) {
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms);
  const int count = signers == nullptr ? 0 : sk_CMS_SignerInfo_num(signers);
  // Several signers would leave "who signed" ambiguous; a receipt has one.
  if (count != 1) reject("expected one signer, found " + std::to_string(count));
  CMS_set1_signers_certs(cms, nullptr, 0);
  X509* signer = nullptr;
  CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(signers, 0), nullptr, &signer, nullptr, nullptr);
  if (signer == nullptr) reject("the signature does not carry its signer's certificate");
  return signer;
}

// Chain, validity, revocation and the S/MIME signing purpose, as CMS_verify would check them,
// but keeping X509_verify_cert's reason for the error message.
void check_trusted(X509_STORE* store, X509* signer, CMS_ContentInfo* cms) {
  const detail::Certificates carried{CMS_get1_certs(cms)};  // untrusted: possible intermediates
  const detail::StoreContext context{X509_STORE_CTX_new()};
  if (!context || X509_STORE_CTX_init(context.get(), store, signer, carried.get()) != 1 ||
      X509_STORE_CTX_set_default(context.get(), "smime_sign") != 1) {
    throw std::runtime_error("X509_STORE_CTX: " + take_openssl_errors());
  }
  if (X509_verify_cert(context.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(context.get());
    reject(std::string("signer certificate not trusted: ") + X509_verify_cert_error_string(error) +
           " (" + detail::subject_text(signer) + ")");
  }
}

// Whether CMS_verify failed on the content digest: it raises CMS_R_CONTENT_VERIFY_ERROR last.
bool content_mismatch() {
  const unsigned long last = ERR_peek_last_error();
  return ERR_GET_LIB(last) == ERR_LIB_CMS && ERR_GET_REASON(last) == CMS_R_CONTENT_VERIFY_ERROR;
}

// What both verify_detached entry points do, whatever `content` reads from.
VerifiedSigner verify(std::string_view signature, BIO* content, std::string_view content_name,
                      const fs::path& ca_bundle, const fs::path& crl) {
  const detail::Store store = trust_store(ca_bundle, crl);
  const detail::Cms cms = parse(signature);
  X509* signer = signer_certificate(cms.get());
  check_trusted(store.get(), signer, cms.get());

  // The certificate is settled above; CMS_verify checks the signature over the signed attributes
  // and that the content's digest is the one they hold.
  if (CMS_verify(cms.get(), nullptr, nullptr, content, nullptr,
                 CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
    if (content_mismatch()) reject("content does not match the signature");
    // A read error ends CMS_verify's copy of the content: the file's fault, not the signature's.
    if (detail::read_failed(content)) {
      throw std::runtime_error(std::string(content_name) +
                               ": reading the signed content failed: " + take_openssl_errors());
    }
    reject("the signature is invalid: " + take_openssl_errors());
  }
  return {detail::subject_cn(signer), detail::sha256_fingerprint(signer)};
}

}  // namespace

VerifiedSigner verify_detached(std::string_view signature, std::string_view content,
                               const fs::path& ca_bundle, const fs::path& crl) {
  ERR_clear_error();  // so that the reasons reported below are this call's
  const detail::Bio data = detail::memory_bio(content);
  return verify(signature, data.get(), "content in memory", ca_bundle, crl);
}

VerifiedSigner verify_detached_file(std::string_view signature, const fs::path& content,
                                    const fs::path& ca_bundle, const fs::path& crl) {
  ERR_clear_error();
  const detail::Bio data = detail::file_bio(content, "signed content");
  return verify(signature, data.get(), content.string(), ca_bundle, crl);
}

}  // namespace opcat::signing
