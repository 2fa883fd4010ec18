#include "adapters/readers/json/json_record.hpp"

#include <span>
#include <stdexcept>
#include <utility>

namespace opcat::adapters::json {
namespace {

// Every node `segments` reaches from `node`, in document order, with its path relative to the
// starting node when `path` is given. `visit(node)` returns false to stop. Recursion is on the
// pointer's segments, which come from the mapping file, not from the export.
template <class Visit>
bool walk(const RecordTree& tree, std::uint32_t node, std::span<const PointerSegment> segments,
          std::string* path, Visit& visit) {
  if (segments.empty()) return visit(node);
  const PointerSegment& segment = segments.front();
  const auto rest = segments.subspan(1);
  const std::size_t mark = path != nullptr ? path->size() : 0;

  if (tree.kind(node) == JsonKind::object) {
    if (!segment.wildcard) {
      const auto member = tree.member(node, segment.token);
      if (!member) return true;
      if (path != nullptr) append_pointer_token(*path, segment.token);
      const bool go_on = walk(tree, *member, rest, path, visit);
      if (path != nullptr) path->resize(mark);
      return go_on;
    }
    for (std::uint32_t c = RecordTree::first_child(node); c < tree.end(node); c = tree.next(c)) {
      if (path != nullptr) append_pointer_token(*path, tree.key(c));
      const bool go_on = walk(tree, c, rest, path, visit);
      if (path != nullptr) path->resize(mark);
      if (!go_on) return false;
    }
    return true;
  }

  if (tree.kind(node) == JsonKind::array) {
    std::uint32_t position = 0;
    for (std::uint32_t c = RecordTree::first_child(node); c < tree.end(node);
         c = tree.next(c), ++position) {
      if (!segment.matches_index(position)) continue;
      if (path != nullptr) append_pointer_index(*path, position);
      const bool go_on = walk(tree, c, rest, path, visit);
      if (path != nullptr) path->resize(mark);
      if (!go_on || !segment.wildcard) return go_on;
    }
  }
  return true;  // a scalar has nothing below it
}

}  // namespace

JsonRecord::JsonRecord(std::shared_ptr<const RecordTree> tree, std::uint32_t root,
                       std::string locator, std::shared_ptr<const BoundPointers> pointers)
    : tree_(std::move(tree)),
      root_(root),
      locator_(std::move(locator)),
      pointers_(std::move(pointers)) {}

const JsonPointer& JsonRecord::pointer(Selector selector) const {
  if (selector >= pointers_->size()) {
    throw std::out_of_range("JSON reader: selector " + std::to_string(selector) + " was not bound");
  }
  return (*pointers_)[selector];
}

std::optional<std::string_view> JsonRecord::value(Selector selector) const {
  std::optional<std::string_view> found;
  auto first = [&](std::uint32_t node) {
    if (!tree_->is_container(node)) found = tree_->scalar_text(node);
    return false;
  };
  walk(*tree_, root_, pointer(selector).segments, nullptr, first);
  return found;
}

std::vector<std::string> JsonRecord::values(Selector selector) const {
  std::vector<std::string> found;
  const RecordTree& tree = *tree_;
  auto collect = [&](std::uint32_t node) {
    switch (tree.kind(node)) {
      case JsonKind::array:
        // Scalars only: an object in a list of values has no text to give.
        for (std::uint32_t c = RecordTree::first_child(node); c < tree.end(node);
             c = tree.next(c)) {
          if (!tree.is_container(c)) found.emplace_back(tree.scalar_text(c));
        }
        break;
      case JsonKind::object:
      case JsonKind::null:  // "no list" as APIs write it, not a list of one empty value
        break;
      default:
        found.emplace_back(tree.scalar_text(node));
    }
    return true;
  };
  walk(tree, root_, pointer(selector).segments, nullptr, collect);
  return found;
}

std::vector<std::unique_ptr<SourceNode>> JsonRecord::children(Selector selector) const {
  std::vector<std::unique_ptr<SourceNode>> found;
  const RecordTree& tree = *tree_;
  std::string path;
  auto add = [&](std::uint32_t node, std::string locator) {
    found.push_back(std::make_unique<JsonRecord>(tree_, node, std::move(locator), pointers_));
  };
  auto collect = [&](std::uint32_t node) {
    if (tree.kind(node) == JsonKind::null) return true;
    if (tree.kind(node) != JsonKind::array) {
      add(node, locator_ + path);
      return true;
    }
    std::uint32_t position = 0;
    for (std::uint32_t c = RecordTree::first_child(node); c < tree.end(node);
         c = tree.next(c), ++position) {
      std::string locator = locator_ + path;
      append_pointer_index(locator, position);
      add(c, std::move(locator));
    }
    return true;
  };
  walk(tree, root_, pointer(selector).segments, &path, collect);
  return found;
}

}  // namespace opcat::adapters::json
