#include "adapters/schema/schemas_dir.hpp"

#include <cstdlib>

namespace opcat::schema {

std::filesystem::path schemas_dir() {
  if (const char* dir = std::getenv("OPCAT_SCHEMAS_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return OPCAT_DEFAULT_SCHEMAS_DIR;
}

}  // namespace opcat::schema
