// One record of a JSON export, held as a flat array of nodes in document order: small, built
// without recursion, freed without recursion (unlike a RapidJSON Document, whose destructor and
// copy recurse), and shared by the record and the child nodes taken from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opcat::adapters::json {

enum class JsonKind : std::uint8_t { null, false_value, true_value, number, string, array, object };

struct TreeNode {
  std::uint32_t end = 0;         // one past the last node of its subtree: the next sibling
  std::uint32_t key_offset = 0;  // member name in the text, for members of an object
  std::uint32_t key_size = 0;
  std::uint32_t text_offset = 0;  // string contents, or a number exactly as written
  std::uint32_t text_size = 0;
  JsonKind kind = JsonKind::null;
};

class RecordTree {
 public:
  static constexpr std::uint32_t kRoot = 0;

  const TreeNode& node(std::uint32_t index) const { return nodes_[index]; }
  JsonKind kind(std::uint32_t index) const { return nodes_[index].kind; }
  std::string_view key(std::uint32_t index) const;
  // A scalar as text: strings as is, numbers as written, "true", "false", and "" for null.
  std::string_view scalar_text(std::uint32_t index) const;
  bool is_container(std::uint32_t index) const {
    return kind(index) == JsonKind::array || kind(index) == JsonKind::object;
  }

  // Children of a container in order: for (c = first_child(n); c < end(n); c = next(c)).
  static std::uint32_t first_child(std::uint32_t index) { return index + 1; }
  std::uint32_t next(std::uint32_t index) const { return nodes_[index].end; }
  std::uint32_t end(std::uint32_t index) const { return nodes_[index].end; }

  // The first member named `name` (JSON allows repeats; the first wins, as in RapidJSON).
  std::optional<std::uint32_t> member(std::uint32_t object, std::string_view name) const;
  std::optional<std::uint32_t> element(std::uint32_t array, std::uint32_t position) const;

 private:
  friend class RecordTreeBuilder;
  std::vector<TreeNode> nodes_;
  std::string text_;
};

// Receives the SAX events of one record and builds its tree.
class RecordTreeBuilder {
 public:
  // The next value is the member `name` of the open object.
  void key(std::string_view name);
  void scalar(JsonKind kind, std::string_view text);
  void open(JsonKind container);
  void close();

  bool complete() const { return open_.empty() && !tree_.nodes_.empty(); }
  // Text added so far, by the offsets key() reports: the member names of open objects.
  std::string_view text(std::uint32_t offset, std::uint32_t size) const {
    return std::string_view(tree_.text_).substr(offset, size);
  }
  std::uint32_t last_key_offset() const { return pending_key_offset_; }
  // Whether any string or key holds an encoded UTF-16 surrogate (ED A0..BF): RapidJSON 1.1.0
  // writes one for an unpaired "\uDC00" escape, and it is not UTF-8.
  bool holds_surrogate() const;
  // Hands over the finished tree and starts the next one.
  RecordTree finish();

 private:
  TreeNode& add(JsonKind kind);

  RecordTree tree_;
  std::vector<std::uint32_t> open_;
  std::uint32_t pending_key_offset_ = 0;
  std::uint32_t pending_key_size_ = 0;
  // Sizes of the last record, reserved for the next: exports repeat one shape.
  std::size_t last_nodes_ = 0;
  std::size_t last_text_ = 0;
};

}  // namespace opcat::adapters::json
