// The parties the gateway recognises by client certificate: members and operators (internal).
#pragma once

#include <map>
#include <string>

#include "gateway/config/config.hpp"
#include "gateway/config/toml_section.hpp"

namespace opcat::config::detail {

struct Parties {
  std::map<std::string, Member> members;
  std::map<std::string, Operator> operators;
};

// Reads [members.<code>] and [operators.<name>] from the root of the file, and makes sure that no
// certificate could be taken for two parties: CNs and pinned fingerprints are unique across both.
Parties read_parties(const Section& root);

// "AB:cd:..." -> "abcd...": 64 hex digits; throws std::invalid_argument otherwise.
std::string normalise_sha256(const std::string& text);

}  // namespace opcat::config::detail
