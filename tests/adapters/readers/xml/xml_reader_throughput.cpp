// A quick throughput measure of the XML reader, next to libxml2's bare xmlTextReader loop over
// the same file, each the best of three runs (the file should be in the page cache):
//   xml_reader_throughput --generate FILE MEGABYTES   writes a synthetic HMIP-shaped export
//   xml_reader_throughput FILE [bare|records|fields]  measures (one pass only when named)
// `records` walks the records without reading fields; `fields` reads 13 fields and 4 per
// recommendation, as a mapping would. Not a test: the benchmark proper is issue 3 point 8.
#include <libxml/xmlreader.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/core/byte_source.hpp"
#include "adapters/readers/xml/xml_reader.hpp"

namespace {
using opcat::adapters::FieldPath;
using opcat::adapters::FileSource;
using opcat::adapters::Selector;
using Clock = std::chrono::steady_clock;

void generate(const char* file, std::size_t megabytes) {
  std::ofstream out(file, std::ios::binary);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- synthetic -->\n<inspections>\n";
  const std::size_t target = megabytes * 1000 * 1000;
  std::size_t written = 0;
  for (std::size_t i = 1; written < target; ++i) {
    const std::string n = std::to_string(i);
    std::string record =
        "  <inspection id=\"HMIP-" + n +
        "\" region=\"north\">\n"
        "    <establishment>HMP Example " +
        n +
        "</establishment>\n"
        "    <type>prison</type>\n    <start_date>2024-03-04</start_date>\n"
        "    <end_date>2024-03-15</end_date>\n    <announced>false</announced>\n"
        "    <scores>\n      <score test=\"safety\">2</score>\n"
        "      <score test=\"respect\">3</score>\n"
        "      <score test=\"purposeful_activity\">1</score>\n"
        "      <score test=\"rehabilitation\">3</score>\n    </scores>\n    <recommendations>\n";
    for (int r = 1; r <= 3; ++r) {
      record += "      <recommendation id=\"R" + std::to_string(r) +
                "\" priority=\"key\"><text>Leaders should make sure that prisoners are safe "
                "and treated with respect.</text><status>accepted</status></recommendation>\n";
    }
    record += "    </recommendations>\n  </inspection>\n";
    out << record;
    written += record.size();
  }
  out << "</inspections>\n";
}

int read_source(void* source, char* buffer, int size) {
  return static_cast<int>(
      static_cast<FileSource*>(source)->read(buffer, static_cast<std::size_t>(size)));
}
int close_source(void*) {
  return 0;
}

// libxml2's streaming reader visiting every node: the floor the XML reader starts from.
std::size_t bare_pass(const char* file) {
  FileSource source(file);
  xmlTextReaderPtr reader =
      xmlReaderForIO(read_source, close_source, &source, nullptr, nullptr, XML_PARSE_NONET);
  std::size_t nodes = 0;
  while (xmlTextReaderRead(reader) == 1) ++nodes;
  xmlFreeTextReader(reader);
  return nodes;
}

std::size_t reader_pass(const char* file, bool read_fields) {
  FileSource source(file);
  const toml::table settings = toml::parse(R"(record = "/inspections/inspection")");
  auto reader = opcat::adapters::configure_xml_reader(&settings)(source);
  std::vector<Selector> fields;
  for (const char* path :
       {"@id", "@region", "establishment", "type", "start_date", "end_date", "announced",
        "scores/score[@test='safety']", "scores/score[@test='respect']",
        "scores/score[@test='purposeful_activity']", "scores/score[@test='rehabilitation']",
        "report_date", "capacity"}) {
    fields.push_back(reader->bind(FieldPath{path}));
  }
  const Selector recommendations = reader->bind(FieldPath{"recommendations/recommendation"});
  std::vector<Selector> recommendation_fields;
  for (const char* path : {"@id", "@priority", "text", "status"}) {
    recommendation_fields.push_back(reader->bind(FieldPath{path}));
  }
  std::size_t records = 0, total = 0;
  while (auto record = reader->next()) {
    ++records;
    if (!read_fields) continue;
    for (Selector field : fields) total += record->value(field).value_or("").size();
    for (const auto& child : record->children(recommendations)) {
      for (Selector field : recommendation_fields) total += child->value(field).value_or("").size();
    }
  }
  return records + (total == 0 && read_fields ? 1 : 0);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::size_t file_size(const char* file) {
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  return static_cast<std::size_t>(in.tellg());
}

double measure(const char* name, const char* file, int runs, std::size_t (*pass)(const char*)) {
  double best = 1e9;
  std::size_t count = 0;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    count = pass(file);
    best = std::min(best, seconds_since(start));
  }
  const double megabytes = static_cast<double>(file_size(file)) / 1e6;
  std::printf("%-8s %10zu units  %7.3f s  %7.1f MB/s  %9.0f units/s\n", name, count, best,
              megabytes / best, static_cast<double>(count) / best);
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--generate") == 0) {
    generate(argv[2], std::strtoul(argv[3], nullptr, 10));
    return 0;
  }
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s --generate FILE MEGABYTES | %s FILE [bare|records|fields]\n",
                 argv[0], argv[0]);
    return 2;
  }
  const char* file = argv[1];
  const std::string_view only = argc == 3 ? argv[2] : "";
  const int runs = only.empty() ? 3 : 1;
  double bare = 0, fields = 0;
  if (only.empty() || only == "bare") bare = measure("bare", file, runs, bare_pass);
  if (only.empty() || only == "records") {
    measure("records", file, runs, [](const char* f) { return reader_pass(f, false); });
  }
  if (only.empty() || only == "fields") {
    fields = measure("fields", file, runs, [](const char* f) { return reader_pass(f, true); });
  }
  if (bare > 0 && fields > 0) std::printf("fields / bare speed: %.2f\n", bare / fields);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak RSS %ld MiB\n", usage.ru_maxrss / 1024);
  return 0;
}
