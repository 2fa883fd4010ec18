// What the JSON Schema says about each position in a record, $refs followed: the property order,
// required fields, sensitivity classes and which values are dates. Built once at load.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/schema/codelist_provider.hpp"

namespace opcat::schema::detail {

struct Shape {
  std::string name;         // the property's name; "" for a record and for array items
  std::string sensitivity;  // the property's class; array items inherit their array's
  std::string ref;  // the last "$ref" followed: "#/definitions/date", "codelists/member.json"
  const rapidjson::Value* schema = nullptr;  // the schema node once refs are followed
  std::vector<Shape> properties;             // in the schema's (normative) order
  std::vector<std::string> required;
  std::unique_ptr<Shape> items;

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  const Shape* property(std::string_view name) const;
  std::size_t index_of(std::string_view name) const;
  bool is_date() const { return ref == "#/definitions/date"; }
  bool is_codelist() const { return ref.starts_with("codelists/"); }
  // "title" (or else "description") of the schema node, "" when it has neither.
  std::string_view title() const;
  std::string_view description() const;
};

// Follows "$ref"s from `node` (local ones in `root`, code lists through `codelists`); sets `ref`
// to the last one followed. Throws std::runtime_error for a ref that resolves to nothing.
const rapidjson::Value& follow_refs(const rapidjson::Value& root, const rapidjson::Value& node,
                                    const CodelistProvider& codelists, std::string& ref);

// The shape of `node` (a schema object inside `root`). Every property must carry a
// "sensitivity" of public, may_contain_personal or personal: throws std::runtime_error naming
// `file` and the property's JSON Pointer otherwise.
Shape build_shape(const rapidjson::Value& root, const rapidjson::Value& node,
                  const CodelistProvider& codelists, const std::string& file,
                  const std::string& pointer);

bool is_sensitivity_class(std::string_view text);

}  // namespace opcat::schema::detail
