#include "adapters/readers/csv/column_match.hpp"

namespace opcat::adapters {
namespace {

constexpr std::size_t kColumnsListed = 50;  // enough to spot the right one; a header can be huge

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::string comparable_column_name(std::string_view name) {
  std::string result;
  result.reserve(name.size());
  bool pending_space = false;
  for (char c : name) {
    if (is_space(c)) {
      pending_space = !result.empty();
      continue;
    }
    if (pending_space) result += ' ';
    pending_space = false;
    result += lower(c);
  }
  return result;
}

std::optional<std::size_t> find_column(const std::vector<std::string>& columns,
                                       const FieldPath& path) {
  if (path.match == FieldPath::Match::exact) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == path.path) return i;
    }
    return std::nullopt;
  }
  const std::string wanted = comparable_column_name(path.path);
  if (wanted.empty()) return std::nullopt;  // would match every column
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const std::string column = comparable_column_name(columns[i]);
    const bool found =
        path.match == FieldPath::Match::prefix ? column.starts_with(wanted) : column == wanted;
    if (found) return i;
  }
  return std::nullopt;
}

std::string no_such_column(const std::vector<std::string>& columns, const FieldPath& path) {
  std::string message = "no column \"" + path.path + "\" in the header (columns: ";
  for (std::size_t i = 0; i < columns.size() && i < kColumnsListed; ++i) {
    if (i > 0) message += ", ";
    message += columns[i];
  }
  if (columns.size() > kColumnsListed) {
    message += " and " + std::to_string(columns.size() - kColumnsListed) + " more";
  }
  message += ")";
  return message;
}

}  // namespace opcat::adapters
