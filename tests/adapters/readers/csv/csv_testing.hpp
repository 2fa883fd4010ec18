// What the CSV reader tests share: sources that split or generate input, and a way to read every
// row of an export into plain values.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/core/byte_source.hpp"
#include "adapters/core/reader.hpp"

namespace opcat::adapters::testing {

// Hands out its bytes one per read, so that every chunk boundary falls everywhere once.
class TrickleSource final : public ByteSource {
 public:
  explicit TrickleSource(std::string bytes) : bytes_(std::move(bytes)) {}
  std::size_t read(char* buffer, std::size_t size) override;
  std::string name() const override { return "trickle"; }

 private:
  std::string bytes_;
  std::size_t position_ = 0;
};

// `head`, then `filler` repeated `count` times, then `tail`, made up as they are read: a huge
// export without holding it. Counts what the reader took, to show it stopped early.
class GeneratedSource final : public ByteSource {
 public:
  GeneratedSource(std::string head, char filler, std::size_t count, std::string tail);
  std::size_t read(char* buffer, std::size_t size) override;
  std::string name() const override { return "generated"; }
  std::size_t bytes_read() const { return position_; }

 private:
  std::string head_;
  char filler_;
  std::size_t count_;
  std::string tail_;
  std::size_t position_ = 0;
};

// A [reader] table from TOML text ("" for none).
toml::table reader_table(std::string_view toml_text);

// The reader over `source` with the [reader] settings `toml_text`.
std::unique_ptr<Reader> open(ByteSource& source, std::string_view toml_text = "");

// Stands for a column that a short row does not have.
inline const std::string kAbsent = "<absent>";

struct Row {
  std::string locator;
  std::optional<std::string> defect;
  std::vector<std::string> fields;  // one per bound column, kAbsent when missing
};

// Binds `columns` (exact names) and reads every row.
std::vector<Row> read_rows(Reader& reader, const std::vector<std::string>& columns);
std::vector<Row> read_rows(ByteSource& source, const std::vector<std::string>& columns,
                           std::string_view toml_text = "");
std::vector<Row> read_rows(std::string csv, const std::vector<std::string>& columns,
                           std::string_view toml_text = "");

// Only the fields of each row.
std::vector<std::vector<std::string>> fields_of(const std::vector<Row>& rows);

// The UnreadableInput that `action` throws; a test failure (and an empty one) if none.
UnreadableInput unreadable_from(const std::function<void()>& action);

// `text` in UTF-16 with a byte order mark.
std::string utf16(std::u16string_view text, bool little_endian);

}  // namespace opcat::adapters::testing
