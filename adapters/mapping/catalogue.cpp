#include "adapters/mapping/catalogue.hpp"

#include <algorithm>
#include <cstdlib>

#include "gateway/config/config.hpp"

namespace opcat::adapters {

std::filesystem::path default_mappings_dir() {
  if (const char* dir = std::getenv("OPCAT_ADAPTERS_DIR"); dir != nullptr && *dir != '\0') return dir;
  return std::filesystem::path(OPCAT_ADAPTERS_SOURCE_DIR) / "members";
}

MappingCatalogue MappingCatalogue::load(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw config::ConfigError(dir.string() + ": not a folder of mapping files");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  MappingCatalogue catalogue;
  for (const auto& file : files) {
    MemberMapping mapping = load_mapping(file);
    if (const auto* other = catalogue.find(mapping.member, mapping.name)) {
      throw config::ConfigError(file.string() + ": mapping \"" + mapping.name + "\" of member " +
                                mapping.member + " is already defined in " + other->file.string());
    }
    catalogue.mappings_.push_back(std::move(mapping));
  }
  return catalogue;
}

const MemberMapping* MappingCatalogue::find(std::string_view member, std::string_view name) const {
  if (name.empty()) name = "default";
  for (const auto& mapping : mappings_) {
    if (mapping.member == member && mapping.name == name) return &mapping;
  }
  return nullptr;
}

}  // namespace opcat::adapters
