#include "adapters/readers/json/record_tree.hpp"

#include <cstring>
#include <utility>

namespace opcat::adapters::json {

std::string_view RecordTree::key(std::uint32_t index) const {
  const TreeNode& n = nodes_[index];
  return std::string_view(text_).substr(n.key_offset, n.key_size);
}

std::string_view RecordTree::scalar_text(std::uint32_t index) const {
  const TreeNode& n = nodes_[index];
  switch (n.kind) {
    case JsonKind::true_value:
      return "true";
    case JsonKind::false_value:
      return "false";
    case JsonKind::number:
    case JsonKind::string:
      return std::string_view(text_).substr(n.text_offset, n.text_size);
    case JsonKind::null:
    case JsonKind::array:
    case JsonKind::object:
      break;
  }
  return {};
}

std::optional<std::uint32_t> RecordTree::member(std::uint32_t object, std::string_view name) const {
  for (std::uint32_t c = first_child(object); c < end(object); c = next(c)) {
    if (key(c) == name) return c;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> RecordTree::element(std::uint32_t array,
                                                 std::uint32_t position) const {
  std::uint32_t i = 0;
  for (std::uint32_t c = first_child(array); c < end(array); c = next(c), ++i) {
    if (i == position) return c;
  }
  return std::nullopt;
}

void RecordTreeBuilder::key(std::string_view name) {
  pending_key_offset_ = static_cast<std::uint32_t>(tree_.text_.size());
  pending_key_size_ = static_cast<std::uint32_t>(name.size());
  tree_.text_.append(name);
}

bool RecordTreeBuilder::holds_surrogate() const {
  // One memchr over the record's text: cheaper than a check per string.
  const std::string& text = tree_.text_;
  const char* at = text.data();
  const char* const end = at + text.size();
  while (const void* found = std::memchr(at, '\xED', static_cast<std::size_t>(end - at))) {
    at = static_cast<const char*>(found) + 1;
    if (at < end && static_cast<unsigned char>(*at) >= 0xA0) return true;
  }
  return false;
}

TreeNode& RecordTreeBuilder::add(JsonKind kind) {
  if (tree_.nodes_.empty()) {
    tree_.nodes_.reserve(last_nodes_);
    tree_.text_.reserve(last_text_);
  }
  TreeNode& n = tree_.nodes_.emplace_back();
  n.kind = kind;
  n.key_offset = pending_key_offset_;
  n.key_size = pending_key_size_;
  pending_key_size_ = 0;
  return n;
}

void RecordTreeBuilder::scalar(JsonKind kind, std::string_view text) {
  const auto text_offset = static_cast<std::uint32_t>(tree_.text_.size());
  tree_.text_.append(text);
  TreeNode& n = add(kind);
  n.text_offset = text_offset;
  n.text_size = static_cast<std::uint32_t>(text.size());
  n.end = static_cast<std::uint32_t>(tree_.nodes_.size());
}

void RecordTreeBuilder::open(JsonKind container) {
  add(container);
  open_.push_back(static_cast<std::uint32_t>(tree_.nodes_.size() - 1));
}

void RecordTreeBuilder::close() {
  tree_.nodes_[open_.back()].end = static_cast<std::uint32_t>(tree_.nodes_.size());
  open_.pop_back();
}

RecordTree RecordTreeBuilder::finish() {
  last_nodes_ = tree_.nodes_.size();
  last_text_ = tree_.text_.size();
  RecordTree done = std::move(tree_);
  tree_ = RecordTree();
  open_.clear();
  pending_key_size_ = 0;
  return done;
}

}  // namespace opcat::adapters::json
