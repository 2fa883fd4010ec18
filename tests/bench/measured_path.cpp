#include "tests/bench/measured_path.hpp"

#include <iostream>
#include <stdexcept>

#include "adapters/core/byte_source.hpp"
#include "adapters/core/record_sink.hpp"
#include "adapters/mapping/normaliser.hpp"
#include "tests/bench/bare_loops.hpp"

namespace opcat::bench {
namespace {

// Counts, and keeps the first problem to explain a surprise.
class CountingSink final : public adapters::RecordSink {
 public:
  void record(const rapidjson::Value& /*record*/) override { ++records_; }
  void error(const adapters::RecordError& error) override {
    if (errors_++ == 0) first_error_ = error;
  }
  std::uint64_t records() const { return records_; }
  std::uint64_t errors() const { return errors_; }
  const adapters::RecordError& first_error() const { return first_error_; }

 private:
  std::uint64_t records_ = 0;
  std::uint64_t errors_ = 0;
  adapters::RecordError first_error_;
};

std::uint64_t bare(Shape shape, const std::filesystem::path& file) {
  switch (shape) {
    case Shape::icva:
      return bare_csv_split(file);
    case Shape::hmip:
      return bare_xml_read(file);
    case Shape::cqc:
      return bare_json_sax(file);
  }
  return 0;
}

}  // namespace

std::optional<Mode> mode_named(std::string_view name) {
  if (name == "bare") return Mode::bare;
  if (name == "reader") return Mode::reader;
  if (name == "mapped") return Mode::mapped;
  return std::nullopt;
}

PathResult run_path(Mode mode, Shape shape, const adapters::MemberMapping& mapping,
                    const schema::RecordSchema& schema, const std::filesystem::path& file) {
  PathResult result;
  switch (mode) {
    case Mode::bare:
      result.units = bare(shape, file);
      break;
    case Mode::reader: {
      adapters::FileSource source(file);
      const auto reader = mapping.make_reader(source);
      while (reader->next()) ++result.units;
      break;
    }
    case Mode::mapped: {
      adapters::FileSource source(file);
      CountingSink sink;
      const adapters::Outcome outcome = adapters::Normaliser(mapping, schema).run(source, sink);
      if (sink.errors() != 0) {
        const auto& e = sink.first_error();
        std::cerr << "opcat-bench: " << sink.errors() << " problems, the first: " << e.locator
                  << " " << e.field << " (" << e.source_field << ") " << e.code << ": " << e.message
                  << '\n';
      }
      if (outcome.verdict == adapters::Outcome::Verdict::rejected) {
        throw std::runtime_error("the export was rejected: " + outcome.reason + " at " +
                                 outcome.locator);
      }
      result.units = outcome.units;
      result.records = outcome.accepted;
      result.rejected = outcome.rejected;
      break;
    }
  }
  return result;
}

}  // namespace opcat::bench
