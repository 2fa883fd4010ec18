// Who is calling: maps a verified client certificate to a member body or an operator.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/config/config.hpp"
#include "gateway/identity/peer_certificate.hpp"

namespace opcat::identity {

// A party the gateway knows, as resolved from its certificate.
struct Identity {
  enum class Kind { member, operator_ };
  Kind kind = Kind::member;
  std::string code;  // member code ("hmip") or operator name ("admin")
  std::string name;  // the body's or the operator's display name
  std::optional<config::Role> role;  // operators only
};

// The parties one listener accepts (members on the member listener, operators on the admin
// listener). Immutable after construction, so sessions on any thread may share it.
class Directory {
 public:
  static Directory of_members(const config::Config& config);
  static Directory of_operators(const config::Config& config);

  // The party whose certificate rule the peer satisfies: the subject CN must equal the rule's CN
  // when one is set, and the fingerprint must be one of the pins when any are set. Config
  // validation guarantees that at most one party can match.
  std::optional<Identity> find(const PeerCertificate& peer) const;

  std::size_t size() const { return entries_.size(); }
  Identity::Kind kind() const { return kind_; }

 private:
  struct Entry {
    Identity identity;
    config::CertificateMatch match;
  };
  Identity::Kind kind_ = Identity::Kind::member;
  std::vector<Entry> entries_;
};

}  // namespace opcat::identity
