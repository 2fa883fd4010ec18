#include "adapters/schema/record_schema.hpp"

#include <rapidjson/internal/regex.h>
#include <rapidjson/schema.h>

#include <stdexcept>

#include "adapters/schema/codelist_provider.hpp"
#include "adapters/schema/compiled_schemas.hpp"
#include "adapters/schema/json_file.hpp"
#include "adapters/schema/record_checks.hpp"
#include "adapters/schema/schema_errors.hpp"
#include "adapters/schema/schema_shape.hpp"

namespace opcat::schema {
namespace {

using detail::Shape;

// One record type: its shape, and two standalone copies of its definition. `strict` is the
// definition as written; `relaxed` drops the top-level "required" and "additionalProperties"
// so that each field can be validated alone, giving one violation per bad field instead of
// RapidJSON's single first error. Both are compiled in `Impl::compiled`, at 2 * index and
// 2 * index + 1.
struct RecordType {
  std::string name;
  std::size_t index = 0;
  Shape shape;
  std::vector<std::string> order;
  rapidjson::Document strict_source;
  rapidjson::Document relaxed_source;
};

void check_local_refs_and_patterns(const rapidjson::Value& root, const rapidjson::Value& node,
                                   const std::string& file) {
  if (node.IsObject()) {
    for (const auto& member : node.GetObject()) {
      if (member.name == "$ref" && member.value.IsString() && member.value.GetString()[0] == '#') {
        // RapidJSON would silently accept anything where a ref does not resolve.
        const rapidjson::Pointer pointer(member.value.GetString() + 1,
                                         member.value.GetStringLength() - 1);
        if (!pointer.IsValid() || pointer.Get(root) == nullptr) {
          throw std::runtime_error(file + ": \"$ref\": \"" + member.value.GetString() +
                                   "\" resolves to nothing");
        }
      } else if (member.name == "pattern" && member.value.IsString()) {
        // The same engine SchemaValidator uses: it would ignore a pattern it cannot compile.
        const rapidjson::internal::GenericRegex<rapidjson::UTF8<>> regex(member.value.GetString());
        if (!regex.IsValid()) {
          throw std::runtime_error(file + ": \"pattern\": \"" + member.value.GetString() +
                                   "\" is not a regular expression RapidJSON can compile");
        }
      } else {
        check_local_refs_and_patterns(root, member.value, file);
      }
    }
  } else if (node.IsArray()) {
    for (const auto& item : node.GetArray()) check_local_refs_and_patterns(root, item, file);
  }
}

// A standalone schema document for one definition: the definition at the root, next to a copy
// of "definitions" so that its "#/definitions/..." refs still resolve.
rapidjson::Document standalone(const rapidjson::Value& definition,
                               const rapidjson::Value& definitions, bool relaxed) {
  rapidjson::Document document;
  document.CopyFrom(definition, document.GetAllocator());
  document.AddMember("definitions", rapidjson::Value(definitions, document.GetAllocator()),
                     document.GetAllocator());
  if (relaxed) {
    document.EraseMember("required");
    document.EraseMember("additionalProperties");
  }
  return document;
}

std::string join(const std::vector<std::string>& names) {
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
  return list;
}

std::string_view text_of(const rapidjson::Value& value) {
  return {value.GetString(), value.GetStringLength()};
}

// Feeds {"name": value} to the validator without copying the value.
bool validate_field(rapidjson::SchemaValidator& validator, const rapidjson::Value& name,
                    const rapidjson::Value& value) {
  return validator.StartObject() &&
         validator.Key(name.GetString(), name.GetStringLength(), false) &&
         value.Accept(validator) && validator.EndObject(1);
}

}  // namespace

struct RecordSchema::Impl {
  std::string file;
  rapidjson::Document source;
  // In dependency order, so destroyed in the right one: `compiled` points into the types'
  // sources and into the code lists' compiled schemas.
  std::unique_ptr<CodelistProvider> codelists;
  std::vector<std::unique_ptr<RecordType>> types;
  std::vector<std::string> type_names;
  std::unique_ptr<detail::CompiledSchemas> compiled;

