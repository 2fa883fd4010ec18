#include "gateway/identity/peer_certificate.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <memory>

#include "adapters/core/sha256.hpp"

namespace opcat::identity {
namespace {

// The first value of `nid` in the subject as UTF-8 (certificates may encode it as BMPString).
std::string subject_entry(X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return {};
  std::string value(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return value;
}

std::string oneline_subject(X509_NAME* name) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    return {};
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace

PeerCertificate read_peer_certificate(X509* certificate) {
  PeerCertificate peer;
  X509_NAME* subject = X509_get_subject_name(certificate);
  peer.subject_cn = subject_entry(subject, NID_commonName);
  peer.organisation = subject_entry(subject, NID_organizationName);
  peer.subject = oneline_subject(subject);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned length = 0;
  if (X509_digest(certificate, EVP_sha256(), digest.data(), &length) == 1) {
    peer.sha256 = adapters::to_hex({digest.data(), length});
  }
  return peer;
}

}  // namespace opcat::identity
