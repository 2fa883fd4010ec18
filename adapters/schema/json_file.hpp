// Reading the schema's own JSON files (trusted, small): parse errors name the file, line, column.
#pragma once

#include <rapidjson/document.h>

#include <filesystem>

namespace opcat::schema::detail {

// Throws std::runtime_error "<path>: ..." when the file cannot be read or is not JSON.
rapidjson::Document read_json_file(const std::filesystem::path& path);

// The file's bytes; throws std::runtime_error naming it when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace opcat::schema::detail
