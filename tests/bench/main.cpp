// opcat-bench: the adapter engine's benchmark (issue 3, point 8). Not a test: it is never run by
// ctest. scripts/bench drives it and docs/PERFORMANCE.md reports what it found.
//
//   opcat-bench generate --shape icva --mb 100 --out var/bench/icva-100.csv
//   opcat-bench run --shape icva --mode mapped --runs 5 var/bench/icva-100.csv
//
// `run` prints one line of key=value pairs: sizes, counts, the best and median wall and CPU
// (user + system) times over the runs, and the process's peak RSS.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <vector>

#include "adapters/mapping/catalogue.hpp"
#include "adapters/mapping/member_mapping.hpp"
#include "adapters/schema/record_schema.hpp"
#include "adapters/schema/schemas_dir.hpp"
#include "tests/bench/measured_path.hpp"
#include "tests/bench/synthetic_exports.hpp"

namespace opcat::bench {
namespace {

constexpr std::uint64_t kMegabyte = 1000 * 1000;  // MB and MB/s are decimal throughout

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // kilobytes on Linux
}

std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one;
  file >> one;
  return one.empty() ? "?" : one;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

struct GenerateOptions {
  std::string shape;
  double megabytes = 100;
  std::string out;
  std::uint64_t seed = 20250401;
};

struct RunOptions {
  std::string shape;
  std::string mode;
  std::string file;
  int runs = 3;
  std::string mappings;
};

int generate(const GenerateOptions& options) {
  const Shape shape = *shape_named(options.shape);
  const auto target = static_cast<std::uint64_t>(options.megabytes * kMegabyte);
  const GeneratedExport made = generate_export(shape, options.out, target, options.seed);
  std::printf("shape=%s file=%s bytes=%llu units=%llu seed=%llu\n", options.shape.c_str(),
              options.out.c_str(), static_cast<unsigned long long>(made.bytes),
              static_cast<unsigned long long>(made.units),
              static_cast<unsigned long long>(options.seed));
  return 0;
}

int run(const RunOptions& options) {
  const Shape shape = *shape_named(options.shape);
  const Mode mode = *mode_named(options.mode);
  const std::filesystem::path dir = options.mappings.empty()
                                        ? adapters::default_mappings_dir()
                                        : std::filesystem::path(options.mappings);
  // Loaded once, outside the timed runs: a gateway loads them at start-up.
  const adapters::MemberMapping mapping =
      adapters::load_mapping(dir / (std::string(shape_name(shape)) + ".toml"));
  const schema::RecordSchema schema = schema::RecordSchema::load(schema::schemas_dir());
  const std::uint64_t bytes = std::filesystem::file_size(options.file);
  const std::string load_before = load_average();

  std::vector<double> walls, cpus;
  PathResult result;
  for (int i = 0; i < options.runs; ++i) {
    const double cpu_start = cpu_seconds();
    const auto wall_start = std::chrono::steady_clock::now();
    result = run_path(mode, shape, mapping, schema, options.file);
    walls.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count());
    cpus.push_back(cpu_seconds() - cpu_start);
  }
  const double wall_best = *std::min_element(walls.begin(), walls.end());
  const double cpu_best = *std::min_element(cpus.begin(), cpus.end());
  std::printf(
      "shape=%s mode=%s bytes=%llu units=%llu records=%llu rejected=%llu runs=%d "
      "wall_best_s=%.4f wall_median_s=%.4f cpu_best_s=%.4f cpu_median_s=%.4f "
      "mb_per_s_wall=%.1f mb_per_s_cpu=%.1f maxrss_kb=%ld load1_before=%s load1_after=%s\n",
      options.shape.c_str(), options.mode.c_str(), static_cast<unsigned long long>(bytes),
      static_cast<unsigned long long>(result.units),
      static_cast<unsigned long long>(result.records),
      static_cast<unsigned long long>(result.rejected), options.runs, wall_best, median(walls),
      cpu_best, median(cpus), static_cast<double>(bytes) / kMegabyte / wall_best,
      static_cast<double>(bytes) / kMegabyte / cpu_best, peak_rss_kb(), load_before.c_str(),
      load_average().c_str());
  return 0;
}

}  // namespace
}  // namespace opcat::bench

int main(int argc, char** argv) {
  using namespace opcat::bench;
  CLI::App app(
      "opcat-bench: the adapter engine's throughput and memory, against each input "
      "library's bare loop (docs/PERFORMANCE.md)");
  app.require_subcommand(1);
  const auto shapes = CLI::IsMember({"icva", "hmip", "cqc"});

  GenerateOptions generate_options;
  CLI::App* generate_command = app.add_subcommand(
      "generate", "Write a synthetic export shaped like a member's (fixed seed)");
  generate_command
      ->add_option("--shape", generate_options.shape, "icva (CSV), hmip (XML), cqc (JSON)")
      ->required()
      ->check(shapes);
  generate_command->add_option("--mb", generate_options.megabytes, "Size in MB (10^6 bytes)")
      ->check(CLI::PositiveNumber);
  generate_command->add_option("--out", generate_options.out, "The file to write")->required();
  generate_command->add_option("--seed", generate_options.seed, "Random seed");

  RunOptions run_options;
  CLI::App* run_command = app.add_subcommand(
      "run", "Time one path over an export: bare (the library's own loop), reader, mapped");
  run_command->add_option("--shape", run_options.shape, "icva (CSV), hmip (XML), cqc (JSON)")
      ->required()
      ->check(shapes);
  run_command->add_option("--mode", run_options.mode, "bare, reader or mapped")
      ->required()
      ->check(CLI::IsMember({"bare", "reader", "mapped"}));
  run_command->add_option("--runs", run_options.runs, "Runs; the best and the median are reported")
      ->check(CLI::PositiveNumber);
  run_command->add_option(
      "--mappings", run_options.mappings,
      "Folder of mapping files (default: OPCAT_ADAPTERS_DIR or adapters/members)");
  run_command->add_option("file", run_options.file, "The export")
      ->required()
      ->check(CLI::ExistingFile);

  CLI11_PARSE(app, argc, argv);
  try {
    if (generate_command->parsed()) return generate(generate_options);
    return run(run_options);
  } catch (const std::exception& e) {
    std::cerr << "opcat-bench: " << e.what() << '\n';
    return 1;
  }
}
