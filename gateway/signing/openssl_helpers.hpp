// Small OpenSSL helpers shared by the signer and the verifier: owning handles, the error queue as
// text, PEM files, and what a certificate is called (CN, subject, fingerprint).
#pragma once

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace opcat::signing::detail {

template <auto Free>
struct OpensslDeleter {
  template <typename T>
  void operator()(T* object) const noexcept {
    Free(object);
  }
};

void free_certificates(STACK_OF(X509) * certificates) noexcept;  // the stack and each certificate

using Bio = std::unique_ptr<BIO, OpensslDeleter<&BIO_free_all>>;
using Cms = std::unique_ptr<CMS_ContentInfo, OpensslDeleter<&CMS_ContentInfo_free>>;
using Certificate = std::unique_ptr<X509, OpensslDeleter<&X509_free>>;
using Certificates = std::unique_ptr<STACK_OF(X509), OpensslDeleter<&free_certificates>>;
using Key = std::unique_ptr<EVP_PKEY, OpensslDeleter<&EVP_PKEY_free>>;
using Store = std::unique_ptr<X509_STORE, OpensslDeleter<&X509_STORE_free>>;
using StoreContext = std::unique_ptr<X509_STORE_CTX, OpensslDeleter<&X509_STORE_CTX_free>>;

// Empties this thread's OpenSSL error queue into "reason; reason" ("unknown OpenSSL error" when it
// is empty), so that an exception says why and the next operation starts with a clean queue.
std::string take_openssl_errors();

// A read-only memory BIO over `bytes`, which must outlive it. Throws std::length_error beyond the
// 2 GiB a BIO length can express.
Bio memory_bio(std::string_view bytes);

// A file opened for reading through OpenSSL, so that CMS reads it in chunks instead of whole.
// Throws std::runtime_error "<path>: cannot read the <what>: <OpenSSL's reason>".
Bio file_bio(const std::filesystem::path& path, std::string_view what);

// Whether reading `bio` stopped on an error rather than at its end. CMS reads content until
// BIO_read returns <= 0 and does not always tell the two apart; a memory BIO cannot fail.
bool read_failed(BIO* bio);

// Everything written to a memory BIO.
std::string memory_contents(BIO* bio);

// Every certificate in a PEM file, in file order. Throws std::runtime_error
// "<path>: cannot read the <what>: <OpenSSL's reason>", also when the file holds no certificate.
Certificates read_certificates(const std::filesystem::path& path, std::string_view what);

// The private key in a PEM file (unencrypted: a server cannot type a pass phrase). Throws like
// read_certificates.
Key read_private_key(const std::filesystem::path& path, std::string_view what);

// SHA-256 of the DER certificate: lower-case hex without separators, as config pins are written.
std::string sha256_fingerprint(X509* certificate);

// The subject's first commonName as UTF-8; empty when it has none.
std::string subject_cn(X509* certificate);

// The whole subject in RFC 2253 form ("CN=...,O=..."), UTF-8 left unescaped.
std::string subject_text(X509* certificate);

}  // namespace opcat::signing::detail
