#include "gateway/net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <stdexcept>
#include <string>

#include "gateway/log/log.hpp"

namespace opcat::net {
namespace ssl = boost::asio::ssl;
namespace {

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + openssl_error());
}

// Adds every CRL in the PEM file to the store and turns on revocation checking of the client's
// certificate. Fails closed: an expired CRL makes every handshake fail, which is why operators
// are warned when one is close to its nextUpdate.
void load_crls(SSL_CTX* ctx, const std::filesystem::path& crl) {
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
  if (lookup == nullptr) fail("cannot set up CRL lookup");
  const int loaded = X509_load_crl_file(lookup, crl.c_str(), X509_FILETYPE_PEM);
  if (loaded <= 0) fail("cannot read any CRL from " + crl.string());

  // Only the leaf is checked: with CRL_CHECK_ALL an intermediate CA whose parent's CRL is not
  // configured would make every handshake fail (certs/README.md explains the choice).
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);

  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    X509_CRL* list = X509_OBJECT_get0_X509_CRL(sk_X509_OBJECT_value(objects, i));
    if (list == nullptr) continue;
    const ASN1_TIME* next = X509_CRL_get0_nextUpdate(list);
    int days = 0, seconds = 0;
    if (next != nullptr && ASN1_TIME_diff(&days, &seconds, nullptr, next) == 1 && days < 7) {
      log::warn("crl_expiring")
          .field("file", crl.string())
          .field("days_left", days)
          .field("note", days < 0 ? "expired: every handshake will fail" : "refresh it soon");
    }
  }
}

}  // namespace

std::shared_ptr<ssl::context> make_server_tls(const config::TlsSettings& tls,
                                              const std::filesystem::path& client_ca,
                                              const std::filesystem::path& crl,
                                              ClientCertificate client) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();

  SSL_CTX_set_min_proto_version(ctx, tls.tls13_only ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 0);
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) fail("cannot set TLS 1.2 ciphers");
  if (SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1) fail("cannot set TLS 1.3 suites");
  if (SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1) fail("cannot set key groups");

  if (SSL_CTX_use_certificate_chain_file(ctx, tls.certificate.c_str()) != 1) {
    fail("cannot load the server certificate " + tls.certificate.string());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, tls.private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
    fail("cannot load the server private key " + tls.private_key.string());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    fail(tls.private_key.string() + " does not belong to " + tls.certificate.string());
  }

  if (SSL_CTX_load_verify_locations(ctx, client_ca.c_str(), nullptr) != 1) {
    fail("cannot load the client CA bundle " + client_ca.string());
  }
  // Tell clients which CAs we accept, so one holding several certificates picks the right one.
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(client_ca.c_str());
  if (names == nullptr) fail("no CA certificate in " + client_ca.string());
  SSL_CTX_set_client_CA_list(ctx, names);
  load_crls(ctx, crl);

  SSL_CTX_set_verify(ctx,
                     client == ClientCertificate::required
                         ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                         : SSL_VERIFY_PEER,
                     nullptr);
  SSL_CTX_set_verify_depth(ctx, 4);
  return context;
}

}  // namespace opcat::net
