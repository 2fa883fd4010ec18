// Where the common schema files are read from.
#pragma once

#include <filesystem>

namespace opcat::schema {

// $OPCAT_SCHEMAS_DIR when set (an installed gateway), else the source tree's schemas/ folder.
std::filesystem::path schemas_dir();

}  // namespace opcat::schema
