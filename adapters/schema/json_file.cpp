#include "adapters/schema/json_file.hpp"

#include <rapidjson/error/en.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace opcat::schema::detail {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot be read");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw std::runtime_error(path.string() + ": cannot be read");
  return std::move(bytes).str();
}

rapidjson::Document read_json_file(const std::filesystem::path& path) {
  const std::string text = read_file(path);
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (document.HasParseError()) {
    const std::size_t offset = document.GetErrorOffset();
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw std::runtime_error(path.string() + ": line " + std::to_string(line) + ", column " +
                             std::to_string(column) + ": " +
                             rapidjson::GetParseError_En(document.GetParseError()));
  }
  return document;
}

}  // namespace opcat::schema::detail
