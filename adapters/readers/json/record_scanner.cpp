#include "adapters/readers/json/record_scanner.hpp"

#include <utility>

namespace opcat::adapters::json {
namespace {

std::string_view kind_name(JsonKind kind) {
  switch (kind) {
    case JsonKind::null:
      return "null";
    case JsonKind::false_value:
    case JsonKind::true_value:
      return "a boolean";
    case JsonKind::number:
      return "a number";
    case JsonKind::string:
      return "a string";
    case JsonKind::array:
      return "an array";
    case JsonKind::object:
      return "an object";
  }
  return "a value";
}

}  // namespace

RecordScanner::RecordScanner(const JsonReaderSettings& settings, ChunkedStream& stream)
    : settings_(settings), stream_(stream), frames_(settings.max_depth) {}

void RecordScanner::start_document(std::size_t number) {
  document_ = number;
  depth_ = 0;
  swallow_ = 0;
  in_record_ = false;
  record_ready_ = false;
  bracket_pending_ = false;
  move_limit();
}

RecordScanner::Role RecordScanner::role_of_next_value() const {
  const auto& segments = settings_.records.segments;
  if (depth_ == 0) return segments.empty() ? Role::records_array : Role::on_pointer;
  const Frame& parent = frames_[depth_ - 1];
  if (parent.records) return Role::record;
  if (!parent.on_pointer) return Role::other;
  // An ancestor of the records array sits at depth < segments.size(), so this segment exists.
  const PointerSegment& segment = segments[depth_ - 1];
  const bool matches =
      parent.array ? segment.matches_index(parent.index) : segment.matches_key(key_of(parent));
  if (!matches) return Role::other;
  return depth_ == segments.size() ? Role::records_array : Role::on_pointer;
}

bool RecordScanner::scalar(JsonKind kind, std::string_view text) {
  if (swallow_ > 0) {
    --swallow_;
    return true;
  }
  if (in_record_) {
    builder_.scalar(kind, text);
    value_done();
    return true;
  }
  switch (role_of_next_value()) {
    case Role::record:
      start_record();
      builder_.scalar(kind, text);
      return finish_record();
    case Role::records_array:
      if (!records_array_is(kind)) return false;
      break;
    case Role::on_pointer:
    case Role::other:
      break;
  }
  value_done();
  move_limit();
  return true;
}

bool RecordScanner::String(const char* text, rapidjson::SizeType size, bool) {
  const std::string_view value(text, size);
  // Inside a record the whole text is checked at its end (finish_record).
  if (!in_record_ && lone_surrogate(value)) return false;
  return scalar(JsonKind::string, value);
}

bool RecordScanner::Key(const char* text, rapidjson::SizeType size, bool) {
  if (swallow_ > 0) {
    --swallow_;
    return true;
  }
  const std::string_view name(text, size);
  Frame& object = frames_[depth_ - 1];
  object.has_key = true;
  object.key_in_tree = in_record_;
  if (in_record_) {
    builder_.key(name);
    object.tree_key_offset = builder_.last_key_offset();
    object.tree_key_size = size;
    return true;
  }
  if (lone_surrogate(name)) return false;
  object.key.assign(name);
  move_limit();
  return true;
}

bool RecordScanner::open(JsonKind container) {
  if (swallow_ > 0) {
    --swallow_;
    return true;
  }
  if (depth_ == settings_.max_depth) {
    const std::string where = path(depth_);
    return fail(locate(where), "nesting deeper than " + std::to_string(settings_.max_depth) +
                                   " at " + (where.empty() ? "the top level" : where));
  }
  Role role = Role::other;
  if (in_record_) {
    builder_.open(container);
  } else {
    role = role_of_next_value();
    if (role == Role::record) {
      start_record();
      builder_.open(container);
    } else if (role == Role::records_array && !records_array_is(container)) {
      return false;
    }
  }
  Frame& frame = frames_[depth_++];
  frame.array = container == JsonKind::array;
  frame.on_pointer = role == Role::on_pointer;
  frame.records = role == Role::records_array;
  frame.has_key = false;
  frame.index = 0;
  if (!in_record_) move_limit();
  return true;
}

bool RecordScanner::close() {
  if (swallow_ > 0) {
    --swallow_;
    return true;
  }
  --depth_;
  if (in_record_) {
    builder_.close();
    if (depth_ == record_depth_) {
      bracket_pending_ = true;
      return finish_record();
    }
    value_done();
    return true;
  }
  value_done();
  move_limit();
  return true;
}

bool RecordScanner::records_array_is(JsonKind kind) {
  // null stands for an empty list in many APIs: the array is there, with nothing in it.
  if (kind == JsonKind::array || kind == JsonKind::null) {
    records_seen_ = true;
    return true;
  }
  const std::string where = path(depth_);
  return fail(locate(where), "expected the array of records at " +
                                 (where.empty() ? std::string("the top level") : where) +
                                 ", found " + std::string(kind_name(kind)));
}

void RecordScanner::start_record() {
  in_record_ = true;
  record_depth_ = depth_;
  record_locator_ = locate(path(depth_));
  stream_.set_limit(stream_.Tell() + settings_.max_record_bytes);
}

bool RecordScanner::finish_record() {
  in_record_ = false;
  if (builder_.holds_surrogate()) return surrogate_failure(record_locator_);
  record_ready_ = true;
  value_done();
  move_limit();
  return false;  // stop the parser: the reader hands the record out
}

void RecordScanner::value_done() {
  if (depth_ == 0) return;
  Frame& parent = frames_[depth_ - 1];
  if (parent.array) ++parent.index;
}

RecordTree RecordScanner::take_record() {
  return builder_.finish();
}

std::string RecordScanner::resume_bytes() {
  // Each open object becomes {"": and each open array [; the records array is the innermost,
  // and "0" stands for the element just handed out, so the next token may be "," or "]".
  std::string bytes;
  swallow_ = 0;
  for (std::size_t i = 0; i < depth_; ++i) {
    if (frames_[i].array) {
      bytes += '[';
      swallow_ += 1;  // StartArray
    } else {
      bytes += "{\"\":";
      swallow_ += 2;  // StartObject, Key
    }
  }
  bytes += '0';
  swallow_ += 1;  // RawNumber
  record_ready_ = false;
  bracket_pending_ = false;
  return bytes;
}

bool RecordScanner::lone_surrogate(std::string_view text) {
  // Raw surrogates fail UTF-8 validation, but RapidJSON 1.1.0 turns an unpaired "\uDC00"
  // escape into the bytes ED B0 80, which are not UTF-8 either: refuse them.
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '\xED' && static_cast<unsigned char>(text[i + 1]) >= 0xA0) {
      surrogate_failure(current_locator());
      return true;
    }
  }
  return false;
}

