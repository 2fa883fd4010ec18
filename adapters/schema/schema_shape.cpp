#include "adapters/schema/schema_shape.hpp"

#include <rapidjson/pointer.h>

#include <stdexcept>

namespace opcat::schema::detail {
namespace {

std::string_view string_member(const rapidjson::Value* node, const char* name) {
  if (node == nullptr || !node->IsObject()) return {};
  const auto it = node->FindMember(name);
  if (it == node->MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

// JSON Pointer escaping of one reference token ("~" -> "~0", "/" -> "~1").
std::string escape_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

const Shape* Shape::property(std::string_view wanted) const {
  const std::size_t i = index_of(wanted);
  return i == npos ? nullptr : &properties[i];
}

std::size_t Shape::index_of(std::string_view wanted) const {
  for (std::size_t i = 0; i < properties.size(); ++i) {
    if (properties[i].name == wanted) return i;
  }
  return npos;
}

std::string_view Shape::title() const {
  const std::string_view text = string_member(schema, "title");
  return text.empty() ? description() : text;
}

std::string_view Shape::description() const {
  return string_member(schema, "description");
}

bool is_sensitivity_class(std::string_view text) {
  return text == "public" || text == "may_contain_personal" || text == "personal";
}

const rapidjson::Value& follow_refs(const rapidjson::Value& root, const rapidjson::Value& node,
                                    const CodelistProvider& codelists, std::string& ref) {
  const rapidjson::Value* current = &node;
  // A bound on chained refs: a cycle in the schema file must not hang the gateway.
  for (int hops = 0; hops < 32; ++hops) {
    const std::string_view next = string_member(current, "$ref");
    if (next.empty()) return *current;
    ref = next;
    if (next.starts_with("#")) {
      const rapidjson::Pointer pointer(next.data() + 1, next.size() - 1);
      const rapidjson::Value* target = pointer.IsValid() ? pointer.Get(root) : nullptr;
      if (target == nullptr)
        throw std::runtime_error("\"$ref\": \"" + ref + "\" resolves to nothing");
      current = target;
    } else {
      current = codelists.raw(next);
      if (current == nullptr) throw std::runtime_error("\"$ref\": \"" + ref + "\" is not loaded");
    }
  }
  throw std::runtime_error("\"$ref\": \"" + ref + "\" is part of a cycle");
}

Shape build_shape(const rapidjson::Value& root, const rapidjson::Value& node,
                  const CodelistProvider& codelists, const std::string& file,
                  const std::string& pointer) {
  Shape shape;
  try {
    shape.schema = &follow_refs(root, node, codelists, shape.ref);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(file + ": " + pointer + ": " + e.what());
  }
  if (!shape.schema->IsObject()) {
    throw std::runtime_error(file + ": " + pointer + ": a schema must be an object");
  }
  const auto properties = shape.schema->FindMember("properties");
  if (properties != shape.schema->MemberEnd() && properties->value.IsObject()) {
    for (const auto& property : properties->value.GetObject()) {
      const std::string name(property.name.GetString(), property.name.GetStringLength());
      const std::string at = pointer + "/properties/" + escape_token(name);
      const std::string_view sensitivity = string_member(&property.value, "sensitivity");
      if (!is_sensitivity_class(sensitivity)) {
        throw std::runtime_error(file + ": " + at +
                                 ": every property needs \"sensitivity\": \"public\", "
                                 "\"may_contain_personal\" or \"personal\"");
      }
      Shape child = build_shape(root, property.value, codelists, file, at);
      child.name = name;
      child.sensitivity = sensitivity;
      if (child.items) child.items->sensitivity = sensitivity;
      shape.properties.push_back(std::move(child));
    }
  }
  const auto required = shape.schema->FindMember("required");
  if (required != shape.schema->MemberEnd() && required->value.IsArray()) {
    for (const auto& name : required->value.GetArray()) {
      if (name.IsString()) shape.required.emplace_back(name.GetString(), name.GetStringLength());
    }
  }
  const auto items = shape.schema->FindMember("items");
  if (items != shape.schema->MemberEnd() && items->value.IsObject()) {
    shape.items = std::make_unique<Shape>(
        build_shape(root, items->value, codelists, file, pointer + "/items"));
  }
  return shape;
}

}  // namespace opcat::schema::detail
