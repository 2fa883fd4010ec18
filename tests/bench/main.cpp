// opcat-bench: the adapter engine's benchmark (issue 3, point 8) and the intake's (issue 4,
// point 5). Not a test: it is never run by ctest. scripts/bench and scripts/bench-intake drive it
// and docs/PERFORMANCE.md reports what it found.
//
//   opcat-bench generate --shape icva --mb 100 --out var/bench/icva-100.csv
//   opcat-bench run --shape icva --mode mapped --runs 5 var/bench/icva-100.csv
//   opcat-bench push-file --url https://127.0.0.1:PORT --cert M.crt --key M.key --cacert ca.crt FILE
//   opcat-bench push --url https://127.0.0.1:PORT --cacert ca.crt --member-dir DIR/members
//                    --members icva,hmip --connections 4 --seconds 20 --material small.csv
//
// `run` prints one line of key=value pairs: sizes, counts, the best and median wall and CPU
// (user + system) times over the runs, and the process's peak RSS. `push-file` and `push` print
// one line each too (tests/bench/intake_client.hpp).
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
#include "tests/bench/intake_client.hpp"
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
      "library's bare loop, and the gateway's intake over mutual TLS (docs/PERFORMANCE.md)");
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

  std::string url;
  const auto parse_url = [&url](opcat::push::GatewayUrl& gateway) {
    gateway = opcat::push::GatewayUrl::parse(url);
  };

  PushFileOptions file_options;
  CLI::App* file_command = app.add_subcommand(
      "push-file",
      "POST one export to /v1/submissions over mutual TLS, streamed from disk; time the upload "
      "and the answer");
  file_command->add_option("--url", url, "The gateway's member listener, https://host:port")
      ->required();
  file_command->add_option("--cert", file_options.member.certificate, "Member certificate (PEM)")
      ->required()
      ->check(CLI::ExistingFile);
  file_command->add_option("--key", file_options.member.private_key, "Its private key (PEM)")
      ->required()
      ->check(CLI::ExistingFile);
  file_command->add_option("--cacert", file_options.ca, "CA bundle for the gateway's certificate")
      ->required()
      ->check(CLI::ExistingFile);
  file_command->add_option("--content-type", file_options.content_type, "Content-Type sent");
  file_command->add_option("--timeout", file_options.timeout_s, "Seconds per step (default 3600)")
      ->check(CLI::PositiveNumber);
  file_command->add_option("file", file_options.file, "The export")
      ->required()
      ->check(CLI::ExistingFile);

  PushLoadOptions load_options;
  std::vector<std::string> certs, keys, member_codes;
  std::string member_dir;
  CLI::App* load_command = app.add_subcommand(
      "push",
      "Many keep-alive connections pushing small distinct icva-shaped exports as fast as the "
      "answers come, for a fixed time: acknowledged submissions per second and latency");
  load_command->add_option("--url", url, "The gateway's member listener, https://host:port")
      ->required();
  load_command->add_option("--cacert", load_options.ca, "CA bundle for the gateway's certificate")
      ->required()
      ->check(CLI::ExistingFile);
  load_command->add_option("--cert", certs, "A member certificate (repeatable, with --key)");
  load_command->add_option("--key", keys, "Its private key (repeatable, with --cert)");
  load_command->add_option("--member-dir", member_dir,
                           "Folder of <code>.crt/<code>.key (certs/dev-pki DIR: DIR/members)");
  load_command->add_option("--members", member_codes, "Member codes in --member-dir")
      ->delimiter(',');
  load_command->add_option("--connections", load_options.connections_per_member,
                           "Connections per member (default 1)")
      ->check(CLI::PositiveNumber);
  load_command->add_option("--seconds", load_options.seconds, "Measured window (default 20)")
      ->check(CLI::PositiveNumber);
  load_command->add_option("--warmup", load_options.warmup_s,
                           "Seconds before the window, not counted (default 2)")
      ->check(CLI::NonNegativeNumber);
  load_command->add_option("--material", load_options.template_file,
                           "An icva export whose header and rows the small exports reuse")
      ->required()
      ->check(CLI::ExistingFile);
  load_command->add_option("--rows", load_options.rows,
                           "Rows of the material per export, plus one distinct row (default 4)")
      ->check(CLI::NonNegativeNumber);
  load_command->add_option("--tag", load_options.tag,
                           "Text in every body (default: the time), distinct across runs");
  load_command->add_option("--timeout", load_options.timeout_s, "Seconds per step (default 120)")
      ->check(CLI::PositiveNumber);
  load_command->add_option("--timeline", load_options.timeline,
                           "Write, per second of the window, the 202s and their longest latency");
  load_command->add_option("--stop-file", load_options.stop_file,
                           "End the window early (before --seconds) once this file exists");

  CLI11_PARSE(app, argc, argv);
  try {
    if (generate_command->parsed()) return generate(generate_options);
    if (file_command->parsed()) {
      parse_url(file_options.gateway);
      return push_file(file_options);
    }
    if (load_command->parsed()) {
      parse_url(load_options.gateway);
      if (certs.size() != keys.size()) throw std::invalid_argument("--cert and --key must pair up");
      for (std::size_t i = 0; i < certs.size(); ++i) load_options.members.push_back({certs[i], keys[i]});
      if (!member_codes.empty() && member_dir.empty()) {
        throw std::invalid_argument("--members needs --member-dir");
      }
      for (const auto& code : member_codes) {
        load_options.members.push_back({std::filesystem::path(member_dir) / (code + ".crt"),
                                        std::filesystem::path(member_dir) / (code + ".key")});
      }
      if (load_options.members.empty()) {
        throw std::invalid_argument("no member: give --cert/--key or --member-dir/--members");
      }
      if (load_options.tag.empty()) {
        load_options.tag = std::to_string(
            std::chrono::system_clock::now().time_since_epoch() / std::chrono::milliseconds(1));
      }
      return push_load(load_options);
    }
    return run(run_options);
  } catch (const std::exception& e) {
    std::cerr << "opcat-bench: " << e.what() << '\n';
    return 1;
  }
}
