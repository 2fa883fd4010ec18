// The one streaming interface every input format implements (CSV, XML, JSON...): bytes in, one
// source unit at a time out, memory bounded by the largest unit, never by the file.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace opcat::adapters {

// How a mapping names a value in a member's file. What `path` means is the reader's business:
// a column name (CSV), an XPath relative to the record element (XML), a JSON Pointer relative to
// the record (JSON).
struct FieldPath {
  enum class Match {
    exact,        // the name as written
    insensitive,  // ignoring case and surrounding/repeated spaces ("Visit  date " == "visit date")
    prefix,       // the first column whose name starts with it (rolling "Complaints_upheld_2324")
  };
  std::string path;
  Match match = Match::exact;  // CSV only; other readers refuse anything but exact
};

// A handle for a bound FieldPath, valid for every node of the reader that bound it.
using Selector = std::size_t;

// One unit of a member's file that the mapping turns into records: a CSV row, an XML record
// element with its subtree, a JSON record object.
class SourceNode {
 public:
  virtual ~SourceNode() = default;

  // Where it is in the member's file, in the member's terms: "row 17" (1-based physical line of
  // the row's start), "/inspections/inspection[3]", "/data/locations/4".
  virtual const std::string& locator() const = 0;

  // Why this unit cannot be mapped at all (a ragged CSV row), or nullopt. A unit with a defect
  // is reported as one rejected record; reading goes on.
  virtual std::optional<std::string> defect() const { return std::nullopt; }

  // The first value at `selector`, or nullopt when absent. JSON numbers and booleans come as
  // their text; JSON null and empty XML elements count as present-but-empty ("" ), a missing
  // key/element/column as absent. The view lives as long as the node.
  virtual std::optional<std::string_view> value(Selector selector) const = 0;

  // Every value at `selector` (a repeated XML element, a JSON array of scalars).
  virtual std::vector<std::string> values(Selector selector) const = 0;

  // The nested units at `selector` (XML elements, elements of a JSON array), for mappings that
  // make one record per nested item. Each child resolves the same selectors, relative to itself.
  virtual std::vector<std::unique_ptr<SourceNode>> children(Selector selector) const = 0;
};

class Reader {
 public:
  virtual ~Reader() = default;

  // Prepares a path for use on every node. Called after construction (which has read any header)
  // and before next(). Throws std::invalid_argument, with a message naming the path, when the
  // file cannot contain it (CSV: no such column; XPath that does not compile).
  virtual Selector bind(const FieldPath& path) = 0;

  // The member's own name for what a selector reads ("Visit date" as it is in the header,
  // "@id", "/reportDate"), for error messages.
  virtual std::string source_field(Selector selector) const = 0;

  // The next unit, or nullptr at the end of the file. Throws UnreadableInput when the file cannot
  // be read any further (malformed XML, invalid UTF-8, nesting too deep, a DOCTYPE, a unit over
  // the size limit).
  virtual std::unique_ptr<SourceNode> next() = 0;
};

// The file as a whole is unusable from `locator` on; what was read before it stands.
class UnreadableInput : public std::runtime_error {
 public:
  UnreadableInput(std::string locator, const std::string& message)
      : std::runtime_error(message), locator_(std::move(locator)) {}
  const std::string& locator() const { return locator_; }

 private:
  std::string locator_;
};

}  // namespace opcat::adapters
