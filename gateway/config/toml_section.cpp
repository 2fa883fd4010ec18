// Typed reading of one TOML table; every error names the full dotted key and where it was written.
#include "gateway/config/toml_section.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

namespace opcat::config::detail {
namespace fs = std::filesystem;

std::string located(const toml::source_region& where) {
  if (!where.begin) return {};
  std::string text = " (";
  if (where.path) text += *where.path + ", ";
  text += "line " + std::to_string(where.begin.line) + ", column " +
          std::to_string(where.begin.column) + ")";
  return text;
}

void fail(std::string_view key, std::string_view problem, const toml::source_region* where) {
  std::string message{key};
  message += ": ";
  message += problem;
  if (where != nullptr) message += located(*where);
  throw ConfigError(message);
}

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

namespace {

// Levenshtein distance, to suggest the key that a typo was meant to be.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string suggestion(std::string_view unknown, std::initializer_list<std::string_view> known) {
  std::string_view best;
  std::size_t best_distance = 3;  // further than two edits is a different word, not a typo
  for (std::string_view candidate : known) {
    const std::size_t distance = edit_distance(unknown, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (best.empty()) return {};
  return "; did you mean \"" + std::string(best) + "\"?";
}

// Shortest form that reads back the same: "0.001", "86400", "nan".
std::string number_text(double value) {
  char text[32];
  const auto result = std::to_chars(std::begin(text), std::end(text), value);
  return std::string(text, result.ptr);
}

}  // namespace

Section::Section(const toml::table* table, std::string prefix,
                 std::initializer_list<std::string_view> known_keys)
    : table_(table), prefix_(std::move(prefix)) {
  reject_unknown_keys(known_keys);
}

void Section::reject_unknown_keys(std::initializer_list<std::string_view> known_keys) const {
  if (table_ == nullptr) return;
  for (auto&& [name, value] : *table_) {
    if (std::find(known_keys.begin(), known_keys.end(), name.str()) != known_keys.end()) continue;
    fail(key(name.str()), "unknown key" + suggestion(name.str(), known_keys), &name.source());
  }
}

std::string Section::key(std::string_view name) const {
  if (prefix_.empty()) return std::string(name);
  return prefix_ + "." + std::string(name);
}

const toml::node* Section::find(std::string_view name) const {
  return table_ == nullptr ? nullptr : table_->get(name);
}

const toml::source_region* Section::where() const {
  return table_ == nullptr ? nullptr : &table_->source();
}

void Section::wrong_type(std::string_view name, std::string_view expected) const {
  const toml::node& node = *find(name);
  fail(key(name), "expected " + std::string(expected) + ", got " + std::string(type_name(node)),
       &node.source());
}

void Section::require(std::string_view name) const {
  if (find(name) == nullptr) fail(key(name), "required key is missing", where());
}

const toml::table* Section::table(std::string_view name) const {
  const toml::node* node = find(name);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) wrong_type(name, "a table");
  return node->as_table();
}

std::optional<std::string> Section::string(std::string_view name) const {
  const toml::node* node = find(name);
  if (node == nullptr) return std::nullopt;
  if (!node->is_string()) wrong_type(name, "a string");
  std::string value = node->as_string()->get();
  if (value.empty()) fail(key(name), "must not be empty", &node->source());
  return value;
}

std::optional<std::int64_t> Section::integer(std::string_view name, std::int64_t min,
                                             std::int64_t max) const {
  const toml::node* node = find(name);
  if (node == nullptr) return std::nullopt;
  if (!node->is_integer()) wrong_type(name, "an integer");
  const std::int64_t value = node->as_integer()->get();
  if (value < min || value > max) {
    fail(key(name),
         "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
             std::to_string(value),
         &node->source());
  }
  return value;
}

std::optional<bool> Section::boolean(std::string_view name) const {
  const toml::node* node = find(name);
  if (node == nullptr) return std::nullopt;
  if (!node->is_boolean()) wrong_type(name, "true or false");
  return node->as_boolean()->get();
}

std::optional<double> Section::number(std::string_view name, double min, double max) const {
  const toml::node* node = find(name);
  if (node == nullptr) return std::nullopt;
  double value = 0;
  if (node->is_integer()) {
    value = static_cast<double>(node->as_integer()->get());
  } else if (node->is_floating_point()) {
    value = node->as_floating_point()->get();
  } else {
    wrong_type(name, "a number");
  }
  // The negated comparison also rejects NaN, which TOML allows ("nan").
  if (!(value >= min && value <= max)) {
    fail(key(name),
         "must be between " + number_text(min) + " and " + number_text(max) + ", got " +
             number_text(value),
         &node->source());
  }
  return value;
}

std::optional<fs::path> Section::path(std::string_view name, const fs::path& base) const {
  auto text = string(name);
  if (!text) return std::nullopt;
  return resolve(*text, base);
}

const toml::array* Section::strings_array(std::string_view name) const {
  const toml::node* node = find(name);
  if (node == nullptr) return nullptr;
  if (!node->is_array()) wrong_type(name, "an array of strings");
  const toml::array& array = *node->as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    const toml::node& element = *array.get(i);
    if (!element.is_string()) {
      fail(key(name) + "[" + std::to_string(i) + "]",
           "expected a string, got " + std::string(type_name(element)), &element.source());
    }
  }
  return &array;
}

fs::path resolve(const fs::path& path, const fs::path& base) {
  return fs::absolute(base / path).lexically_normal();
}

void check_readable_file(std::string_view key, const fs::path& path,
                         const toml::source_region* where) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) {
    fail(key, path.string() + " does not exist", where);
  }
  if (ec) fail(key, path.string() + ": " + ec.message(), where);
  if (!fs::is_regular_file(status)) fail(key, path.string() + " is not a regular file", where);
  // Permissions say little when running as root or under ACLs; opening it is the real test.
  std::ifstream file(path, std::ios::binary);
  if (!file) fail(key, path.string() + " cannot be read: " + std::strerror(errno), where);
}

}  // namespace opcat::config::detail
