#include "gateway/signing/signer.hpp"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <stdexcept>
#include <utility>

#include "gateway/signing/openssl_helpers.hpp"

namespace opcat::signing {
namespace {

namespace fs = std::filesystem;
using detail::take_openssl_errors;

// Detached: the signature travels beside the content. Binary: the content's bytes are digested
// as they are, never converted to MIME's CRLF line ends (a receipt is JSON, not a mail).
constexpr unsigned int kFlags = CMS_DETACHED | CMS_BINARY;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("signing: " + what + ": " + take_openssl_errors());
}

[[noreturn]] void refuse(const fs::path& certificate, const std::string& problem) {
  ERR_clear_error();
  throw std::runtime_error(certificate.string() + ": the signing certificate " + problem);
}

// A signature made outside the certificate's validity would not verify for anyone.
void check_valid_now(X509* certificate, const fs::path& path) {
  if (X509_cmp_current_time(X509_get0_notBefore(certificate)) > 0) {
    refuse(path, "is not valid yet");
  }
  if (X509_cmp_current_time(X509_get0_notAfter(certificate)) < 0) refuse(path, "has expired");
}

// The same test `openssl cms -verify` applies to the signer by default (purpose smimesign).
void check_may_sign(X509* certificate, const fs::path& path) {
  if (X509_check_purpose(certificate, X509_PURPOSE_SMIME_SIGN, 0) != 1) {
    refuse(path,
           "may not sign CMS/S-MIME: it needs keyUsage digitalSignature or nonRepudiation and, "
           "if it has an extendedKeyUsage, emailProtection");
  }
}

bool same_certificate(X509* a, X509* b) {
  return X509_cmp(a, b) == 0;
}

// Moves the certificates of `from` to the end of `chain`, leaving out the signer's own and any
// already there: a "full chain" file often repeats them, and CMS refuses to add a certificate
// twice.
void add_to_chain(STACK_OF(X509) * chain, X509* signer, detail::Certificates from) {
  while (X509* certificate = sk_X509_shift(from.get())) {
    detail::Certificate owned{certificate};
    bool present = same_certificate(certificate, signer);
    for (int i = 0; !present && i < sk_X509_num(chain); ++i) {
      present = same_certificate(certificate, sk_X509_value(chain, i));
    }
    if (present) continue;
    if (sk_X509_push(chain, certificate) == 0) fail("sk_X509_push");
    owned.release();  // the chain owns it now
  }
}

}  // namespace

// Immutable once load() returns: the reason sign_detached may run on many threads at once.
struct Signer::State {
  detail::Certificate certificate;
  detail::Key key;
  detail::Certificates chain;  // possibly empty
  std::string sha256;

  // What both sign_detached entry points do, whatever `content` reads from.
  std::string sign(BIO* content, std::string_view content_name) const;
};

Signer::Signer(std::unique_ptr<const State> state) : state_(std::move(state)) {}
Signer::~Signer() = default;
Signer::Signer(Signer&&) noexcept = default;
Signer& Signer::operator=(Signer&&) noexcept = default;

Signer Signer::load(const fs::path& certificate, const fs::path& private_key,
                    const fs::path& chain) {
  auto state = std::make_unique<State>();
  detail::Certificates certificates = detail::read_certificates(certificate, "signing certificate");
  // The first certificate of the file is the signer's; any that follow are its chain.
  state->certificate.reset(sk_X509_shift(certificates.get()));
  state->chain.reset(sk_X509_new_null());
  if (!state->chain) fail("sk_X509_new_null");
  add_to_chain(state->chain.get(), state->certificate.get(), std::move(certificates));
  if (!chain.empty()) {
    add_to_chain(state->chain.get(), state->certificate.get(),
                 detail::read_certificates(chain, "certificate chain"));
  }
  state->key = detail::read_private_key(private_key, "signing key");

  X509* signer = state->certificate.get();
  if (X509_check_private_key(signer, state->key.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error(private_key.string() +
                             ": the private key does not match the signing certificate " +
                             certificate.string());
  }
  check_valid_now(signer, certificate);
  check_may_sign(signer, certificate);
  state->sha256 = detail::sha256_fingerprint(signer);
  return Signer(std::move(state));
}

std::string Signer::State::sign(BIO* content, std::string_view content_name) const {
  // CMS_PARTIAL gives an empty SignedData, so that the signer can be added with an explicit
  // digest (SHA-256) instead of the key type's default.
  detail::Cms cms{CMS_sign(nullptr, nullptr, nullptr, nullptr, CMS_PARTIAL | kFlags)};
  if (!cms) fail("CMS_sign");
  // Adds the signer certificate too. The signing time is added when CMS_final signs.
  if (CMS_add1_signer(cms.get(), certificate.get(), key.get(), EVP_sha256(), kFlags) == nullptr) {
    fail("CMS_add1_signer");
  }
  for (int i = 0; i < sk_X509_num(chain.get()); ++i) {
    if (CMS_add1_cert(cms.get(), sk_X509_value(chain.get(), i)) != 1) fail("CMS_add1_cert");
  }
  if (CMS_final(cms.get(), content, nullptr, kFlags) != 1) fail("CMS_final");
  // In binary mode CMS_final reads until BIO_read returns <= 0 and takes an error for the end:
  // a file that fails half-way would be signed short.
  if (detail::read_failed(content)) {
    throw std::runtime_error(std::string(content_name) +
                             ": reading the content to sign failed: " + take_openssl_errors());
  }

  detail::Bio der{BIO_new(BIO_s_mem())};
  if (!der || i2d_CMS_bio(der.get(), cms.get()) != 1) fail("i2d_CMS_bio");
  return detail::memory_contents(der.get());
}

std::string Signer::sign_detached(std::string_view content) const {
  const detail::Bio data = detail::memory_bio(content);
  return state_->sign(data.get(), "content in memory");
}

std::string Signer::sign_detached_file(const fs::path& content) const {
  const detail::Bio data = detail::file_bio(content, "content to sign");
  return state_->sign(data.get(), content.string());
}

const std::string& Signer::certificate_sha256() const {
  return state_->sha256;
}

std::string Signer::certificate_subject() const {
  return detail::subject_text(state_->certificate.get());
}

}  // namespace opcat::signing
