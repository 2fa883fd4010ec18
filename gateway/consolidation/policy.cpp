#include "gateway/consolidation/policy.hpp"

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "adapters/core/sha256.hpp"
#include "adapters/schema/schemas_dir.hpp"
#include "gateway/config/toml_section.hpp"

namespace opcat::consolidation {
namespace {

using config::detail::Section;

constexpr std::string_view kClasses[] = {"public", "may_contain_personal", "personal"};

std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw config::ConfigError(file.string() + ": cannot read the policy file");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The field exists in the record type ("visit", "visited_by"), or, for "*", in at least one.
bool names_a_field(const schema::RecordSchema& schema, std::string_view record_type,
                   std::string_view field) {
  auto known = [&](std::string_view type) {
    try {
      schema.sensitivity(type, field);
      return true;
    } catch (const std::out_of_range&) {
      return false;
    }
  };
  if (record_type != "*") return known(record_type);
  for (const std::string& type : schema.record_types()) {
    if (known(type)) return true;
  }
  return false;
}

}  // namespace

FieldAction parse_field_action(std::string_view word) {
  if (word == "keep") return FieldAction::keep;
  if (word == "drop") return FieldAction::drop;
  if (word == "pseudonymise") return FieldAction::pseudonymise;
  throw std::invalid_argument("expected keep, drop or pseudonymise, got \"" + std::string(word) +
                              "\"");
}

const char* to_string(FieldAction action) {
  switch (action) {
    case FieldAction::keep: return "keep";
    case FieldAction::drop: return "drop";
    case FieldAction::pseudonymise: return "pseudonymise";
  }
  return "keep";
}

DataPolicy DataPolicy::keep_everything() { return DataPolicy(); }

DataPolicy DataPolicy::for_recipient(const config::Recipient& recipient,
                                     const schema::RecordSchema& schema) {
  const std::filesystem::path file = recipient.policy.empty()
                                         ? schema::schemas_dir() / "policies" / "npm.toml"
                                         : recipient.policy;
  std::optional<std::filesystem::path> key;
  if (!recipient.pseudonym_key.empty()) key = recipient.pseudonym_key;
  return load(file, schema, key);
}

DataPolicy DataPolicy::load(const std::filesystem::path& file, const schema::RecordSchema& schema,
                            const std::optional<std::filesystem::path>& pseudonym_key) {
  const std::string bytes = read_bytes(file);
  toml::table root;
  try {
    root = toml::parse(bytes, file.string());
  } catch (const toml::parse_error& e) {
    throw config::ConfigError(file.string() + ": TOML syntax error at line " +
                              std::to_string(e.source().begin.line) + ", column " +
                              std::to_string(e.source().begin.column) + ": " +
                              std::string(e.description()));
  }
  const Section top(&root, "", {"profile", "description", "pseudonym_key", "classes", "fields"});
  top.require("profile");
  top.require("classes");

  DataPolicy policy;
  policy.profile_ = *top.string("profile");
  policy.sha256_ = adapters::sha256_hex(bytes);
  policy.schema_ = &schema;

  const Section classes(top.table("classes"), "classes",
                        {"public", "may_contain_personal", "personal"});
  for (std::string_view sensitivity : kClasses) {
    // Every class is said outright: a policy file that forgot "personal" must not keep it.
    classes.require(sensitivity);
    policy.by_class_.emplace(sensitivity, *classes.converted(sensitivity, parse_field_action));
  }

  if (const toml::table* fields = top.table("fields")) {
    for (auto&& [name, value] : *fields) {
      const std::string key = "fields.\"" + std::string(name.str()) + "\"";
      const auto* word = value.as_string();
      if (word == nullptr) config::detail::fail(key, "expected keep, drop or pseudonymise", &value.source());
      FieldAction action{};
      try {
        action = parse_field_action(word->get());
      } catch (const std::invalid_argument& e) {
        config::detail::fail(key, e.what(), &value.source());
      }
      const std::string_view path = name.str();
      const auto dot = path.find('.');
      if (dot == std::string_view::npos ||
          !names_a_field(schema, path.substr(0, dot), path.substr(dot + 1))) {
        config::detail::fail(key,
                             "names no field of the schema (write <record_type>.<field> or "
                             "*.<field>, e.g. visit.visited_by or *.source.original_id)",
                             &value.source());
      }
      policy.overrides_.emplace(path, action);
    }
  }

  std::optional<std::filesystem::path> key_file = pseudonym_key;
  if (!key_file) key_file = top.path("pseudonym_key", file.parent_path());
  if (key_file) policy.pseudonymiser_ = Pseudonymiser::from_key_file(*key_file);

  bool pseudonymises = false;
  for (const auto& [name, action] : policy.by_class_) pseudonymises |= action == FieldAction::pseudonymise;
  for (const auto& [name, action] : policy.overrides_) pseudonymises |= action == FieldAction::pseudonymise;
  if (pseudonymises && !policy.pseudonymiser_) {
    throw config::ConfigError(file.string() +
                              ": the policy pseudonymises fields but has no key: give "
                              "pseudonym_key in the file or --pseudonym-key");
  }
  return policy;
}

std::string DataPolicy::key_id() const {
  return pseudonymiser_ ? pseudonymiser_->key_id() : std::string();
}

std::string DataPolicy::pseudonym(std::string_view value) const {
  if (!pseudonymiser_) throw std::logic_error("the policy has no pseudonym key");
  return pseudonymiser_->pseudonym(value);
}

std::optional<FieldAction> DataPolicy::override_for(std::string_view record_type,
                                                    std::string_view dotted_field) const {
  std::string key;
  key.reserve(record_type.size() + 1 + dotted_field.size());
  key.append(record_type).append(".").append(dotted_field);
  if (auto it = overrides_.find(key); it != overrides_.end()) return it->second;
  key.assign("*.").append(dotted_field);
  if (auto it = overrides_.find(key); it != overrides_.end()) return it->second;
  return std::nullopt;
}

FieldAction DataPolicy::action(std::string_view record_type, std::string_view dotted_field) const {
  if (schema_ == nullptr) return FieldAction::keep;
  if (auto own = override_for(record_type, dotted_field)) return *own;
  return by_class_.find(schema_->sensitivity(record_type, dotted_field))->second;
}

void DataPolicy::apply(rapidjson::Value& record, rapidjson::Document::AllocatorType& allocator) const {
  if (schema_ == nullptr) return;
  const auto type = record.FindMember("record_type");
  if (!record.IsObject() || type == record.MemberEnd() || !type->value.IsString()) {
    throw std::invalid_argument("a record needs a record_type for a policy to apply");
  }
  apply_to(type->value.GetString(), "", record, allocator);
}

void DataPolicy::apply_to(const std::string& record_type, const std::string& path,
                          rapidjson::Value& object,
                          rapidjson::Document::AllocatorType& allocator) const {
  for (auto member = object.MemberBegin(); member != object.MemberEnd();) {
    const std::string field =
        path.empty() ? member->name.GetString() : path + "." + member->name.GetString();
    rapidjson::Value& value = member->value;
    // An object without an override of its own is decided field by field: `source` is
    // may_contain_personal only because of original_id, its locator is public.
    if (value.IsObject() && !override_for(record_type, field)) {
      apply_to(record_type, field, value, allocator);
      ++member;
      continue;
    }
    switch (action(record_type, field)) {
      case FieldAction::keep:
        ++member;
        break;
      case FieldAction::drop:
        member = object.EraseMember(member);  // keeps the order of the remaining fields
        break;
      case FieldAction::pseudonymise: {
        auto replace = [&](rapidjson::Value& text) {
          if (!text.IsString()) {
            throw std::invalid_argument(record_type + "." + field +
                                        ": only text can be pseudonymised");
          }
          const std::string alias = pseudonym({text.GetString(), text.GetStringLength()});
          text.SetString(alias.data(), static_cast<rapidjson::SizeType>(alias.size()), allocator);
        };
        if (value.IsArray()) {
          for (auto& item : value.GetArray()) replace(item);
        } else if (!value.IsNull()) {
          replace(value);
        }
        ++member;
        break;
      }
    }
  }
}

}  // namespace opcat::consolidation
