// Benchmark inputs: exports of any size shaped like three members' real ones (the shapes of
// tests/fixtures/members/<code>/), generated with a fixed seed and streamed to disk. Every record
// in them is valid for the member's mapping, so the mapped path does the full work on each.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "tests/bench/export_file.hpp"
#include "tests/bench/synthetic_world.hpp"

namespace opcat::bench {

// The member whose export a benchmark file imitates; its name is the member code.
enum class Shape {
  icva,  // CSV custody visit log, one row per visit
  hmip,  // XML inspection reports with healthy prison tests and recommendations, namespaced
  cqc,   // paginated JSON API dump: {"pages": [{..., "locations": [...]}]}
};

std::optional<Shape> shape_named(std::string_view name);
std::string_view shape_name(Shape shape);

struct GeneratedExport {
  std::uint64_t bytes = 0;
  std::uint64_t units = 0;  // rows, <inspection> elements, locations
};

// Writes an export of at least `target_bytes` (by less than one unit more) to `path`.
GeneratedExport generate_export(Shape shape, const std::filesystem::path& path,
                                std::uint64_t target_bytes, std::uint64_t seed);

// One per shape (icva_visit_log.cpp, hmip_inspections.cpp, cqc_locations.cpp).
GeneratedExport write_icva_visit_log(ExportFile& out, std::uint64_t target_bytes, Random& random);
GeneratedExport write_hmip_inspections(ExportFile& out, std::uint64_t target_bytes, Random& random);
GeneratedExport write_cqc_locations(ExportFile& out, std::uint64_t target_bytes,
                                    std::uint64_t seed);

}  // namespace opcat::bench
