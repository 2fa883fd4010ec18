#include "adapters/schema/record_checks.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>

#include "adapters/schema/calendar_date.hpp"
#include "adapters/schema/xml_text.hpp"

namespace opcat::schema::detail {
namespace {

// The walks below extend one path string in place and cut it back after each field, so that a
// valid record costs no allocation per field; paths are copied only into violations.
class PathMark {
 public:
  PathMark(std::string& path, std::string_view name) : path_(path), size_(path.size()) {
    if (!path_.empty()) path_ += '.';
    path_ += name;
  }
  PathMark(std::string& path, std::size_t index) : path_(path), size_(path.size()) {
    path_ += '[';
    path_ += std::to_string(index);
    path_ += ']';
  }
  ~PathMark() { path_.resize(size_); }
  PathMark(const PathMark&) = delete;
  PathMark& operator=(const PathMark&) = delete;

 private:
  std::string& path_;
  std::size_t size_;
};

std::string_view text_of(const rapidjson::Value& value) {
  return {value.GetString(), value.GetStringLength()};
}

std::string join(const std::vector<Shape>& properties) {
  std::string out;
  for (const auto& property : properties) {
    if (!out.empty()) out += ", ";
    out += property.name;
  }
  return out;
}

// Whether member `i` repeats an earlier name. Records have a few dozen fields at most, where a
// linear look back is cheapest; a hostile object with thousands gets a set.
class SeenNames {
 public:
  explicit SeenNames(const rapidjson::Value& object) : object_(object) {}
  bool repeats(rapidjson::SizeType i) {
    const std::string_view name = text_of((object_.MemberBegin() + i)->name);
    if (object_.MemberCount() > kLinear) return !set_.insert(name).second;
    for (rapidjson::SizeType j = 0; j < i; ++j) {
      if (text_of((object_.MemberBegin() + j)->name) == name) return true;
    }
    return false;
  }

 private:
  static constexpr rapidjson::SizeType kLinear = 64;
  const rapidjson::Value& object_;
  std::set<std::string_view> set_;
};

void check_text_at(const rapidjson::Value& value, std::string& path, std::vector<Violation>& out) {
  if (value.IsString()) {
    if (auto problem = xml_text_problem(text_of(value))) {
      out.push_back({path, "invalid_character", "the text " + *problem});
    }
  } else if (value.IsObject()) {
    SeenNames seen(value);
    for (rapidjson::SizeType i = 0; i < value.MemberCount(); ++i) {
      const auto& member = *(value.MemberBegin() + i);
      const std::string_view name = text_of(member.name);
      const PathMark mark(path, name);
      if (auto problem = xml_text_problem(name)) {
        out.push_back({path, "invalid_character", "the field name " + *problem});
      } else if (seen.repeats(i)) {
        out.push_back(
            {path, "duplicate_field", "\"" + std::string(name) + "\" appears more than once"});
      } else {
        check_text_at(member.value, path, out);
      }
    }
  } else if (value.IsArray()) {
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      const PathMark mark(path, i);
      check_text_at(value[i], path, out);
    }
  }
}

void check_order_at(const rapidjson::Value& value, const Shape& shape, std::string& path,
                    std::vector<Violation>& out) {
  if (value.IsArray() && shape.items) {
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      const PathMark mark(path, i);
      check_order_at(value[i], *shape.items, path, out);
    }
    return;
  }
  if (!value.IsObject() || shape.properties.empty()) return;
  std::size_t highest = Shape::npos;
  bool reported = false;
  for (const auto& member : value.GetObject()) {
    const std::string_view name = text_of(member.name);
    const std::size_t index = shape.index_of(name);
    if (index == Shape::npos) continue;  // unknown fields are the schema's to report
    const PathMark mark(path, name);
    if (highest != Shape::npos && index < highest && !reported) {
      out.push_back({path, "field_order",
                     "\"" + std::string(name) + "\" must come before \"" +
                         shape.properties[highest].name +
                         "\" (fields follow the schema's order: " + join(shape.properties) + ")"});
      reported = true;  // one report per object: the rest usually follows from it
    }
    if (highest == Shape::npos || index > highest) highest = index;
    check_order_at(member.value, shape.properties[index], path, out);
  }
}

void check_dates_at(const rapidjson::Value& value, const Shape& shape, std::string& path,
                    std::vector<Violation>& out) {
  if (shape.is_date()) {
    // Text of another shape is the pattern's to report; here only days that do not exist.
    if (value.IsString() && has_date_shape(text_of(value))) {
      if (auto problem = calendar_date_problem(text_of(value))) {
        out.push_back(
            {path, "invalid_date", quote(value) + " is not a calendar date: " + *problem});
      }
    }
    return;
  }
  if (value.IsArray() && shape.items) {
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      const PathMark mark(path, i);
      check_dates_at(value[i], *shape.items, path, out);
    }
  } else if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      if (const Shape* field = shape.property(text_of(member.name))) {
        const PathMark mark(path, text_of(member.name));
        check_dates_at(member.value, *field, path, out);
      }
    }
  }
}

}  // namespace

std::string field_path(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

std::string item_path(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string quote(const rapidjson::Value& value) {
  if (value.IsObject()) return "an object";
  if (value.IsArray()) return "a list";
  // Messages go back to members and into logs: a 100 MB field must not come back whole.
  constexpr std::size_t kLongest = 80;
  if (value.IsString() && value.GetStringLength() > kLongest) {
    std::size_t cut = kLongest;
    while (cut > 0 && (static_cast<unsigned char>(value.GetString()[cut]) & 0xC0u) == 0x80u) --cut;
    rapidjson::Value shortened(value.GetString(), static_cast<rapidjson::SizeType>(cut));
    return quote(shortened) + "...";
  }
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> writer(text);
  value.Accept(writer);
  return {text.GetString(), text.GetSize()};
}

void check_text(const rapidjson::Value& value, const std::string& path,
                std::vector<Violation>& out) {
  std::string at = path;
  check_text_at(value, at, out);
}

void check_order(const rapidjson::Value& value, const Shape& shape, const std::string& path,
                 std::vector<Violation>& out) {
  std::string at = path;
  check_order_at(value, shape, at, out);
}

void check_dates(const rapidjson::Value& value, const Shape& shape, const std::string& path,
                 std::vector<Violation>& out) {
  std::string at = path;
  check_dates_at(value, shape, at, out);
}

}  // namespace opcat::schema::detail
