// [members.<code>] and [operators.<name>]: who a verified client certificate may belong to.
#include "gateway/config/parties.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace opcat::config {

const char* to_string(Role role) {
  switch (role) {
    case Role::viewer:
      return "viewer";
    case Role::operator_:
      return "operator";
    case Role::admin:
      return "admin";
  }
  return "unknown";
}

Role parse_role(const std::string& text) {
  if (text == "viewer") return Role::viewer;
  if (text == "operator") return Role::operator_;
  if (text == "admin") return Role::admin;
  throw std::invalid_argument("expected \"viewer\", \"operator\" or \"admin\", got \"" + text +
                              "\"");
}

namespace detail {
namespace {

// Codes and operator names end up in certificate CNs, file names and URLs: keep them plain.
constexpr std::string_view kCodePattern = "^[a-z][a-z0-9-]*$";

bool is_code(std::string_view text) {
  if (text.empty() || !(text[0] >= 'a' && text[0] <= 'z')) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// Remembers which party each CN and each pinned fingerprint belongs to. Members are claimed
// before operators, so an operator colliding with a member is reported on the operator's key.
class CertificateOwners {
 public:
  void claim(const std::string& party, const CertificateMatch& match, const Section& section) {
    claim_cn(party, *match.cn, section);
    for (std::size_t i = 0; i < match.sha256.size(); ++i) {
      claim_pin(party, match.sha256[i], i, section);
    }
  }

 private:
  // Why no two parties may share a certificate (said more strongly for a member and an operator).
  static std::string consequence(const std::string& party, const std::string& owner) {
    if (party.starts_with("operators.") && owner.starts_with("members.")) {
      return "; a member's certificate must never pass for an operator's";
    }
    return "; a certificate must identify exactly one party";
  }

  void claim_cn(const std::string& party, const std::string& cn, const Section& section) {
    const auto [it, inserted] = by_cn_.emplace(cn, party);
    if (inserted) return;
    const toml::node* node = section.find("certificate_cn");
    const std::string origin = node != nullptr                 ? ""
                               : party.starts_with("members.") ? " (by default the member code)"
                                                               : " (by default the operator name)";
    fail(section.key("certificate_cn"),
         "CN \"" + cn + "\"" + origin + " is also the certificate CN of " + it->second +
             consequence(party, it->second),
         node == nullptr ? section.where() : &node->source());
  }

  void claim_pin(const std::string& party, const std::string& pin, std::size_t index,
                 const Section& section) {
    const auto [it, inserted] = by_pin_.emplace(pin, party);
    if (inserted || it->second == party) return;  // a pin repeated by one party is harmless
    const toml::node& element = *section.find("certificate_sha256")->as_array()->get(index);
    fail(section.key("certificate_sha256") + "[" + std::to_string(index) + "]",
         "fingerprint " + pin + " is also pinned by " + it->second + consequence(party, it->second),
         &element.source());
  }

  std::map<std::string, std::string> by_cn_;
  std::map<std::string, std::string> by_pin_;
};

// certificate_cn defaults to the party's code so that the usual case needs no key at all.
CertificateMatch read_certificate_match(const Section& section, const std::string& code) {
  CertificateMatch match;
  match.cn = section.string("certificate_cn").value_or(code);
  match.sha256 = section.strings("certificate_sha256", normalise_sha256);
  return match;
}

// The table of one party, after checking its name; `kind` is "members" or "operators".
const toml::table& party_table(const std::string& kind, const toml::key& code,
                               const toml::node& value) {
  const std::string party = kind + "." + std::string(code.str());
  if (!is_code(code.str())) {
    fail(party, "the name must match " + std::string(kCodePattern), &code.source());
  }
  if (!value.is_table()) {
    fail(party, "expected a table, got " + std::string(type_name(value)), &value.source());
  }
  return *value.as_table();
}

Member read_member(const std::string& code, const toml::table& table, CertificateOwners& owners) {
  const Section section(&table, "members." + code,
                        {"name", "certificate_cn", "certificate_sha256", "expected_interval_hours"});
  section.require("name");
  Member member{code, *section.string("name"), read_certificate_match(section, code), {}};
  // Up to a leap year: a member that reports yearly.
  if (const auto hours = section.integer("expected_interval_hours", 1, 366 * 24)) {
    member.expected_interval = std::chrono::hours(*hours);
  }
  owners.claim("members." + code, member.certificate, section);
  return member;
}

Operator read_operator(const std::string& name, const toml::table& table,
                       CertificateOwners& owners) {
  const Section section(&table, "operators." + name,
                        {"name", "role", "certificate_cn", "certificate_sha256"});
  section.require("name");
  section.require("role");
  Operator result{name, *section.string("name"), *section.converted("role", parse_role),
                  read_certificate_match(section, name)};
  owners.claim("operators." + name, result.certificate, section);
  return result;
}

}  // namespace

std::string normalise_sha256(const std::string& text) {
  std::string hex;
  for (char c : text) {
    if (c != ':') hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  const bool valid = hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
                       return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                     });
  if (!valid) {
    throw std::invalid_argument(
        "expected a SHA-256 fingerprint (64 hex digits, colons allowed), got \"" + text + "\"");
  }
  return hex;
}

Parties read_parties(const Section& root) {
  Parties parties;
  CertificateOwners owners;
  if (const toml::table* members = root.table("members")) {
    for (auto&& [code, value] : *members) {
      const toml::table& table = party_table("members", code, value);
      const std::string name(code.str());
      parties.members.emplace(name, read_member(name, table, owners));
    }
  }
  if (const toml::table* operators = root.table("operators")) {
    for (auto&& [code, value] : *operators) {
      const toml::table& table = party_table("operators", code, value);
      const std::string name(code.str());
      parties.operators.emplace(name, read_operator(name, table, owners));
    }
  }
  return parties;
}

}  // namespace detail
}  // namespace opcat::config
