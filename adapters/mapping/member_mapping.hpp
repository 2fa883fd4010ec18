// A member's adapter as a mapping file (adapters/members/<code>.toml): which reader and how, and
// how each field of the common schema is found in the member's export. Adding a member, or
// following a change in its export, is an edit here, never C++.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "adapters/core/diagnostics.hpp"
#include "adapters/core/reader.hpp"
#include "adapters/mapping/dates.hpp"
#include "adapters/readers/registry.hpp"

namespace opcat::adapters {

// A value written in the mapping file itself (constants, defaults, value-map targets).
using Constant = std::variant<std::string, std::int64_t, double, bool>;

// How one field of the common schema is filled.
struct FieldRule {
  enum class Kind { string, integer, number, boolean, date, list };

  std::string field;                // dotted target: "start_date", "place.place_type"
  std::vector<FieldPath> from;      // where in the export; the first one present wins
  bool from_record = false;         // read from the record even inside an `each` item
  std::optional<Constant> value;    // a constant instead of `from`
  Kind kind = Kind::string;
  std::vector<DateFormat> date_formats{DateFormat::iso};
  std::map<std::string, Constant> value_map;  // keys folded (trimmed, lower case); "" = leave out
  bool map_passthrough = false;     // values absent from the map pass unchanged
  std::optional<Constant> default_value;      // when the export has nothing
  bool required = false;
  std::string split;                // list separator for a list held in one text field
  bool reference = false;           // an id of this member's: prefixed "<member>:"
};

// One named score in `ratings` (healthy prison tests, key question grades).
struct RatingRule {
  std::string name;
  std::string scale;
  FieldRule value;  // Kind::number
};

// How the record's id is made: the member's own id, or a stable hash of key fields.
struct IdRule {
  std::vector<FieldPath> from;
  std::vector<FieldPath> hash;
  bool from_record = false;
  bool empty() const { return from.empty() && hash.empty(); }
};

// One kind of record made from each source unit (or from each item of `each` in it).
struct RecordRule {
  std::string type;                 // place, visit, recommendation, population, indicator
  std::optional<FieldPath> each;    // nested items (XML elements, JSON array) -> one record each
  std::optional<FieldPath> when;    // made only from units where this has a value
  IdRule id;
  std::vector<FieldRule> fields;
  std::vector<RatingRule> ratings;
};

struct MemberMapping {
  std::filesystem::path file;
  std::string member;               // member code
  std::string name = "default";     // for X-Adapter when a member has several
  std::int64_t version = 1;         // bumped with every change of the mapping
  std::string description;
  std::string reader;               // "csv", "xml", "json"
  ReaderFactory make_reader;
  ErrorBudget budget;
  std::vector<RecordRule> records;
};

// Reads and validates a mapping file. Throws config::ConfigError naming the key and its line.
MemberMapping load_mapping(const std::filesystem::path& file);

// The field that holds a record type's own id ("visit" -> "visit_id"), or "" for types without.
std::string_view id_field(std::string_view record_type);

}  // namespace opcat::adapters
