// The three things measured on one export: the bare library loop, the member's reader alone,
// and the full mapped path (Normaliser with the member's mapping, schema validation included).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "adapters/mapping/member_mapping.hpp"
#include "adapters/schema/record_schema.hpp"
#include "tests/bench/synthetic_exports.hpp"

namespace opcat::bench {

enum class Mode {
  bare,    // bare_loops.hpp
  reader,  // the mapping's reader, next() over every unit, nothing bound or read
  mapped,  // Normaliser::run into a sink that counts
};

std::optional<Mode> mode_named(std::string_view name);

struct PathResult {
  std::uint64_t units = 0;     // rows / record elements / record objects (0: not counted)
  std::uint64_t records = 0;   // normalised records accepted (mapped only)
  std::uint64_t rejected = 0;  // records rejected (mapped only)
};

// Runs `mode` once over `file`. Throws std::runtime_error when the export is rejected, which a
// generated export never should be.
PathResult run_path(Mode mode, Shape shape, const adapters::MemberMapping& mapping,
                    const schema::RecordSchema& schema, const std::filesystem::path& file);

}  // namespace opcat::bench
