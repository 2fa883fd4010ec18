#include "adapters/schema/schema_errors.hpp"

#include <algorithm>

#include "adapters/schema/record_checks.hpp"

namespace opcat::schema::detail {
namespace {

// Where the validator's document pointer leads, in the record and in the schema.
struct Location {
  std::string path;
  const rapidjson::Value* value = nullptr;
  const Shape* shape = nullptr;
  const Shape* parent = nullptr;
  std::string name;  // the last field name on the way
};

Location locate(const rapidjson::Pointer& pointer, const rapidjson::Value& record,
                const Shape& shape) {
  Location at;
  at.value = &record;
  at.shape = &shape;
  for (std::size_t i = 0; i < pointer.GetTokenCount(); ++i) {
    const auto& token = pointer.GetTokens()[i];
    at.parent = at.shape;
    if (at.value != nullptr && at.value->IsArray()) {
      const std::size_t index = token.index;
      at.path = item_path(at.path, index);
      at.value = index < at.value->Size() ? &(*at.value)[static_cast<rapidjson::SizeType>(index)]
                                          : nullptr;
      at.shape = at.shape != nullptr ? at.shape->items.get() : nullptr;
    } else {
      at.name.assign(token.name, token.length);
      at.path = field_path(at.path, at.name);
      const rapidjson::Value* parent = at.value;
      at.value = nullptr;
      if (parent != nullptr && parent->IsObject()) {
        const auto member =
            parent->FindMember(rapidjson::Value(rapidjson::StringRef(token.name, token.length)));
        if (member != parent->MemberEnd()) at.value = &member->value;
      }
      at.shape = at.shape != nullptr ? at.shape->property(at.name) : nullptr;
    }
  }
  return at;
}

std::string type_words(std::string_view type) {
  if (type == "integer") return "a whole number";
  if (type == "number") return "a number";
  if (type == "string") return "text";
  if (type == "boolean") return "true or false";
  if (type == "object") return "an object";
  if (type == "array") return "a list";
  if (type == "null") return "null";
  return std::string(type);
}

std::string expected_type(const Shape* shape) {
  if (shape == nullptr || shape->schema == nullptr) return "another type";
  const auto type = shape->schema->FindMember("type");
  if (type == shape->schema->MemberEnd()) return "another type";
  if (type->value.IsString()) return type_words(type->value.GetString());
  std::string words;
  if (type->value.IsArray()) {
    for (rapidjson::SizeType i = 0; i < type->value.Size(); ++i) {
      if (!type->value[i].IsString()) continue;
      if (!words.empty()) words += i + 1 == type->value.Size() ? " or " : ", ";
      words += type_words(type->value[i].GetString());
    }
  }
  return words.empty() ? "another type" : words;
}

std::string got(const rapidjson::Value* value) {
  if (value == nullptr) return "nothing";
  if (value->IsString()) return "text " + quote(*value);
  if (value->IsNumber()) return "the number " + quote(*value);
  return quote(*value);
}

std::string enum_list(const Shape* shape) {
  std::string list;
  if (shape == nullptr || shape->schema == nullptr) return list;
  const auto codes = shape->schema->FindMember("enum");
  if (codes == shape->schema->MemberEnd() || !codes->value.IsArray()) return list;
  for (const auto& code : codes->value.GetArray()) {
    if (!list.empty()) list += ", ";
    list += code.IsString() ? std::string(code.GetString(), code.GetStringLength()) : quote(code);
  }
  return list;
}

// "codelists/place_type.json" -> "place_type"; the field's name for enums written inline.
std::string vocabulary(const Location& at) {
  if (at.shape != nullptr && at.shape->is_codelist()) {
    const std::string& ref = at.shape->ref;
    const std::size_t start = ref.find('/') + 1;
    return ref.substr(start, ref.rfind('.') - start);
  }
  return at.name.empty() ? "value" : at.name;
}

std::string number_member(const Shape* shape, const char* name) {
  if (shape == nullptr || shape->schema == nullptr) return "the limit";
  const auto it = shape->schema->FindMember(name);
  return it == shape->schema->MemberEnd() ? "the limit" : quote(it->value);
}

std::string owner(const Location& at, const std::string& record_type) {
  return at.path.empty() ? "a " + record_type + " record" : at.path;
}

void explain_required(const Location& at, const std::string& record_type,
                      std::vector<Violation>& out) {
  if (at.shape == nullptr || at.value == nullptr || !at.value->IsObject()) return;
  for (const auto& name : at.shape->required) {
    if (!at.value->HasMember(name.c_str())) {
      out.push_back(
          {field_path(at.path, name), "required", owner(at, record_type) + " needs " + name});
    }
  }
}

void explain_unknown(const Location& at, const std::string& record_type,
                     std::vector<Violation>& out) {
  // RapidJSON points at the unknown key itself; its parent's shape lists the known ones.
  const Shape* known = at.parent;
  std::string list;
  if (known != nullptr) {
    for (const auto& property : known->properties)
      list += (list.empty() ? "" : ", ") + property.name;
  }
  Location parent = at;
  parent.path = at.path.substr(0, at.path.size() - std::min(at.path.size(), at.name.size() + 1));
  out.push_back({at.path, "additionalProperties",
                 "\"" + at.name + "\" is not a field of " + owner(parent, record_type) +
                     (list.empty() ? "" : " (fields: " + list + ")")});
}

std::string present_fields(const rapidjson::Value* value) {
  std::string names;
  if (value == nullptr || !value->IsObject()) return names;
  for (const auto& member : value->GetObject()) {
    names += (names.empty() ? "" : ", ") + std::string(member.name.GetString());
  }
  return names.empty() ? "none" : names;
}

std::string repeated_item(const rapidjson::Value* value) {
  if (value == nullptr || !value->IsArray()) return "an item";
  for (rapidjson::SizeType i = 0; i < value->Size(); ++i) {
    for (rapidjson::SizeType j = i + 1; j < value->Size(); ++j) {
      if ((*value)[i] == (*value)[j]) return quote((*value)[i]);
    }
  }
  return "an item";
}

}  // namespace

void explain(const rapidjson::SchemaValidator& validator, const rapidjson::Value& record,
             const Shape& shape, const std::string& record_type, std::vector<Violation>& out) {
  const Location at = locate(validator.GetInvalidDocumentPointer(), record, shape);
  const std::string keyword = validator.GetInvalidSchemaKeyword();
  const std::string value = at.value != nullptr ? quote(*at.value) : "the value";

  if (keyword == "required") return explain_required(at, record_type, out);
  if (keyword == "additionalProperties") return explain_unknown(at, record_type, out);

  std::string message;
  if (keyword == "type") {
    message = "expected " + expected_type(at.shape) + ", got " + got(at.value);
  } else if (keyword == "enum") {
    const std::string list = enum_list(at.shape);
    message = value + " is not a " + vocabulary(at) + " (expected " +
              (list.find(',') == std::string::npos ? "" : "one of ") + list + ")";
  } else if (keyword == "pattern") {
    const std::string_view title = at.shape != nullptr ? at.shape->title() : std::string_view{};
    message = value + " is not " + (title.empty() ? "in the expected form" : std::string(title));
  } else if (keyword == "minimum") {
    message = value + " is less than the minimum, " + number_member(at.shape, "minimum");
  } else if (keyword == "maximum") {
    message = value + " is more than the maximum, " + number_member(at.shape, "maximum");
  } else if (keyword == "minLength") {
    message = "must not be empty (leave out a field whose value is unknown)";
  } else if (keyword == "uniqueItems") {
    // RapidJSON points at the repeated item itself.
    const bool at_list = at.value != nullptr && at.value->IsArray();
    message = "lists " + (at_list ? repeated_item(at.value) : value) + " more than once";
  } else if (keyword == "oneOf" || keyword == "anyOf" || keyword == "not" || keyword == "allOf") {
    // The one place this arises is a place reference naming the place both ways, or neither:
    // the definition's description says what the forms are.
    const std::string_view description = at.shape != nullptr ? at.shape->description() : "";
    message = (description.empty() ? "does not match the schema" : std::string(description)) +
              " Fields given: " + present_fields(at.value) + ".";
  } else {
    message = value + " does not satisfy \"" + keyword + "\"";
  }
  out.push_back({at.path, keyword, std::move(message)});
}

}  // namespace opcat::schema::detail
