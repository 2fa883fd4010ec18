// opcat-gateway consolidate: one consolidated submission of a period from a data directory's
// store, with a recipient's data policy applied, to a file or stdout. A summary line (JSON) goes
// to stderr. Delivery is not this command's job: it writes the payload a delivery would send (the
// running gateway consolidates and delivers on POST /v1/consolidations and on schedules).
//
// The store is opened read-only: the command may run beside a gateway serving the same data
// directory, and reads the last committed state without holding up its writes.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "adapters/schema/record_schema.hpp"
#include "adapters/schema/schemas_dir.hpp"
#include "gateway/cli/commands.hpp"
#include "gateway/config/config.hpp"
#include "gateway/consolidation/consolidator.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "gateway/store/submission_id.hpp"

namespace opcat::cli {
namespace {

struct ConsolidateOptions {
  std::string config;     // with recipient: the gateway's config
  std::string recipient;  // [recipients.<name>]: its policy, key and format
  bool format_given = false;
  std::string data_dir;
  std::string period;  // empty: the NPM year holding today
  std::string policy;  // empty: schemas/policies/npm.toml
  std::string pseudonym_key;
  std::string format = "json";
  std::string out;     // empty: stdout
};

// One JSON line on stderr: the summary, and where the payload went.
void print_summary(const consolidation::ConsolidationSummary& s, const std::string& out) {
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> json(text);
  json.StartObject();
  json.Key("consolidated");
  const std::string summary = consolidation::to_json(s);
  json.RawValue(summary.data(), summary.size(), rapidjson::kObjectType);
  json.Key("out");
  json.String(out.empty() ? "-" : out.c_str());
  json.EndObject();
  std::cerr << text.GetString() << '\n';
}

int consolidate(const ConsolidateOptions& options) {
  std::optional<config::Config> config;
  const config::Recipient* recipient = nullptr;
  if (!options.recipient.empty()) {
    try {
      config = config::load(options.config);
    } catch (const std::exception& e) {
      std::cerr << "opcat-gateway consolidate: " << e.what() << '\n';
      return kExitUsage;
    }
    const auto found = config->recipients.find(options.recipient);
    if (found == config->recipients.end()) {
      std::cerr << "opcat-gateway consolidate: no [recipients." << options.recipient << "] in "
                << options.config << '\n';
      return kExitUsage;
    }
    recipient = &found->second;
  }
  const std::filesystem::path data_dir =
      !options.data_dir.empty() ? std::filesystem::path(options.data_dir) : config->data_dir;
  // The store would create an empty database in a mistyped directory and consolidate nothing.
  if (!std::filesystem::exists(data_dir / store::sqlite::SqliteStore::kFileName)) {
    std::cerr << "opcat-gateway consolidate: " << data_dir.string() << " holds no "
              << store::sqlite::SqliteStore::kFileName << '\n';
    return kExitUsage;
  }
  std::optional<consolidation::Period> period;
  std::optional<consolidation::PayloadFormat> format;
  std::optional<schema::RecordSchema> record_schema;
  std::optional<consolidation::DataPolicy> policy;
  try {
    period = options.period.empty()
                 ? consolidation::npm_year_containing(consolidation::today_utc())
                 : consolidation::parse_period(options.period);
    format = recipient && !options.format_given ? recipient->format
                                                : consolidation::parse_payload_format(options.format);
    record_schema = schema::RecordSchema::load(schema::schemas_dir());
    std::optional<std::filesystem::path> key;
    if (!options.pseudonym_key.empty()) key = options.pseudonym_key;
    if (recipient && options.policy.empty()) {
      config::Recipient chosen = *recipient;
      if (key) chosen.pseudonym_key = *key;
      policy = consolidation::DataPolicy::for_recipient(chosen, *record_schema);
    } else {
      const std::filesystem::path policy_file =
          options.policy.empty() ? schema::schemas_dir() / "policies" / "npm.toml"
                                 : std::filesystem::path(options.policy);
      policy = consolidation::DataPolicy::load(policy_file, *record_schema, key);
    }
  } catch (const std::exception& e) {
    std::cerr << "opcat-gateway consolidate: " << e.what() << '\n';
    return kExitUsage;
  }

  try {
    store::sqlite::SqliteStoreOptions read_only;
    read_only.read_only = true;
    store::sqlite::SqliteStore store(data_dir, read_only);
    if (options.out.empty()) {
      print_summary(consolidation::consolidate(store, *period, *policy, *format, std::cout), "");
      return kExitOk;
    }
    // Written aside and renamed into place: the named file is either whole or absent, never a
    // payload cut off half-way.
    // The temporary name is unique, so that two runs never write into each other's file, and
    // removed whatever happens.
    const std::filesystem::path out(options.out);
    const std::filesystem::path partial(out.string() + "." + store::new_id("") + ".partial");
    try {
      std::ofstream file(partial, std::ios::binary | std::ios::trunc);
      if (!file) throw std::runtime_error("cannot write " + partial.string());
      const auto summary = consolidation::consolidate(store, *period, *policy, *format, file);
      file.close();
      if (!file) throw std::runtime_error("writing " + partial.string() + " failed");
      std::filesystem::rename(partial, out);
      print_summary(summary, options.out);
      return kExitOk;
    } catch (...) {
      std::error_code ignored;
      std::filesystem::remove(partial, ignored);
      throw;
    }
  } catch (const std::exception& e) {
    std::cerr << "opcat-gateway consolidate: " << e.what() << '\n';
    return kExitFailure;
  }
}

}  // namespace

void add_consolidate(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ConsolidateOptions>();
  CLI::App* command = app.add_subcommand(
      "consolidate",
      "Write one consolidated submission of a period: every member's current records, joint "
      "visits merged, the OPCAT Art. 20(a) aggregates and the lineage, with a data policy applied "
      "(a recipient's, with --config and --recipient). Reads the store read-only, so it may run "
      "beside a serving gateway; to consolidate and deliver, ask the gateway (POST "
      "/v1/consolidations, docs/admin-api.md).");
  auto* config_option = command->add_option(
      "--config", options->config, "The gateway's configuration (with --recipient)");
  command->add_option("--recipient", options->recipient,
                      "Consolidate as for this [recipients.<name>]: its policy, pseudonym key, "
                      "format and the config's data directory")
      ->needs(config_option);
  command->add_option("--data", options->data_dir,
                      "The gateway's data directory (default with --config: its data_dir)");
  command->add_option("--period", options->period,
                      "FIRST..LAST, e.g. 2025-04-01..2026-03-31 (default: the NPM year, 1 April "
                      "to 31 March, holding today)");
  command->add_option("--policy", options->policy,
                      "A data policy file (default: schemas/policies/npm.toml, everything kept)");
  command->add_option("--pseudonym-key", options->pseudonym_key,
                      "The recipient's pseudonym key file (at least 32 bytes); overrides the "
                      "policy's pseudonym_key");
  auto* format_option = command->add_option("--format", options->format,
                                            "json or xml (default: the recipient's, else json)");
  format_option->check(CLI::IsMember({"json", "xml"}));
  command->add_option("--out", options->out, "Write the payload to this file (default: stdout)");
  command->callback([options, format_option, &exit_code] {
    options->format_given = format_option->count() > 0;
    if (options->recipient.empty() && options->data_dir.empty()) {
      std::cerr << "opcat-gateway consolidate: give --data, or --config with --recipient\n";
      exit_code = kExitUsage;
      return;
    }
    exit_code = consolidate(*options);
  });
}

}  // namespace opcat::cli
