// Checking a consolidated submission's JSON form against schemas/consolidated.schema.json, as a
// recipient does before accepting it (the inbox). The schema refers to record.schema.json and the
// code lists beside it; all are read once, from one folder.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace opcat::consolidation {

class PayloadSchema {
 public:
  // Reads consolidated.schema.json, record.schema.json and the code lists from `dir` (usually
  // schema::schemas_dir()). Throws std::runtime_error naming the file on any problem.
  static PayloadSchema load(const std::filesystem::path& dir);

  PayloadSchema(PayloadSchema&&) noexcept;
  PayloadSchema& operator=(PayloadSchema&&) noexcept;
  ~PayloadSchema();

  // The first thing wrong with the payload ("<JSON pointer>: <keyword>"), or empty when it is
  // valid. Not thread-safe (RapidJSON 1.1.0's validator keeps state in the schema's regexes):
  // one PayloadSchema per thread.
  std::string problem(std::string_view json) const;

 private:
  struct Impl;
  explicit PayloadSchema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace opcat::consolidation
