// Typed reading of one TOML table, every error naming the full dotted key. Used by the gateway
// config and by the adapters' mapping files (a mapping file is configuration too).
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "gateway/config/config.hpp"

namespace opcat::config::detail {

// " (gateway.toml, line 12, column 3)", or "" when toml++ recorded no position.
std::string located(const toml::source_region& where);

// Throws ConfigError "<key>: <problem><location>".
[[noreturn]] void fail(std::string_view key, std::string_view problem,
                       const toml::source_region* where = nullptr);

// "a string", "an integer"...: the actual type, for "expected X, got Y" messages.
std::string_view type_name(const toml::node& node);

// One table of the file whose keys are all known in advance, so that a typo is reported as the
// unknown key it is instead of silently taking a default. A missing table reads as empty.
class Section {
 public:
  Section(const toml::table* table, std::string prefix,
          std::initializer_list<std::string_view> known_keys);

  // The full dotted key: "limits.body_limit_bytes".
  std::string key(std::string_view name) const;
  const toml::node* find(std::string_view name) const;
  // Where the table itself was written (its [header]), for errors about absent keys.
  const toml::source_region* where() const;

  // Each returns nullopt (or nullptr) when the key is absent and throws ConfigError when the
  // value has the wrong type or is out of range.
  const toml::table* table(std::string_view name) const;
  std::optional<std::string> string(std::string_view name) const;  // never empty
  std::optional<std::int64_t> integer(std::string_view name, std::int64_t min,
                                      std::int64_t max) const;
  std::optional<bool> boolean(std::string_view name) const;
  // An integer or a float, finite and within [min, max].
  std::optional<double> number(std::string_view name, double min, double max) const;
  std::optional<std::filesystem::path> path(std::string_view name,
                                            const std::filesystem::path& base) const;

  // A string turned into a value by `convert`, which throws std::invalid_argument with the reason.
  template <class Convert>
  auto converted(std::string_view name, Convert convert) const
      -> std::optional<std::invoke_result_t<Convert, const std::string&>> {
    auto text = string(name);
    if (!text) return std::nullopt;
    try {
      return convert(*text);
    } catch (const std::invalid_argument& e) {
      fail(key(name), e.what(), &find(name)->source());
    }
  }

  // An array of strings, each passed through `convert` like converted(); errors name "key[i]".
  template <class Convert>
  std::vector<std::string> strings(std::string_view name, Convert convert) const {
    std::vector<std::string> values;
    const toml::array* array = strings_array(name);
    if (array == nullptr) return values;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      try {
        values.push_back(convert(element.as_string()->get()));
      } catch (const std::invalid_argument& e) {
        fail(key(name) + "[" + std::to_string(i) + "]", e.what(), &element.source());
      }
    }
    return values;
  }

  // Throws "<key>: required key is missing" unless the key is present.
  void require(std::string_view name) const;

 private:
  void reject_unknown_keys(std::initializer_list<std::string_view> known_keys) const;
  // The array under `name` after checking that every element is a string; nullptr if absent.
  const toml::array* strings_array(std::string_view name) const;
  [[noreturn]] void wrong_type(std::string_view name, std::string_view expected) const;

  const toml::table* table_;
  std::string prefix_;
};

// Resolves a path from the file against the file's folder; absolute and normalised.
std::filesystem::path resolve(const std::filesystem::path& path, const std::filesystem::path& base);

// Throws "<key>: <path> ..." unless `path` is an existing, readable regular file.
void check_readable_file(std::string_view key, const std::filesystem::path& path,
                         const toml::source_region* where);

}  // namespace opcat::config::detail
