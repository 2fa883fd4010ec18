#include "tests/bench/small_exports.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace opcat::bench {

SmallExports::SmallExports(const std::filesystem::path& material, int rows, std::string tag)
    : per_export_(rows), tag_(std::move(tag)) {
  std::ifstream in(material, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + material.string());
  std::ostringstream whole;
  whole << in.rdbuf();
  const std::string text = whole.str();
  // The generator ends rows with CRLF and breaks lines inside quoted fields with a bare LF, so
  // CRLF splits rows.
  std::size_t end = text.find("\r\n");
  if (end == std::string::npos) throw std::runtime_error(material.string() + ": no header line");
  header_ = text.substr(0, end + 2);
  if (!header_.starts_with("\xEF\xBB\xBF")) header_ = "\xEF\xBB\xBF" + header_;
  for (std::size_t start = end + 2; start < text.size(); start = end + 2) {
    end = text.find("\r\n", start);
    if (end == std::string::npos) break;  // a last row cut short: left out
    rows_.push_back(text.substr(start, end + 2 - start));
  }
  if (rows_.empty()) throw std::runtime_error(material.string() + ": no rows");
}

std::string SmallExports::body(std::uint64_t connection, std::uint64_t sequence) const {
  std::string body = header_;
  const std::uint64_t first = connection * 7919 + sequence * static_cast<std::uint64_t>(per_export_);
  for (int i = 0; i < per_export_; ++i) body += rows_[(first + i) % rows_.size()];
  body += "Kent,Medway Reach custody suite,02/04/2024,10:15,Ada Benchley; Ben Loadman,6,4,3,N,"
          "Benchmark push ";
  body += tag_;
  body += " connection ";
  body += std::to_string(connection);
  body += " number ";
  body += std::to_string(sequence);
  body += "\r\n";
  return body;
}

}  // namespace opcat::bench