bool RecordScanner::surrogate_failure(const std::string& locator) {
  return fail(locator,
              "unpaired surrogate escape (\\uD800 to \\uDFFF) in a string before byte "
              "offset " +
                  std::to_string(stream_.Tell()));
}

std::string_view RecordScanner::key_of(const Frame& frame) const {
  if (frame.key_in_tree) return builder_.text(frame.tree_key_offset, frame.tree_key_size);
  return frame.key;
}

bool RecordScanner::fail(std::string locator, std::string message) {
  failure_ = ScanFailure{std::move(locator), std::move(message)};
  return false;
}

bool RecordScanner::unexpected_number() {
  return fail(current_locator(), "internal error: a number was not delivered as text");
}

std::string RecordScanner::path(std::size_t depth) const {
  std::string pointer;
  for (std::size_t i = 0; i < depth; ++i) {
    const Frame& frame = frames_[i];
    if (frame.array) {
      append_pointer_index(pointer, frame.index);
    } else if (frame.has_key) {
      append_pointer_token(pointer, key_of(frame));
    }
  }
  return pointer;
}

std::string RecordScanner::current_locator() const {
  return locate(path(depth_));
}

std::string RecordScanner::locate(const std::string& pointer) const {
  if (!settings_.sequence) return pointer;
  std::string locator = "document " + std::to_string(document_);
  if (!pointer.empty()) locator += ": " + pointer;
  return locator;
}

}  // namespace opcat::adapters::json
