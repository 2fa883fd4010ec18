#include "csv_testing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "adapters/readers/csv/csv_reader.hpp"

namespace opcat::adapters::testing {

std::size_t TrickleSource::read(char* buffer, std::size_t size) {
  if (size == 0 || position_ == bytes_.size()) return 0;
  buffer[0] = bytes_[position_++];
  return 1;
}

GeneratedSource::GeneratedSource(std::string head, char filler, std::size_t count, std::string tail)
    : head_(std::move(head)), filler_(filler), count_(count), tail_(std::move(tail)) {}

std::size_t GeneratedSource::read(char* buffer, std::size_t size) {
  std::size_t written = 0;
  while (written < size) {
    const std::size_t at = position_;
    std::size_t n = 0;
    if (at < head_.size()) {
      n = std::min(size - written, head_.size() - at);
      std::memcpy(buffer + written, head_.data() + at, n);
    } else if (at < head_.size() + count_) {
      n = std::min(size - written, head_.size() + count_ - at);
      std::memset(buffer + written, filler_, n);
    } else if (at < head_.size() + count_ + tail_.size()) {
      const std::size_t from = at - head_.size() - count_;
      n = std::min(size - written, tail_.size() - from);
      std::memcpy(buffer + written, tail_.data() + from, n);
    } else {
      break;
    }
    written += n;
    position_ += n;
  }
  return written;
}

toml::table reader_table(std::string_view toml_text) {
  return toml::parse(toml_text);
}

std::unique_ptr<Reader> open(ByteSource& source, std::string_view toml_text) {
  const toml::table settings = reader_table(toml_text);
  return configure_csv_reader(&settings)(source);
}

std::vector<Row> read_rows(Reader& reader, const std::vector<std::string>& columns) {
  std::vector<Selector> selectors;
  for (const auto& column : columns) {
    FieldPath path;
    path.path = column;
    selectors.push_back(reader.bind(path));
  }
  std::vector<Row> rows;
  while (auto node = reader.next()) {
    Row row;
    row.locator = node->locator();
    row.defect = node->defect();
    for (Selector selector : selectors) {
      const auto value = node->value(selector);
      row.fields.push_back(value ? std::string(*value) : kAbsent);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<Row> read_rows(ByteSource& source, const std::vector<std::string>& columns,
                           std::string_view toml_text) {
  return read_rows(*open(source, toml_text), columns);
}

std::vector<Row> read_rows(std::string csv, const std::vector<std::string>& columns,
                           std::string_view toml_text) {
  StringSource source(std::move(csv));
  return read_rows(source, columns, toml_text);
}

std::vector<std::vector<std::string>> fields_of(const std::vector<Row>& rows) {
  std::vector<std::vector<std::string>> fields;
  for (const auto& row : rows) fields.push_back(row.fields);
  return fields;
}

UnreadableInput unreadable_from(const std::function<void()>& action) {
  try {
    action();
  } catch (const UnreadableInput& e) {
    return e;
  }
  ADD_FAILURE() << "expected an UnreadableInput";
  return UnreadableInput("", "");
}

std::string utf16(std::u16string_view text, bool little_endian) {
  std::string bytes = little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (char16_t unit : text) {
    const char high = static_cast<char>(unit >> 8);
    const char low = static_cast<char>(unit & 0xFF);
    bytes += little_endian ? low : high;
    bytes += little_endian ? high : low;
  }
  return bytes;
}

}  // namespace opcat::adapters::testing
