// A quick throughput measure of the CSV reader, next to a bare split loop over the same file,
// each the best of five runs (the file should be in the page cache):
//   csv_reader_throughput FILE COLUMNS [bare|reader]
// With a third argument, runs only that pass once (for perf stat -e cycles:u on a busy machine).
// Not a test (timings are not pass/fail); the benchmark proper is issue 3 point 8.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "adapters/core/byte_source.hpp"
#include "adapters/readers/csv/csv_reader.hpp"

namespace {
using opcat::adapters::FileSource;
using Clock = std::chrono::steady_clock;

// Splits on commas and newlines, no quoting, no decoding: the floor any CSV reader starts from.
std::size_t bare_split(const char* file, std::size_t& bytes) {
  FileSource source(file);
  std::vector<char> chunk(64 * 1024);
  std::size_t fields = 0;
  for (std::size_t n; (n = source.read(chunk.data(), chunk.size())) > 0;) {
    bytes += n;
    for (std::size_t i = 0; i < n; ++i) fields += chunk[i] == ',' || chunk[i] == '\n';
  }
  return fields;
}

// Reads every row and looks at every column's value, as a mapping would.
std::size_t reader_pass(const char* file, std::size_t columns) {
  FileSource source(file);
  auto reader = opcat::adapters::open_csv_reader(source, opcat::adapters::CsvSettings{});
  std::vector<opcat::adapters::Selector> selectors;
  for (std::size_t i = 0; i < columns; ++i) selectors.push_back(i);
  std::size_t rows = 0, total = 0;
  while (auto row = reader->next()) {
    ++rows;
    for (auto selector : selectors) total += row->value(selector).value_or("").size();
  }
  return rows + (total == 0 ? 1 : 0);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: %s FILE COLUMNS [bare|reader]\n", argv[0]);
    return 2;
  }
  const std::size_t columns = std::strtoul(argv[2], nullptr, 10);
  if (argc == 4) {
    std::size_t bytes = 0;
    const std::string_view pass = argv[3];
    const std::size_t count =
        pass == "bare" ? bare_split(argv[1], bytes) : reader_pass(argv[1], columns);
    std::printf("%s: %zu\n", argv[3], count);
    return 0;
  }
  constexpr int kRuns = 5;
  std::size_t bytes = 0, fields = 0, rows = 0;
  double bare = 1e9, read = 1e9;
  for (int run = 0; run < kRuns; ++run) {
    bytes = 0;
    auto start = Clock::now();
    fields = bare_split(argv[1], bytes);
    bare = std::min(bare, seconds_since(start));
    start = Clock::now();
    rows = reader_pass(argv[1], columns);
    read = std::min(read, seconds_since(start));
  }
  const double mb = static_cast<double>(bytes) / 1e6;
  std::printf("%.1f MB, %zu rows, %zu fields\n", mb, rows, fields);
  std::printf("bare split loop: %.3f s, %.0f MB/s\n", bare, mb / bare);
  std::printf("CSV reader:      %.3f s, %.0f MB/s, %.0f rows/s (%.2f of bare)\n", read, mb / read,
              static_cast<double>(rows) / read, bare / read);
  return 0;
}
