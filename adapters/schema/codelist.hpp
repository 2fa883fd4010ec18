// A code list: schemas/codelists/<name>.json, the single source of a controlled vocabulary.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace opcat::schema {

struct Codelist {
  std::string name;                 // the file's stem: "place_type"
  std::string title;                // "Kinds of place of deprivation of liberty"
  std::vector<std::string> codes;   // in the file's order
  std::vector<std::string> labels;  // labels[i] is the human label of codes[i]

  bool contains(std::string_view code) const;
  // The label of `code`, or "" when it is not in the list.
  std::string_view label(std::string_view code) const;
};

// Reads a code list file and checks its shape: a draft-04 fragment with a title, "type": "string",
// an "enum" of distinct non-empty strings and a "labels" object with exactly one string per code.
// Throws std::runtime_error naming the file on any problem.
Codelist read_codelist(const std::filesystem::path& path);

}  // namespace opcat::schema
