#include "gateway/identity/directory.hpp"

#include <algorithm>

namespace opcat::identity {
namespace {

bool matches(const config::CertificateMatch& rule, const PeerCertificate& peer) {
  if (!rule.cn && rule.sha256.empty()) return false;  // a rule that names nothing admits no one
  if (rule.cn && *rule.cn != peer.subject_cn) return false;
  if (!rule.sha256.empty() &&
      std::find(rule.sha256.begin(), rule.sha256.end(), peer.sha256) == rule.sha256.end()) {
    return false;
  }
  return true;
}

}  // namespace

Directory Directory::of_members(const config::Config& config) {
  Directory directory;
  for (const auto& [code, member] : config.members) {
    directory.entries_.push_back(
        {Identity{Identity::Kind::member, code, member.name, std::nullopt}, member.certificate});
  }
  return directory;
}

Directory Directory::of_operators(const config::Config& config) {
  Directory directory;
  directory.kind_ = Identity::Kind::operator_;
  for (const auto& [name, op] : config.operators) {
    directory.entries_.push_back(
        {Identity{Identity::Kind::operator_, name, op.display_name, op.role}, op.certificate});
  }
  return directory;
}

std::optional<Identity> Directory::find(const PeerCertificate& peer) const {
  // 21 members and a handful of operators: a scan is clearer than an index and just as fast.
  for (const auto& entry : entries_) {
    if (matches(entry.match, peer)) return entry.identity;
  }
  return std::nullopt;
}

}  // namespace opcat::identity
