#include "adapters/readers/csv/csv_reader.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/readers/csv/column_match.hpp"
#include "adapters/readers/csv/csv_parser.hpp"
#include "adapters/readers/csv/csv_row.hpp"
#include "adapters/readers/csv/text_decoder.hpp"

namespace opcat::adapters {
namespace {

// Far beyond any spreadsheet (Excel stops at 16,384): a header this wide is not a table.
constexpr std::size_t kMaxColumns = 1 << 16;

std::string trimmed(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

class CsvReader final : public Reader {
 public:
  CsvReader(ByteSource& source, const CsvSettings& settings)
      : text_(source, settings.encoding), parser_(text_, limits(settings)) {
    parser_.skip_lines(settings.header_row - 1);
    parser_.use_delimiter(settings.delimiter ? *settings.delimiter : parser_.sniff_delimiter());
    read_header(settings.header_row);
  }

  Selector bind(const FieldPath& path) override {
    const std::optional<std::size_t> column = find_column(columns_, path);
    if (!column) throw std::invalid_argument(no_such_column(columns_, path));
    return *column;
  }

  std::string source_field(Selector selector) const override { return columns_.at(selector); }

  std::unique_ptr<SourceNode> next() override {
    if (failure_) throw *failure_;  // the file is unusable from there on; do not parse past it
    try {
      if (!parser_.read(record_, columns_.size())) return nullptr;
    } catch (const UnreadableInput& e) {
      failure_ = e;
      throw;
    }
    auto row = std::make_unique<CsvRow>(std::move(record_), columns_.size(), pool_);
    record_ = pool_->take();
    return row;
  }

 private:
  static CsvLimits limits(const CsvSettings& settings) {
    CsvLimits limits;
    limits.max_field_bytes = settings.max_field_bytes;
    limits.max_row_bytes = settings.max_row_bytes;
    return limits;
  }

  void read_header(std::size_t header_row) {
    const std::string where = "row " + std::to_string(header_row);
    CsvRecord header;
    if (!parser_.read(header, kMaxColumns)) {
      throw UnreadableInput(where, header_row == 1 ? "the file is empty: it has no header row"
                                                   : "the file ends before " + where +
                                                         ", the header row (reader.header_row)");
    }
    if (header.line != header_row) {
      throw UnreadableInput(where, where + ", the header row, is blank (reader.header_row " +
                                       "says which line holds the header)");
    }
    if (header.fields > kMaxColumns) {
      throw UnreadableInput(where, where + ": the header has " + std::to_string(header.fields) +
                                       " columns, more than " + std::to_string(kMaxColumns));
    }
    if (header.text_after_quote != 0) {
      throw UnreadableInput(where, where + ": header field " +
                                       std::to_string(header.text_after_quote) +
                                       " has text after its closing quote");
    }
    columns_.reserve(header.kept());
    for (std::size_t i = 0; i < header.kept(); ++i) columns_.push_back(trimmed(header.field(i)));
  }

  Utf8Decoder text_;
  CsvParser parser_;
  std::vector<std::string> columns_;
  std::shared_ptr<RecordPool> pool_ = std::make_shared<RecordPool>();
  CsvRecord record_;
  std::optional<UnreadableInput> failure_;
};

}  // namespace

std::unique_ptr<Reader> open_csv_reader(ByteSource& source, const CsvSettings& settings) {
  return std::make_unique<CsvReader>(source, settings);
}

ReaderFactory configure_csv_reader(const toml::table* settings) {
  const CsvSettings parsed = parse_csv_settings(settings);
  return [parsed](ByteSource& source) { return open_csv_reader(source, parsed); };
}

}  // namespace opcat::adapters
