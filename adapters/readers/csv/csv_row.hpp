// One data row of a CSV export as a SourceNode: a column per selector, no nesting.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/core/reader.hpp"
#include "adapters/readers/csv/csv_record.hpp"

namespace opcat::adapters {

// Hands rows' buffers back to the reader when the rows are done with, so that reading a file
// does not allocate per row once warm. Shared by the reader and its rows, as a row may outlive
// its reader.
class RecordPool {
 public:
  RecordPool();
  CsvRecord take();
  void recycle(CsvRecord&& record) noexcept;

 private:
  std::vector<CsvRecord> free_;
};

class CsvRow final : public SourceNode {
 public:
  // `columns` is the header's field count; selectors are column indexes.
  CsvRow(CsvRecord record, std::size_t columns, std::shared_ptr<RecordPool> pool);
  ~CsvRow() override;
  CsvRow(const CsvRow&) = delete;
  CsvRow& operator=(const CsvRow&) = delete;

  const std::string& locator() const override { return locator_; }
  std::optional<std::string> defect() const override;
  std::optional<std::string_view> value(Selector selector) const override;
  std::vector<std::string> values(Selector selector) const override;
  std::vector<std::unique_ptr<SourceNode>> children(Selector selector) const override;

 private:
  CsvRecord record_;
  std::size_t columns_;
  std::string locator_;
  std::shared_ptr<RecordPool> pool_;
};

}  // namespace opcat::adapters
