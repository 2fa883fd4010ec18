#include "adapters/schema/codelist.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "adapters/schema/json_file.hpp"

namespace opcat::schema {

bool Codelist::contains(std::string_view code) const {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

std::string_view Codelist::label(std::string_view code) const {
  const auto it = std::find(codes.begin(), codes.end(), code);
  return it == codes.end() ? std::string_view{}
                           : labels[static_cast<std::size_t>(it - codes.begin())];
}

Codelist read_codelist(const std::filesystem::path& path) {
  const rapidjson::Document document = detail::read_json_file(path);
  const auto fail = [&](const std::string& why) {
    throw std::runtime_error(path.string() + ": " + why);
  };
  if (!document.IsObject()) fail("a code list must be a JSON object");

  Codelist list;
  list.name = path.stem().string();
  const auto title = document.FindMember("title");
  if (title == document.MemberEnd() || !title->value.IsString()) fail("\"title\" must be text");
  list.title = title->value.GetString();
  const auto type = document.FindMember("type");
  if (type == document.MemberEnd() || type->value != "string") {
    fail("\"type\" must be \"string\" (codes are text)");
  }

  const auto codes = document.FindMember("enum");
  if (codes == document.MemberEnd() || !codes->value.IsArray() || codes->value.Empty()) {
    fail("\"enum\" must be a non-empty list of codes");
  }
  std::set<std::string> seen;
  for (const auto& code : codes->value.GetArray()) {
    if (!code.IsString() || code.GetStringLength() == 0) fail("every code must be non-empty text");
    if (!seen.insert(code.GetString()).second) {
      fail("code \"" + std::string(code.GetString()) + "\" is listed twice");
    }
    list.codes.emplace_back(code.GetString(), code.GetStringLength());
  }

  const auto labels = document.FindMember("labels");
  if (labels == document.MemberEnd() || !labels->value.IsObject()) {
    fail("\"labels\" must be an object giving each code its label");
  }
  for (const auto& code : list.codes) {
    const auto label = labels->value.FindMember(code.c_str());
    if (label == labels->value.MemberEnd() || !label->value.IsString()) {
      fail("code \"" + code + "\" has no label");
    }
    list.labels.emplace_back(label->value.GetString(), label->value.GetStringLength());
  }
  for (const auto& label : labels->value.GetObject()) {
    if (!seen.contains(label.name.GetString())) {
      fail("label for \"" + std::string(label.name.GetString()) + "\", which is not a code");
    }
  }
  return list;
}

}  // namespace opcat::schema
