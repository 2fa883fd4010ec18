// The SAX handler of the JSON reader. It follows where the parser is (a JSON Pointer and the
// nesting depth), recognises the elements of the records array, builds each into a RecordTree,
// and stops the parser after each one so that the reader can hand it out.
#pragma once

#include <rapidjson/reader.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/readers/json/chunked_stream.hpp"
#include "adapters/readers/json/json_settings.hpp"
#include "adapters/readers/json/record_tree.hpp"

namespace opcat::adapters::json {

// Why the scanner stopped the parser, when it did.
struct ScanFailure {
  std::string locator;
  std::string message;
};

class RecordScanner {
 public:
  RecordScanner(const JsonReaderSettings& settings, ChunkedStream& stream);

  // RapidJSON's Handler concept. Returning false stops the parser: after a record (resume with
  // resume_bytes()), or on a failure (failure()).
  bool Null() { return scalar(JsonKind::null, {}); }
  bool Bool(bool b) { return scalar(b ? JsonKind::true_value : JsonKind::false_value, {}); }
  bool RawNumber(const char* text, rapidjson::SizeType size, bool) {
    return scalar(JsonKind::number, std::string_view(text, size));
  }
  bool String(const char* text, rapidjson::SizeType size, bool);
  bool Key(const char* text, rapidjson::SizeType size, bool);
  bool StartObject() { return open(JsonKind::object); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(JsonKind::array); }
  bool EndArray(rapidjson::SizeType) { return close(); }
  // kParseNumbersAsStringsFlag routes every number to RawNumber; these are never called.
  bool Int(int) { return unexpected_number(); }
  bool Uint(unsigned) { return unexpected_number(); }
  bool Int64(std::int64_t) { return unexpected_number(); }
  bool Uint64(std::uint64_t) { return unexpected_number(); }
  bool Double(double) { return unexpected_number(); }

  // A new top-level value begins (document `number`, counted from 1).
  void start_document(std::size_t number);

  // After the parser stopped on a record: the record, its locator, and whether its closing
  // bracket is still in the stream (RapidJSON calls EndObject/EndArray before taking it).
  bool record_ready() const { return record_ready_; }
  bool record_bracket_pending() const { return bracket_pending_; }
  RecordTree take_record();
  const std::string& record_locator() const { return record_locator_; }
  bool in_record() const { return in_record_; }

  // Bytes that, parsed from a fresh start, put RapidJSON back where it stopped (inside the
  // records array, just after an element); the events they cause are swallowed.
  std::string resume_bytes();

  const std::optional<ScanFailure>& failure() const { return failure_; }
  // Where the parser is, for errors it reports: "/data/locations/3/name", with the document.
  std::string current_locator() const;
  // Whether the records pointer reached an array (or null) in any document so far.
  bool records_seen() const { return records_seen_; }

 private:
  // What the value that is starting is, relative to the records pointer.
  enum class Role {
    other,          // off the pointer, or inside a record
    on_pointer,     // an ancestor of the records array
    records_array,  // where the pointer leads: must be the array of records
    record,         // an element of the records array
  };

  struct Frame {
    bool array = false;
    bool on_pointer = false;
    bool records = false;
    bool has_key = false;
    std::uint64_t index = 0;  // of the element being read, in an array
    // The member being read, in an object: copied outside records; inside a record, where
    // keys are many, an offset into the text of the record being built.
    std::string key;
    bool key_in_tree = false;
    std::uint32_t tree_key_offset = 0;
    std::uint32_t tree_key_size = 0;
  };

  Role role_of_next_value() const;
  bool scalar(JsonKind kind, std::string_view text);
  bool open(JsonKind container);
  bool close();
  bool records_array_is(JsonKind kind);
  void start_record();
  bool finish_record();
  void value_done();
  // Outside records every event moves the limit on: no single token may exceed the budget.
  void move_limit() { stream_.set_limit(stream_.Tell() + settings_.max_record_bytes); }
  bool fail(std::string locator, std::string message);
  bool unexpected_number();
  bool lone_surrogate(std::string_view text);
  bool surrogate_failure(const std::string& locator);
  std::string_view key_of(const Frame& frame) const;
  std::string path(std::size_t depth) const;
  std::string locate(const std::string& pointer) const;

  const JsonReaderSettings& settings_;
  ChunkedStream& stream_;
  RecordTreeBuilder builder_;
  std::vector<Frame> frames_;  // max_depth of them, reused; the first depth_ are open
  std::size_t depth_ = 0;
  std::size_t document_ = 0;
  std::size_t swallow_ = 0;  // events still to come from resume_bytes()
  bool in_record_ = false;
  std::size_t record_depth_ = 0;  // depth_ outside the record
  bool record_ready_ = false;
  bool bracket_pending_ = false;
  bool records_seen_ = false;
  std::string record_locator_;
  std::optional<ScanFailure> failure_;
};

}  // namespace opcat::adapters::json
