// Small icva-shaped exports for the intake load test, each one distinct (a pushed body the gateway
// has seen before is answered from the store as a replay, which is not what is measured).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace opcat::bench {

class SmallExports {
 public:
  // `material`: an icva export (opcat-bench generate --shape icva); its header and its rows are
  // reused, `rows` rows per export. Throws std::runtime_error when it has no rows.
  SmallExports(const std::filesystem::path& material, int rows, std::string tag);

  // The export number `sequence` of connection `connection`: BOM and header, `rows` rows of the
  // material, then one valid row whose free text names the tag, the connection and the sequence.
  std::string body(std::uint64_t connection, std::uint64_t sequence) const;

  std::size_t material_rows() const { return rows_.size(); }

 private:
  std::string header_;  // with the BOM and the line end
  std::vector<std::string> rows_;  // each with its line end (CRLF)
  int per_export_;
  std::string tag_;
};

}  // namespace opcat::bench
