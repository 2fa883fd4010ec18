// opcat-gateway normalise: one export through a member's mapping, offline. Records go to stdout
// (JSON lines, or one XML document valid against schemas/record.xsd), problems to stderr as JSON
// lines in the member's own terms, then a summary line.
#include <libxml/xmlwriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "adapters/core/byte_source.hpp"
#include "adapters/mapping/catalogue.hpp"
#include "adapters/mapping/normaliser.hpp"
#include "adapters/schema/record_schema.hpp"
#include "adapters/schema/schemas_dir.hpp"
#include "adapters/schema/xml_record_writer.hpp"
#include "gateway/cli/commands.hpp"
#include "gateway/cli/record_output.hpp"
#include "gateway/config/config.hpp"

namespace opcat::cli {
namespace {

struct NormaliseOptions {
  std::string member;
  std::string adapter;
  std::string format = "json";
  std::string mappings;
  std::string file;
};

int exit_code_for(adapters::Outcome::Verdict verdict) {
  switch (verdict) {
    case adapters::Outcome::Verdict::complete: return kExitOk;
    case adapters::Outcome::Verdict::partial: return kExitSomeRejected;
    case adapters::Outcome::Verdict::rejected: return kExitRejected;
  }
  return kExitRejected;
}

int normalise(const NormaliseOptions& options) {
  std::optional<adapters::MappingCatalogue> catalogue;
  std::optional<schema::RecordSchema> record_schema;
  try {
    catalogue = adapters::MappingCatalogue::load(
        options.mappings.empty() ? adapters::default_mappings_dir() : std::filesystem::path(options.mappings));
    record_schema = schema::RecordSchema::load(schema::schemas_dir());
  } catch (const std::exception& e) {
    std::cerr << "opcat-gateway normalise: " << e.what() << '\n';
    return kExitUsage;
  }
  const adapters::MemberMapping* mapping = catalogue->find(options.member, options.adapter);
  if (mapping == nullptr) {
    std::cerr << "opcat-gateway normalise: no mapping \""
              << (options.adapter.empty() ? "default" : options.adapter) << "\" for member \""
              << options.member << "\" (see opcat-gateway adapters)\n";
    return kExitUsage;
  }

  std::unique_ptr<adapters::ByteSource> source;
  try {
    source = std::make_unique<adapters::FileSource>(options.file);
  } catch (const std::exception& e) {
    std::cerr << "opcat-gateway normalise: " << e.what() << '\n';
    return kExitUsage;
  }

  std::optional<adapters::Outcome> outcome;
  try {
    const adapters::Normaliser normaliser(*mapping, *record_schema);
    auto sink = make_record_output(options.format, stdout, stderr);
    outcome = normaliser.run(*source, *sink);
    sink->finish(*outcome, *mapping, source->name());
  } catch (const config::ConfigError& e) {
    std::cerr << "opcat-gateway normalise: " << e.what() << '\n';
    return kExitUsage;
  }
  return exit_code_for(outcome->verdict);
}

}  // namespace

void add_normalise(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<NormaliseOptions>();
  CLI::App* command = app.add_subcommand(
      "normalise",
      "Normalise one export with a member's mapping: records on stdout, problems on stderr as JSON "
      "lines. Exit 0: all records good; 3: some rejected; 4: the export rejected as a whole; 2: usage.");
  command->add_option("-m,--member", options->member, "Member code (hmip, icva...)")->required();
  command->add_option("--adapter", options->adapter, "Which of the member's mappings (default: default)");
  command->add_option("-f,--format", options->format, "Output: json (one record per line) or xml")
      ->check(CLI::IsMember({"json", "xml"}));
  command->add_option("--mappings", options->mappings,
                      "Folder of mapping files (default: OPCAT_ADAPTERS_DIR or adapters/members)");
  command->add_option("file", options->file, "The export, or - for standard input")->required();
  command->callback([options, &exit_code] { exit_code = normalise(*options); });
}

}  // namespace opcat::cli
