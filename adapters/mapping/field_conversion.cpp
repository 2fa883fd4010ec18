#include "adapters/mapping/field_conversion.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace opcat::adapters {
namespace {

std::string folded(std::string_view text) {
  std::string out;
  for (const char c : trim(text)) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

rapidjson::Value string_value(std::string_view text, rapidjson::Document::AllocatorType& allocator) {
  return rapidjson::Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), allocator);
}

// "1,234" and " 12 " are integers as members write them; "12.0" is too, "12.5" is not.
bool parse_integer(std::string_view text, std::int64_t& out) {
  std::string digits;
  for (const char c : trim(text)) {
    if (c != ',') digits.push_back(c);
  }
  if (digits.empty()) return false;
  const char* end = digits.data() + digits.size();
  auto [ptr, ec] = std::from_chars(digits.data(), end, out);
  if (ec == std::errc() && ptr == end) return true;
  double real = 0;
  auto [rptr, rec] = std::from_chars(digits.data(), end, real);
  if (rec != std::errc() || rptr != end || !std::isfinite(real) || std::floor(real) != real ||
      std::fabs(real) > 9.0e15) {
    return false;
  }
  out = static_cast<std::int64_t>(real);
  return true;
}

bool parse_number(std::string_view text, double& out) {
  const std::string_view t = trim(text);
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  return ec == std::errc() && ptr == t.data() + t.size() && std::isfinite(out);
}

bool parse_boolean(std::string_view text, bool& out) {
  const std::string t = folded(text);
  if (t == "true" || t == "yes" || t == "y" || t == "1") return out = true, true;
  if (t == "false" || t == "no" || t == "n" || t == "0") return out = false, true;
  return false;
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  out.append(text.substr(0, 200));
  if (text.size() > 200) out += "...";
  return out + "\"";
}

// Converts text that is already past the value map.
bool convert_text(const FieldRule& rule, std::string_view text, std::string_view member,
                  rapidjson::Value& out, rapidjson::Document::AllocatorType& allocator,
                  ConversionProblem& problem) {
  switch (rule.kind) {
    case FieldRule::Kind::integer: {
      std::int64_t number = 0;
      if (!parse_integer(text, number)) {
        problem = {"bad_integer", quoted(text) + " is not a whole number"};
        return false;
      }
      out.SetInt64(number);
      return true;
    }
    case FieldRule::Kind::number: {
      double number = 0;
      if (!parse_number(text, number)) {
        problem = {"bad_number", quoted(text) + " is not a number"};
        return false;
      }
      // Whole numbers are written as such ("4", not "4.0"): same value, the member's own form.
      if (std::floor(number) == number && std::fabs(number) < 9.0e15) {
        out.SetInt64(static_cast<std::int64_t>(number));
      } else {
        out.SetDouble(number);
      }
      return true;
    }
    case FieldRule::Kind::boolean: {
      bool flag = false;
      if (!parse_boolean(text, flag)) {
        problem = {"bad_boolean", quoted(text) + " is not yes/no, true/false, Y/N or 1/0"};
        return false;
      }
      out.SetBool(flag);
      return true;
    }
    case FieldRule::Kind::date: {
      const auto date = to_iso_date(trim(text), rule.date_formats);
      if (!date) {
        problem = {"bad_date", quoted(text) + " is not a real date in the expected format"};
        return false;
      }
      out = string_value(*date, allocator);
      return true;
    }
    case FieldRule::Kind::string:
    case FieldRule::Kind::list: {
      const std::string_view value = trim(text);
      if (rule.reference) {
        out = string_value(std::string(member) + ":" + std::string(value), allocator);
      } else {
        out = string_value(value, allocator);
      }
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view trim(std::string_view text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(begin, end - begin);
}

std::string constant_text(const Constant& constant) {
  if (auto s = std::get_if<std::string>(&constant)) return *s;
  if (auto i = std::get_if<std::int64_t>(&constant)) return std::to_string(*i);
  if (auto b = std::get_if<bool>(&constant)) return *b ? "true" : "false";
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", std::get<double>(constant));
  return text;
}

bool convert_value(const FieldRule& rule, std::string_view raw, std::string_view member,
                   rapidjson::Value& out, rapidjson::Document::AllocatorType& allocator,
                   ConversionProblem& problem) {
  if (rule.value_map.empty()) return convert_text(rule, raw, member, out, allocator, problem);
  const auto found = rule.value_map.find(folded(raw));
  if (found != rule.value_map.end()) {
    const std::string target = constant_text(found->second);
    if (target.empty()) {  // mapped to "": the member's way of saying "no value" ("Not judged")
      out.SetNull();
      return true;
    }
    return convert_text(rule, target, member, out, allocator, problem);
  }
  if (rule.map_passthrough) return convert_text(rule, raw, member, out, allocator, problem);
  std::string expected;
  std::size_t shown = 0;
  for (const auto& [key, target] : rule.value_map) {
    if (shown++ == 12) {
      expected += ", ...";
      break;
    }
    expected += (expected.empty() ? "" : ", ") + key;
  }
  problem = {"unmapped_value", quoted(raw) + " is not one of the values this mapping knows (" + expected + ")"};
  return false;
}

bool convert_list(const FieldRule& rule, const std::vector<std::string>& items, std::string_view member,
                  rapidjson::Value& out, rapidjson::Document::AllocatorType& allocator,
                  ConversionProblem& problem) {
  FieldRule item_rule = rule;
  item_rule.kind = FieldRule::Kind::string;
  out.SetArray();
  for (const auto& item : items) {
    if (trim(item).empty()) continue;
    rapidjson::Value value;
    if (!convert_value(item_rule, item, member, value, allocator, problem)) return false;
    if (!value.IsNull()) out.PushBack(value, allocator);  // items mapped to "" are left out
  }
  return true;
}

}  // namespace opcat::adapters
