// What the gateway reads from a client certificate that the TLS layer has already verified.
#pragma once

#include <openssl/types.h>

#include <string>

namespace opcat::identity {

struct PeerCertificate {
  std::string subject_cn;    // subject commonName (empty if absent)
  std::string organisation;  // subject organizationName (empty if absent)
  std::string sha256;        // SHA-256 of the DER encoding, lower-case hex, no separators
  std::string subject;       // the whole subject, RFC 2253, for log lines
};

// Reads the fields above from an X509 certificate (not owned).
PeerCertificate read_peer_certificate(X509* certificate);

}  // namespace opcat::identity
