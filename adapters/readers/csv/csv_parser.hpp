// Splits UTF-8 delimited text into records: RFC 4180 plus what real exports do (any of four
// delimiters, CR, LF or CRLF line ends, blank lines, quotes inside unquoted fields).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "adapters/core/byte_source.hpp"
#include "adapters/readers/csv/byte_scan.hpp"
#include "adapters/readers/csv/csv_record.hpp"

namespace opcat::adapters {

struct CsvLimits {
  std::size_t max_field_bytes = 0;
  std::size_t max_row_bytes = 0;  // the fields' contents plus one byte per delimiter
};

// Reads from a source of UTF-8 (Utf8Decoder) in 64 KiB chunks. Line numbers are physical lines
// of the file, CRLF counting as one line end, so that "row N" is where a text editor shows it.
// Every error is an UnreadableInput whose locator is the row being read.
class CsvParser {
 public:
  CsvParser(ByteSource& text, CsvLimits limits);

  // Skips `count` physical lines (a preamble before the header), whatever they hold.
  void skip_lines(std::size_t count);

  // The candidate (, ; tab |) that occurs most often outside quotes in the line ahead; ',' when
  // none occurs. Reads ahead at most one chunk and consumes nothing.
  char sniff_delimiter();
  void use_delimiter(char delimiter);

  // Reads the next row that is not a blank line into `record`, keeping the contents of its first
  // `keep_fields` fields only (the others are counted). Returns false at the end of the text.
  bool read(CsvRecord& record, std::size_t keep_fields);

 private:
  enum class End { delimiter, line, text };

  bool refill();
  bool read_ahead(std::size_t& cursor);
  void skip_blank_lines_and_line_feed();
  bool read_row_in_chunk(CsvRecord& record, std::size_t keep_fields);
  void read_fields(CsvRecord& record, std::size_t keep_fields);
  End read_unquoted(CsvRecord& record, bool keep);
  void read_quoted(CsvRecord& record, bool keep);
  void append(CsvRecord& record, const char* bytes, std::size_t size, bool keep) {
    field_bytes_ += size;
    row_bytes_ += size;
    // Checked before storing, so that an oversized field costs no more memory than the limit.
    if (field_bytes_ > limits_.max_field_bytes || row_bytes_ > limits_.max_row_bytes) too_large();
    if (keep) record.bytes.append(bytes, size);
  }
  [[noreturn, gnu::cold, gnu::noinline]] void too_large() const;
  [[noreturn, gnu::cold, gnu::noinline]] void unreadable(const std::string& problem) const;

  ByteSource& text_;
  CsvLimits limits_;
  std::unique_ptr<char[]> buffer_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool done_ = false;

  char delimiter_ = ',';
  ByteScan ends_unquoted_{',', '\r', '\n'};
  ByteScan ends_quoted_{'"', '\r', '\n'};  // CR and LF for the line numbers

  std::size_t line_ = 1;      // the physical line at pos_
  std::size_t row_line_ = 0;  // where the row being read starts; 0 between rows
  std::size_t field_ = 0;     // the 1-based field being read
  bool after_cr_ = false;     // the last byte consumed was a CR: a LF now ends no new line
  std::size_t field_bytes_ = 0;
  std::size_t row_bytes_ = 0;
};

}  // namespace opcat::adapters