  const RecordType* find(std::string_view name) const {
    for (const auto& type : types) {
      if (type->name == name) return type.get();
    }
    return nullptr;
  }
  const RecordType& get(std::string_view name) const {
    const RecordType* type = find(name);
    if (type == nullptr) throw std::out_of_range("no record type \"" + std::string(name) + "\"");
    return *type;
  }
  const RecordType* dispatch(const rapidjson::Value& record, std::vector<Violation>& out) const;
  void explain_fields(const RecordType& type, const rapidjson::Value& record,
                      const detail::CompiledSchemas::Lease& compiled,
                      std::vector<Violation>& out) const;
};

RecordSchema::RecordSchema(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
RecordSchema::RecordSchema(RecordSchema&&) noexcept = default;
RecordSchema& RecordSchema::operator=(RecordSchema&&) noexcept = default;
RecordSchema::~RecordSchema() = default;

RecordSchema RecordSchema::load(const std::filesystem::path& dir) {
  auto impl = std::make_unique<Impl>();
  const std::filesystem::path path = dir / "record.schema.json";
  impl->file = path.string();
  impl->source = detail::read_json_file(path);
  const std::string& file = impl->file;
  const rapidjson::Value& root = impl->source;
  const auto fail = [&](const std::string& why) { throw std::runtime_error(file + ": " + why); };
  if (!root.IsObject()) fail("the schema must be a JSON object");

  impl->codelists = std::make_unique<CodelistProvider>(path, root);
  check_local_refs_and_patterns(root, root, file);

  // The record types are the values /properties/record_type/enum lists; each has a definition.
  const rapidjson::Value* names = rapidjson::Pointer("/properties/record_type/enum").Get(root);
  const rapidjson::Value* definitions = rapidjson::Pointer("/definitions").Get(root);
  if (names == nullptr || !names->IsArray() || names->Empty()) {
    fail("/properties/record_type/enum must list the record types");
  }
  if (definitions == nullptr || !definitions->IsObject()) fail("/definitions is missing");
  for (const auto& name : names->GetArray()) {
    if (!name.IsString()) fail("/properties/record_type/enum must list names");
    auto type = std::make_unique<RecordType>();
    type->name = name.GetString();
    const auto definition = definitions->FindMember(name);
    if (definition == definitions->MemberEnd() || !definition->value.IsObject()) {
      fail("record type \"" + type->name + "\" has no definition in /definitions");
    }
    type->shape = detail::build_shape(root, definition->value, *impl->codelists, file,
                                      "/definitions/" + type->name);
    for (const auto& property : type->shape.properties) type->order.push_back(property.name);
    if (type->order.empty() || type->order.front() != "record_type") {
      fail("/definitions/" + type->name + ": the first property must be record_type");
    }
    type->strict_source = standalone(definition->value, *definitions, false);
    type->relaxed_source = standalone(definition->value, *definitions, true);
    type->index = impl->types.size();
    impl->type_names.push_back(type->name);
    impl->types.push_back(std::move(type));
  }
  std::vector<const rapidjson::Value*> sources;
  for (const auto& type : impl->types) {
    sources.push_back(&type->strict_source);
    sources.push_back(&type->relaxed_source);
  }
  impl->compiled = std::make_unique<detail::CompiledSchemas>(sources, impl->codelists.get());
  return RecordSchema(std::move(impl));
}

const RecordType* RecordSchema::Impl::dispatch(const rapidjson::Value& record,
                                               std::vector<Violation>& out) const {
  // The list of types is only for messages: built when one is needed, not for every record.
  const auto known = [this] { return join(type_names); };
  const auto record_type = record.FindMember("record_type");
  if (record_type == record.MemberEnd()) {
    out.push_back({"record_type", "required", "every record needs a record_type (" + known() + ")"});
    return nullptr;
  }
  if (!record_type->value.IsString()) {
    out.push_back({"record_type", "type",
                   "expected text (" + known() + "), got " + detail::quote(record_type->value)});
    return nullptr;
  }
  const RecordType* type = find(text_of(record_type->value));
  if (type == nullptr) {
    out.push_back({"record_type", "enum",
                   detail::quote(record_type->value) + " is not a record type (expected one of " +
                       known() + ")"});
  }
  return type;
}

void RecordSchema::Impl::explain_fields(const RecordType& type, const rapidjson::Value& record,
                                        const detail::CompiledSchemas::Lease& compiled,
                                        std::vector<Violation>& out) const {
  const std::size_t before = out.size();
  rapidjson::SchemaValidator validator(compiled[2 * type.index + 1]);
  for (const auto& member : record.GetObject()) {
    const std::string_view name = text_of(member.name);
    if (type.shape.property(name) == nullptr) {
      out.push_back({std::string(name), "additionalProperties",
                     "\"" + std::string(name) + "\" is not a field of a " + type.name +
                         " record (fields: " + join(type.order) + ")"});
      continue;
    }
    validator.Reset();
    if (!validate_field(validator, member.name, member.value)) {
      detail::explain(validator, record, type.shape, type.name, out);
    }
  }
  for (const auto& name : type.shape.required) {
    if (!record.HasMember(name.c_str())) {
      out.push_back({name, "required", "a " + type.name + " record needs " + name});
    }
  }
  if (out.size() == before) {
    // The field-by-field pass should always find the fault; if the definition ever gains a
    // record-wide keyword it would not, so fall back to the whole record's first error.
    rapidjson::SchemaValidator whole(compiled[2 * type.index]);
    record.Accept(whole);
    if (!whole.IsValid()) detail::explain(whole, record, type.shape, type.name, out);
  }
}

std::vector<Violation> RecordSchema::validate(const rapidjson::Value& record) const {
  std::vector<Violation> out;
  if (!record.IsObject()) {
    out.push_back({"", "type", "a record must be a JSON object, got " + detail::quote(record)});
    return out;
  }
  detail::check_text(record, "", out);
  const RecordType* type = impl_->dispatch(record, out);
  if (type == nullptr) return out;

  // One pass over the whole record first: the usual case, a valid record, costs no more.
  const auto compiled = impl_->compiled->borrow();
  rapidjson::SchemaValidator validator(compiled[2 * type->index]);
  record.Accept(validator);
  if (!validator.IsValid()) impl_->explain_fields(*type, record, compiled, out);
  detail::check_order(record, type->shape, "", out);
  detail::check_dates(record, type->shape, "", out);
  return out;
}

const std::vector<std::string>& RecordSchema::record_types() const {
  return impl_->type_names;
}

const std::vector<std::string>& RecordSchema::field_order(std::string_view record_type) const {
  return impl_->get(record_type).order;
}

std::string_view RecordSchema::sensitivity(std::string_view record_type,
                                           std::string_view dotted_field) const {
  const RecordType& type = impl_->get(record_type);
  const Shape* shape = &type.shape;
  std::string_view found;
  std::string_view rest = dotted_field;
  while (!rest.empty()) {
    const std::size_t dot = rest.find('.');
    std::string_view segment = rest.substr(0, dot);
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
    segment = segment.substr(0, segment.find('['));  // "ratings[0]" -> "ratings"
    while (shape != nullptr && shape->items) shape = shape->items.get();
    const Shape* field = shape != nullptr ? shape->property(segment) : nullptr;
    if (field == nullptr) {
      throw std::out_of_range("no field \"" + std::string(dotted_field) + "\" in a " + type.name +
                              " record");
    }
    found = field->sensitivity;
    shape = field;
  }
  if (found.empty()) throw std::out_of_range("no field \"\" in a " + type.name + " record");
  return found;
}

const Codelist* RecordSchema::codelist(std::string_view name) const {
  return impl_->codelists->find("codelists/" + std::string(name) + ".json");
}

std::vector<const Codelist*> RecordSchema::codelists() const {
  return impl_->codelists->codelists();
}

}  // namespace opcat::schema
