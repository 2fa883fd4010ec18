#include "adapters/readers/csv/csv_row.hpp"

#include <charconv>
#include <iterator>

namespace opcat::adapters {
namespace {

// A reader keeps a row or two alive at a time; a buffer grown by an unusually large row is
// freed rather than kept, so that memory follows the rows being read, not the largest ever seen.
constexpr std::size_t kPooledRecords = 4;
constexpr std::size_t kPooledCapacity = 1 << 20;

// "row 17", built in place: one per row, so it should cost no allocation (it fits the short
// string buffer) and no temporary.
std::string row_locator(std::size_t line) {
  char text[32] = "row ";
  const auto end = std::to_chars(text + 4, std::end(text), line).ptr;
  return std::string(text, end);
}

}  // namespace

RecordPool::RecordPool() {
  free_.reserve(kPooledRecords);
}

CsvRecord RecordPool::take() {
  if (free_.empty()) return {};
  CsvRecord record = std::move(free_.back());
  free_.pop_back();
  return record;
}

void RecordPool::recycle(CsvRecord&& record) noexcept {
  if (free_.size() == kPooledRecords || record.bytes.capacity() > kPooledCapacity ||
      record.ends.capacity() > kPooledCapacity) {
    return;
  }
  record.clear();
  free_.push_back(std::move(record));  // within the reserved capacity: cannot throw
}

CsvRow::CsvRow(CsvRecord record, std::size_t columns, std::shared_ptr<RecordPool> pool)
    : record_(std::move(record)),
      columns_(columns),
      locator_(row_locator(record_.line)),
      pool_(std::move(pool)) {}

CsvRow::~CsvRow() {
  pool_->recycle(std::move(record_));
}

std::optional<std::string> CsvRow::defect() const {
  if (record_.fields != columns_) {
    return locator_ + " has " + std::to_string(record_.fields) + " field" +
           (record_.fields == 1 ? "" : "s") + ", the header has " + std::to_string(columns_);
  }
  if (record_.text_after_quote != 0) {
    return locator_ + ": field " + std::to_string(record_.text_after_quote) +
           " has text after its closing quote";
  }
  return std::nullopt;
}

std::optional<std::string_view> CsvRow::value(Selector selector) const {
  if (selector >= record_.kept()) return std::nullopt;  // a short (ragged) row
  return record_.field(selector);
}

std::vector<std::string> CsvRow::values(Selector selector) const {
  std::vector<std::string> result;
  if (auto field = value(selector)) result.emplace_back(*field);
  return result;
}

std::vector<std::unique_ptr<SourceNode>> CsvRow::children(Selector) const {
  return {};
}

}  // namespace opcat::adapters
