// A recipient's data policy (schemas/policies/<profile>.toml): what of each record a recipient
// receives. Driven by the sensitivity class the schema gives every field (public,
// may_contain_personal, personal), with overrides for single fields; each field is kept,
// dropped, or replaced by a keyed pseudonym.
#pragma once

#include <rapidjson/document.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/schema/record_schema.hpp"
#include "gateway/config/config.hpp"
#include "gateway/consolidation/pseudonymiser.hpp"

namespace opcat::consolidation {

enum class FieldAction { keep, drop, pseudonymise };

// "keep", "drop", "pseudonymise"; throws std::invalid_argument for anything else.
FieldAction parse_field_action(std::string_view word);
const char* to_string(FieldAction action);

class DataPolicy {
 public:
  // Everything kept: what the NPM Secretariat receives when no policy is named.
  static DataPolicy keep_everything();

  // Reads a policy file and checks every field it names against the schema. The pseudonym key
  // comes from `pseudonym_key` when given, else from the file's own `pseudonym_key` (a path
  // relative to the file); a policy that pseudonymises anything without a key is refused.
  // Throws config::ConfigError for a bad file, std::runtime_error for an unusable key. `schema`
  // must outlive the policy.
  static DataPolicy load(const std::filesystem::path& file, const schema::RecordSchema& schema,
                         const std::optional<std::filesystem::path>& pseudonym_key = std::nullopt);

  // A recipient's policy as its [recipients.<name>] says: its `policy` file (default: the NPM
  // profile, schemas/policies/npm.toml, which keeps everything) and its `pseudonym_key`. What the
  // running gateway and `consolidate --recipient` both use, so that they write the same bytes.
  static DataPolicy for_recipient(const config::Recipient& recipient,
                                  const schema::RecordSchema& schema);

  const std::string& profile() const { return profile_; }
  // SHA-256 of the policy file's bytes (empty for keep_everything): the payload names it.
  const std::string& sha256() const { return sha256_; }
  // The key's id (Pseudonymiser::key_id), empty when the policy has no key.
  std::string key_id() const;
  bool keeps_everything() const { return schema_ == nullptr; }

  // The action for a field, given as a dotted path ("source.original_id"): its own override,
  // else the type-independent override ("*.source.original_id"), else its class's action.
  FieldAction action(std::string_view record_type, std::string_view dotted_field) const;

  // Applies the policy to one record in place. Objects (source, place) are decided field by
  // field unless an override names the object itself; a pseudonymised array has each string
  // pseudonymised. Throws std::invalid_argument when asked to pseudonymise a value that is not
  // text (a number or a boolean carries no identity to hide and is refused rather than guessed).
  void apply(rapidjson::Value& record, rapidjson::Document::AllocatorType& allocator) const;

  // The pseudonym a value gets under this policy's key; throws std::logic_error without one.
  std::string pseudonym(std::string_view value) const;

 private:
  DataPolicy() = default;
  void apply_to(const std::string& record_type, const std::string& path, rapidjson::Value& object,
                rapidjson::Document::AllocatorType& allocator) const;
  std::optional<FieldAction> override_for(std::string_view record_type,
                                          std::string_view dotted_field) const;

  std::string profile_ = "npm";
  std::string sha256_;
  const schema::RecordSchema* schema_ = nullptr;  // null: keep everything
  std::map<std::string, FieldAction, std::less<>> by_class_;     // "personal" -> drop
  std::map<std::string, FieldAction, std::less<>> overrides_;    // "visit.visited_by" -> drop
  std::optional<Pseudonymiser> pseudonymiser_;
};

}  // namespace opcat::consolidation
