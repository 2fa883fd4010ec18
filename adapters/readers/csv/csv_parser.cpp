#include "adapters/readers/csv/csv_parser.hpp"

#include <cstring>

#include "adapters/core/reader.hpp"
#include "adapters/readers/csv/text_decoder.hpp"

namespace opcat::adapters {
namespace {

constexpr std::size_t kChunk = std::size_t{64} * 1024;
constexpr char kCandidates[] = {',', ';', '\t', '|'};

}  // namespace

CsvParser::CsvParser(ByteSource& text, CsvLimits limits)
    : text_(text), limits_(limits), buffer_(std::make_unique<char[]>(kChunk)) {}

void CsvParser::use_delimiter(char delimiter) {
  ends_unquoted_ = ByteScan(delimiter, '\r', '\n');
  delimiter_ = delimiter;
}

void CsvParser::unreadable(const std::string& problem) const {
  const std::string where = "row " + std::to_string(row_line_ != 0 ? row_line_ : line_);
  throw UnreadableInput(where, where + ": " + problem);
}

bool CsvParser::refill() {
  if (done_) return false;
  pos_ = 0;
  end_ = 0;
  try {
    end_ = text_.read(buffer_.get(), kChunk);
  } catch (const InvalidText& e) {
    unreadable(e.what());
  }
  done_ = end_ == 0;
  return !done_;
}

// Makes more text available after `cursor` without consuming anything; false when the chunk is
// full, the text has ended, or what follows is not text (read() will report that at its row).
bool CsvParser::read_ahead(std::size_t& cursor) {
  if (done_) return false;
  if (pos_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + pos_, end_ - pos_);
    end_ -= pos_;
    cursor -= pos_;
    pos_ = 0;
  }
  if (end_ == kChunk) return false;
  std::size_t n = 0;
  try {
    n = text_.read(buffer_.get() + end_, kChunk - end_);
  } catch (const InvalidText&) {
    return false;
  }
  done_ = n == 0;
  end_ += n;
  return !done_;
}

void CsvParser::skip_lines(std::size_t count) {
  while (count > 0) {
    if (pos_ == end_ && !refill()) return;
    const char c = buffer_[pos_++];
    if (c == '\r' || (c == '\n' && !after_cr_)) {  // a LF after a CR ends no further line
      ++line_;
      --count;
    }
    after_cr_ = c == '\r';
  }
}

char CsvParser::sniff_delimiter() {
  std::size_t counts[std::size(kCandidates)] = {};
  bool quoted = false;
  std::size_t cursor = pos_;
  for (;;) {
    if (cursor == end_ && !read_ahead(cursor)) break;
    const char c = buffer_[cursor++];
    if (c == '"') {
      quoted = !quoted;  // a doubled quote toggles twice
      continue;
    }
    if (quoted) continue;
    if (c == '\r' || c == '\n') break;
    for (std::size_t i = 0; i < std::size(kCandidates); ++i) counts[i] += c == kCandidates[i];
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < std::size(kCandidates); ++i) {
    if (counts[i] > counts[best]) best = i;  // ties go to the earlier, more common candidate
  }
  return kCandidates[best];
}

// Blank lines are not rows. A LF right after the CR that ended the previous line belongs to it.
void CsvParser::skip_blank_lines_and_line_feed() {
  while (pos_ != end_ || refill()) {
    const char c = buffer_[pos_];
    if (c == '\n') {
      if (!after_cr_) ++line_;
    } else if (c == '\r') {
      ++line_;
    } else {
      after_cr_ = false;
      return;
    }
    after_cr_ = c == '\r';
    ++pos_;
  }
}

bool CsvParser::read(CsvRecord& record, std::size_t keep_fields) {
  record.clear();
  skip_blank_lines_and_line_feed();
  if (pos_ == end_) return false;

  row_line_ = line_;
  record.line = line_;
  if (!read_row_in_chunk(record, keep_fields)) read_fields(record, keep_fields);
  row_line_ = 0;
  return true;
}

