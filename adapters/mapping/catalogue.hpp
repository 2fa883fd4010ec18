// Every member's mappings, from adapters/members/*.toml: one file per mapping, named
// <code>.toml or <code>.<name>.toml when a member has several (chosen with X-Adapter / --adapter).
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "adapters/mapping/member_mapping.hpp"

namespace opcat::adapters {

// OPCAT_ADAPTERS_DIR if set, else the adapters/members folder of the source tree.
std::filesystem::path default_mappings_dir();

class MappingCatalogue {
 public:
  // Loads every *.toml in `dir`, sorted by file name. Throws config::ConfigError on the first
  // invalid file (naming it, the key and the line), or when two files claim the same
  // member and name.
  static MappingCatalogue load(const std::filesystem::path& dir);

  // The member's mapping called `name` ("default" when empty), or null.
  const MemberMapping* find(std::string_view member, std::string_view name = {}) const;
  const std::vector<MemberMapping>& all() const { return mappings_; }

 private:
  std::vector<MemberMapping> mappings_;
};

}  // namespace opcat::adapters
