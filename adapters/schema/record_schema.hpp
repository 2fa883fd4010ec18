// The common record schema v1, JSON form (schemas/record.schema.json): load once, then validate
// records from any number of threads.
#pragma once

#include <rapidjson/document.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/schema/codelist.hpp"
#include "adapters/schema/violation.hpp"

namespace opcat::schema {

class RecordSchema {
 public:
  // Reads record.schema.json and the code lists it refers to from `dir`, and checks them: every
  // $ref resolves, every pattern compiles, every property has a sensitivity class. Throws
  // std::runtime_error naming the file on any problem.
  static RecordSchema load(const std::filesystem::path& dir);

  RecordSchema(RecordSchema&&) noexcept;
  RecordSchema& operator=(RecordSchema&&) noexcept;
  ~RecordSchema();

  // Everything wrong with `record`; empty when it conforms. Dispatches on record_type to that
  // type's definition (so messages name the field), then makes the checks draft-04 cannot
  // express: dates are real days ("invalid_date"), fields come in the schema's order
  // ("field_order"), no field appears twice ("duplicate_field"), and all text can be carried by
  // the XML form ("invalid_character").
  std::vector<Violation> validate(const rapidjson::Value& record) const;

  // "place", "visit", "recommendation", "population", "indicator": in the schema's order.
  const std::vector<std::string>& record_types() const;

  // The type's top-level fields in their normative order, from record_type to source.
  // Throws std::out_of_range for an unknown record type.
  const std::vector<std::string>& field_order(std::string_view record_type) const;

  // "public", "may_contain_personal" or "personal" for a field given as a dotted path
  // ("source.original_id", "place.place_type"; array indices are ignored: "ratings[0].value").
  // Throws std::out_of_range for an unknown record type or field.
  std::string_view sensitivity(std::string_view record_type, std::string_view dotted_field) const;

  // A code list by name ("place_type"); nullptr when the schema uses no such list.
  const Codelist* codelist(std::string_view name) const;
  std::vector<const Codelist*> codelists() const;

 private:
  struct Impl;
  explicit RecordSchema(std::unique_ptr<const Impl> impl);
  std::unique_ptr<const Impl> impl_;
};

}  // namespace opcat::schema
