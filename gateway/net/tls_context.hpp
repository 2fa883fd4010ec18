// The server side of mutual TLS: protocol floor, ciphers, the client CA bundle and its CRLs.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <memory>

#include "gateway/config/config.hpp"

namespace opcat::net {

// Builds the TLS context of one listener. Must run before any I/O thread starts: setting up an
// ssl::context is not thread-safe. Throws std::runtime_error naming the file that failed.
//
// What it enforces: TLS 1.2 minimum (1.3 preferred, or only 1.3), forward-secret AEAD ciphers
// only, no compression, no renegotiation, no session resumption (every connection presents and
// verifies its certificate afresh, so a revocation applies at once), a client certificate that
// must chain to `client_ca` and not be revoked by `crl`. With `ClientCertificate::optional` (the
// admin listener serving the browser console) a client may present none; one it presents is
// verified all the same, and a bad one still fails the handshake.
enum class ClientCertificate { required, optional };
std::shared_ptr<boost::asio::ssl::context> make_server_tls(
    const config::TlsSettings& tls, const std::filesystem::path& client_ca,
    const std::filesystem::path& crl, ClientCertificate client = ClientCertificate::required);

// Forward-secret AEAD suites for TLS 1.2 (OpenSSL names); TLS 1.3 suites are all AEAD + ECDHE.
inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
inline constexpr const char* kTls13Suites =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";

}  // namespace opcat::net
