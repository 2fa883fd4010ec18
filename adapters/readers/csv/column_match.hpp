// Which header column a mapping's FieldPath names: exactly, ignoring case and spacing, or by
// prefix (for rolling year-suffixed columns such as "Complaints_upheld_2324").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/core/reader.hpp"

namespace opcat::adapters {

// "  Visit   DATE " -> "visit date": ASCII letters lowered (other letters are left as they are),
// surrounding whitespace dropped and inner runs of it made one space.
std::string comparable_column_name(std::string_view name);

// The first column that `path` names, or nullopt.
std::optional<std::size_t> find_column(const std::vector<std::string>& columns,
                                       const FieldPath& path);

// `no column "X" in the header (columns: A, B, C)`, for std::invalid_argument.
std::string no_such_column(const std::vector<std::string>& columns, const FieldPath& path);

}  // namespace opcat::adapters
