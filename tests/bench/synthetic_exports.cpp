#include "tests/bench/synthetic_exports.hpp"

namespace opcat::bench {

std::optional<Shape> shape_named(std::string_view name) {
  if (name == "icva") return Shape::icva;
  if (name == "hmip") return Shape::hmip;
  if (name == "cqc") return Shape::cqc;
  return std::nullopt;
}

std::string_view shape_name(Shape shape) {
  switch (shape) {
    case Shape::icva:
      return "icva";
    case Shape::hmip:
      return "hmip";
    case Shape::cqc:
      return "cqc";
  }
  return "?";
}

GeneratedExport generate_export(Shape shape, const std::filesystem::path& path,
                                std::uint64_t target_bytes, std::uint64_t seed) {
  ExportFile out(path);
  Random random(seed);
  GeneratedExport made;
  switch (shape) {
    case Shape::icva:
      made = write_icva_visit_log(out, target_bytes, random);
      break;
    case Shape::hmip:
      made = write_hmip_inspections(out, target_bytes, random);
      break;
    case Shape::cqc:
      made = write_cqc_locations(out, target_bytes, seed);
      break;
  }
  out.close();
  made.bytes = out.bytes();
  return made;
}

}  // namespace opcat::bench
