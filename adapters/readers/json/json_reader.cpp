#include "adapters/readers/json/json_reader.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "adapters/readers/json/chunked_stream.hpp"
#include "adapters/readers/json/json_record.hpp"
#include "adapters/readers/json/json_settings.hpp"
#include "adapters/readers/json/record_scanner.hpp"

namespace opcat::adapters {
namespace {

using json::JsonReaderSettings;

// Iterative: no recursion on the input's nesting. Numbers as strings: "1.50" stays "1.50" and
// long identifiers keep every digit. No comments, trailing commas or NaN: members send JSON.
constexpr unsigned kSingleFlags = rapidjson::kParseIterativeFlag |
                                  rapidjson::kParseValidateEncodingFlag |
                                  rapidjson::kParseNumbersAsStringsFlag;
constexpr unsigned kSequenceFlags = kSingleFlags | rapidjson::kParseStopWhenDoneFlag;

// RapidJSON 1.1.0 cannot pause between events (IterativeParseNext came later), so the scanner
// stops the parser after each record and the next call parses on from the same stream, primed
// with a few bytes that rebuild the parser's stack of open containers.
class JsonReader final : public Reader {
 public:
  JsonReader(ByteSource& source, std::shared_ptr<const JsonReaderSettings> settings)
      : settings_(std::move(settings)),
        // Room for resume bytes: at most 4 per open container, plus the stand-in element.
        stream_(source, 4 * std::size_t{settings_->max_depth} + 1),
        scanner_(*settings_, stream_),
        pointers_(std::make_shared<json::BoundPointers>()) {}

  Selector bind(const FieldPath& path) override {
    if (path.match != FieldPath::Match::exact) {
      throw std::invalid_argument("JSON Pointer \"" + path.path +
                                  "\": the JSON reader matches pointers exactly");
    }
    pointers_->push_back(json::parse_json_pointer(path.path));
    return pointers_->size() - 1;
  }

  std::string source_field(Selector selector) const override {
    return pointers_->at(selector).text;
  }

  std::unique_ptr<SourceNode> next() override {
    if (failure_) std::rethrow_exception(failure_);
    if (finished_) return nullptr;
    try {
      return read_on();
    } catch (...) {
      // The stream and the parser are mid-token now: every later call repeats the failure.
      failure_ = std::current_exception();
      throw;
    }
  }

 private:
  std::unique_ptr<SourceNode> read_on();
  bool begin_document();
  rapidjson::ParseResult parse();
  std::unique_ptr<SourceNode> hand_out_record();
  [[noreturn]] void unreadable(const rapidjson::ParseResult& result);
  std::unique_ptr<SourceNode> finish();

  std::shared_ptr<const JsonReaderSettings> settings_;
  json::ChunkedStream stream_;
  json::RecordScanner scanner_;
  rapidjson::Reader parser_;
  std::shared_ptr<json::BoundPointers> pointers_;
  std::size_t documents_ = 0;
  bool started_ = false;
  bool in_document_ = false;
  bool finished_ = false;
  std::exception_ptr failure_;
};

std::unique_ptr<SourceNode> JsonReader::read_on() {
  for (;;) {
    if (in_document_) {
      stream_.prime(scanner_.resume_bytes());
    } else if (!begin_document()) {
      return finish();
    }
    const rapidjson::ParseResult result = parse();
    if (scanner_.record_ready()) return hand_out_record();
    if (scanner_.failure()) {
      throw UnreadableInput(scanner_.failure()->locator, scanner_.failure()->message);
    }
    if (result.IsError()) unreadable(result);
    in_document_ = false;  // the document ended well, unless a NUL or the limit ended the input
    if (stream_.stopped_at_nul() || stream_.over_limit()) unreadable(result);
    if (!settings_->sequence) return finish();
  }
}

bool JsonReader::begin_document() {
  if (!started_) {
    stream_.skip_byte_order_mark();
    started_ = true;
  } else if (!settings_->sequence) {
    return false;
  }
  if (settings_->sequence) {
    stream_.skip_whitespace();
    if (stream_.at_end()) {
      if (stream_.stopped_at_nul() || stream_.over_limit()) unreadable(rapidjson::ParseResult());
      return false;
    }
  }
  scanner_.start_document(++documents_);
  in_document_ = true;
  return true;
}

rapidjson::ParseResult JsonReader::parse() {
  if (settings_->sequence) return parser_.Parse<kSequenceFlags>(stream_, scanner_);
  return parser_.Parse<kSingleFlags>(stream_, scanner_);
}

std::unique_ptr<SourceNode> JsonReader::hand_out_record() {
  // RapidJSON reports the end of an object or array before taking its bracket.
  if (scanner_.record_bracket_pending()) stream_.Take();
  auto tree = std::make_shared<const json::RecordTree>(scanner_.take_record());
  return std::make_unique<json::JsonRecord>(std::move(tree), json::RecordTree::kRoot,
                                            scanner_.record_locator(), pointers_);
}

void JsonReader::unreadable(const rapidjson::ParseResult& result) {
  const std::string max = std::to_string(settings_->max_record_bytes);
  if (stream_.over_limit()) {
    if (scanner_.in_record()) {
      throw UnreadableInput(scanner_.record_locator(),
                            "record larger than max_record_bytes (" + max + " bytes)");
    }
    throw UnreadableInput(scanner_.current_locator(),
                          "more than max_record_bytes (" + max +
                              " bytes) of input without the end of a JSON token, before byte "
                              "offset " +
                              std::to_string(stream_.Tell()));
  }
  if (stream_.stopped_at_nul()) {
    throw UnreadableInput(scanner_.current_locator(),
                          "NUL byte at byte offset " + std::to_string(stream_.nul_offset()) +
                              ": not JSON text (is the file UTF-16 or binary?)");
  }
  const std::string offset = std::to_string(result.Offset());
  const std::string what = rapidjson::GetParseError_En(result.Code());
  switch (result.Code()) {
    case rapidjson::kParseErrorStringInvalidEncoding:
      throw UnreadableInput(scanner_.current_locator(),
                            "invalid UTF-8 in a string at byte offset " + offset);
    case rapidjson::kParseErrorDocumentEmpty:
      if (stream_.at_end_of_input()) {
        throw UnreadableInput(scanner_.current_locator(), "the input holds no JSON value");
      }
      break;
    default:
      if (stream_.at_end_of_input() && result.Offset() == stream_.Tell()) {
        throw UnreadableInput(scanner_.current_locator(),
                              "the JSON text ends early, at byte offset " + offset + ": " + what);
      }
  }
  throw UnreadableInput(scanner_.current_locator(),
                        "invalid JSON at byte offset " + offset + ": " + what);
}

std::unique_ptr<SourceNode> JsonReader::finish() {
  finished_ = true;
  if (!scanner_.records_seen()) {
    // A member whose export changed shape should hear about it, not get zero records.
    const std::string records = json::describe_records(*settings_);
    throw UnreadableInput(settings_->records.text,
                          "no records at " + records + ": no array there in the " +
                              (settings_->sequence ? "documents" : "document"));
  }
  return nullptr;
}

}  // namespace

ReaderFactory configure_json_reader(const toml::table* settings) {
  auto parsed =
      std::make_shared<const JsonReaderSettings>(json::read_json_reader_settings(settings));
  return [parsed](ByteSource& source) -> std::unique_ptr<Reader> {
    return std::make_unique<JsonReader>(source, parsed);
  };
}

}  // namespace opcat::adapters