// Most rows are whole in the chunk: parsed here without the bookkeeping that a row spread over
// chunks needs. Anything else (a row reaching the end of the chunk, text after a closing quote,
// a row that may be over a limit) is left untouched to read_fields(), which decides and reports.
// Unquoted fields are already in the record's layout (contents, then one separator byte: their
// delimiter or line end), so runs of them are copied at once.
bool CsvParser::read_row_in_chunk(CsvRecord& record, std::size_t keep_fields) {
  const char* const row = buffer_.get() + pos_;
  const char* const stop = buffer_.get() + end_;
  const char* cursor = row;
  const char* run = row;  // the start of the bytes to be copied as they are
  std::size_t lines = 0;
  const auto give_up = [&record] {
    record.clear_fields();
    return false;
  };
  for (;;) {  // a field
    const bool keep = record.fields < keep_fields;
    ++record.fields;
    const char* const field = cursor;
    if (cursor != stop && *cursor == '"') {
      record.bytes.append(run, static_cast<std::size_t>(field - run));
      for (++cursor;;) {
        const char* const special = ends_quoted_.find(cursor, stop);
        if (special == stop || special + 1 == stop) return give_up();
        if (keep) record.bytes.append(cursor, static_cast<std::size_t>(special - cursor));
        cursor = special + 1;
        if (*special == '"') {
          if (*cursor != '"') break;  // the closing quote
          ++cursor;                   // a doubled quote stands for one
        } else if (*special == '\r' || special[-1] != '\r') {
          ++lines;  // a CR, or a LF that is not the end of a CRLF
        }
        if (keep) record.bytes += *special;
      }
      if (*cursor != delimiter_ && *cursor != '\r' && *cursor != '\n') return give_up();
      if (keep) {
        record.ends.push_back(static_cast<std::uint32_t>(record.bytes.size()));
        record.bytes += '\0';  // the separator
      }
      run = cursor + 1;
    } else {
      cursor = ends_unquoted_.find(cursor, stop);
      if (cursor == stop) return give_up();
      if (keep) {
        record.ends.push_back(static_cast<std::uint32_t>(record.bytes.size() + (cursor - run)));
      }
    }
    // What the file holds is at least what the limits count (quotes are not counted).
    if (static_cast<std::size_t>(cursor - field) > limits_.max_field_bytes ||
        static_cast<std::size_t>(cursor - row) > limits_.max_row_bytes) {
      return give_up();
    }
    if (*cursor++ != delimiter_) break;
  }
  if (cursor > run) record.bytes.append(run, static_cast<std::size_t>(cursor - run));
  after_cr_ = cursor[-1] == '\r';
  line_ += lines + 1;
  pos_ = static_cast<std::size_t>(cursor - buffer_.get());
  return true;
}

void CsvParser::read_fields(CsvRecord& record, std::size_t keep_fields) {
  row_bytes_ = 0;
  for (;;) {
    field_ = record.fields + 1;
    field_bytes_ = 0;
    const bool keep = record.fields < keep_fields;
    ++record.fields;
    const bool quoted = (pos_ != end_ || refill()) && buffer_[pos_] == '"';
    if (quoted) {
      ++pos_;
      read_quoted(record, keep);
    }
    const std::size_t quoted_bytes = field_bytes_;
    const End end = read_unquoted(record, keep);
    if (quoted && field_bytes_ != quoted_bytes && record.text_after_quote == 0) {
      record.text_after_quote = field_;
    }
    if (keep) {
      record.ends.push_back(static_cast<std::uint32_t>(record.bytes.size()));
      record.bytes += '\0';  // the separator
    }
    if (end != End::delimiter) break;
    ++row_bytes_;  // the delimiter, so that a line of a billion of them is refused too
    if (row_bytes_ > limits_.max_row_bytes) too_large();
  }
}

CsvParser::End CsvParser::read_unquoted(CsvRecord& record, bool keep) {
  for (;;) {
    if (pos_ == end_ && !refill()) return End::text;
    const char* const start = buffer_.get() + pos_;
    const char* const stop = buffer_.get() + end_;
    const char* const cursor = ends_unquoted_.find(start, stop);
    append(record, start, static_cast<std::size_t>(cursor - start), keep);
    pos_ += static_cast<std::size_t>(cursor - start);
    if (cursor == stop) continue;
    ++pos_;
    if (*cursor == delimiter_) return End::delimiter;
    ++line_;
    after_cr_ = *cursor == '\r';
    return End::line;
  }
}

// From after the opening quote to after the closing one. CR, LF and CRLF inside are kept as is.
void CsvParser::read_quoted(CsvRecord& record, bool keep) {
  const std::size_t opened_on = line_;
  after_cr_ = false;
  for (;;) {
    if (pos_ == end_ && !refill()) {
      std::string problem =
          "the quote that opens field " + std::to_string(field_) + " is never closed";
      if (opened_on != row_line_)
        problem += " (it opens on line " + std::to_string(opened_on) + ")";
      unreadable(problem);
    }
    const char* const start = buffer_.get() + pos_;
    const char* const stop = buffer_.get() + end_;
    const char* const cursor = ends_quoted_.find(start, stop);
    if (cursor != start) {
      append(record, start, static_cast<std::size_t>(cursor - start), keep);
      after_cr_ = false;
    }
    pos_ += static_cast<std::size_t>(cursor - start);
    if (cursor == stop) continue;
    const char c = *cursor;
    ++pos_;
    if (c == '\r' || c == '\n') {
      if (c == '\r' || !after_cr_) ++line_;
      after_cr_ = c == '\r';
      append(record, &c, 1, keep);
      continue;
    }
    after_cr_ = false;
    if (pos_ == end_ && !refill()) return;
    if (buffer_[pos_] != '"') return;
    ++pos_;  // a doubled quote stands for one
    append(record, "\"", 1, keep);
  }
}

void CsvParser::too_large() const {
  if (field_bytes_ > limits_.max_field_bytes) {
    unreadable("field " + std::to_string(field_) + " is larger than reader.max_field_bytes (" +
               std::to_string(limits_.max_field_bytes) + " bytes)");
  }
  unreadable("the row is larger than reader.max_row_bytes (" +
             std::to_string(limits_.max_row_bytes) + " bytes)");
}

}  // namespace opcat::adapters
