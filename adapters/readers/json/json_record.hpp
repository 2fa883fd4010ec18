// A record of a JSON export (or a node inside one, from children()), as the mapping sees it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "adapters/core/reader.hpp"
#include "adapters/readers/json/json_pointer.hpp"
#include "adapters/readers/json/record_tree.hpp"

namespace opcat::adapters::json {

// The pointers bound by the reader, indexed by Selector; shared so that nodes may outlive it.
using BoundPointers = std::vector<JsonPointer>;

class JsonRecord final : public SourceNode {
 public:
  JsonRecord(std::shared_ptr<const RecordTree> tree, std::uint32_t root, std::string locator,
             std::shared_ptr<const BoundPointers> pointers);

  const std::string& locator() const override { return locator_; }
  std::optional<std::string_view> value(Selector selector) const override;
  std::vector<std::string> values(Selector selector) const override;
  std::vector<std::unique_ptr<SourceNode>> children(Selector selector) const override;

 private:
  const JsonPointer& pointer(Selector selector) const;

  std::shared_ptr<const RecordTree> tree_;
  std::uint32_t root_;
  std::string locator_;  // JSON Pointer of root_ in the document
  std::shared_ptr<const BoundPointers> pointers_;
};

}  // namespace opcat::adapters::json
