// opcat-gateway log: the transfer log from the terminal, read from the store read-only (beside a
// serving gateway or on a copy of its data directory).
//   log verify   the hash chain and the signed checkpoints: exit 0 intact, 3 tampered
//   log tail     the newest entries as JSON lines; --follow waits for more
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string_view>
#include <thread>

#include "gateway/cli/commands.hpp"
#include "gateway/config/config.hpp"
#include "gateway/signing/verifier.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "gateway/store/timestamp.hpp"
#include "gateway/store/transfer_log_chain.hpp"

namespace opcat::cli {
namespace {

struct LogOptions {
  std::string config;
  std::string data_dir;
  std::string ca;  // verify: trusts the checkpoints' signer
  // tail
  bool follow = false;
  std::string member;
  std::string status;
  std::size_t lines = 20;
};

// The data directory and, when --ca is not given, the CA of the config (the dev PKI's CA issues
// the signing certificate; in production point --ca at the signing certificate's CA).
struct Located {
  std::filesystem::path data_dir;
  std::filesystem::path ca;
};

// Nullopt, having said why on stderr, when the options name no usable data directory.
std::optional<Located> locate(const LogOptions& options, std::string_view command) {
  const std::string prefix = "opcat-gateway log " + std::string(command) + ": ";
  Located where;
  where.ca = options.ca;
  if (!options.config.empty()) {
    try {
      const config::Config config = config::load(options.config);
      where.data_dir = config.data_dir;
      if (where.ca.empty()) where.ca = config.tls.client_ca;
    } catch (const std::exception& e) {
      std::cerr << prefix << e.what() << '\n';
      return std::nullopt;
    }
  }
  if (!options.data_dir.empty()) where.data_dir = options.data_dir;
  if (where.data_dir.empty()) {
    std::cerr << prefix << "give --config or --data\n";
    return std::nullopt;
  }
  if (!std::filesystem::exists(where.data_dir / store::sqlite::SqliteStore::kFileName)) {
    std::cerr << prefix << where.data_dir.string() << " holds no "
              << store::sqlite::SqliteStore::kFileName << '\n';
    return std::nullopt;
  }
  return where;
}

store::sqlite::SqliteStore open_read_only(const std::filesystem::path& data_dir) {
  store::sqlite::SqliteStoreOptions options;
  options.read_only = true;
  return store::sqlite::SqliteStore(data_dir, options);
}

int verify(const LogOptions& options) {
  const std::optional<Located> where = locate(options, "verify");
  if (!where) return kExitUsage;
  try {
    auto store = open_read_only(where->data_dir);
    store::CheckpointSignatureCheck check;
    if (!where->ca.empty()) {
      check = [&](const store::TransferLogCheckpoint& checkpoint) {
        signing::verify_detached(checkpoint.signature, store::checkpoint_text(checkpoint),
                                 where->ca);
      };
    }
    const store::ChainReport report = store::verify_transfer_log(store, check);
    for (const auto& problem : report.problems) {
      std::cout << "entry " << problem.seq << ": " << problem.what << '\n';
    }
    std::cout << (report.intact() ? "intact" : "TAMPERED") << ": " << report.entries
              << " entries (last seq " << report.last_seq << "), " << report.checkpoints
              << " signed checkpoints";
    if (report.checkpoints > 0) {
      std::cout << " (last at seq " << report.last_checkpoint_seq << ", signatures "
                << (check ? "checked against " + where->ca.string() : std::string("NOT checked"))
                << ")";
    }
    if (report.last_seq > report.last_checkpoint_seq) {
      std::cout << "; entries after seq " << report.last_checkpoint_seq
                << " are chained but not yet signed";
    }
    std::cout << '\n';
    return report.intact() ? kExitOk : kExitSomeRejected;
  } catch (const std::exception& e) {
    std::cerr << "opcat-gateway log verify: " << e.what() << '\n';
    return kExitFailure;
  }
}

void print(const store::TransferLogEntry& e) {
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> json(text);
  const auto optional = [&](const char* key, const std::string& value) {
    if (value.empty()) return;
    json.Key(key);
    json.String(value.c_str());
  };
  json.StartObject();
  json.Key("seq");
  json.Int64(e.seq);
  json.Key("time");
  json.String(store::format_utc(e.time).c_str());
  json.Key("direction");
  json.String(store::to_string(e.direction));
  optional("member", e.member);
  optional("recipient", e.recipient);
  optional("submission_id", e.submission_id);
  optional("delivery_id", e.delivery_id);
  json.Key("bytes");
  json.Uint64(e.bytes);
  json.Key("records");
  json.Uint64(e.records);
  json.Key("status");
  json.String(e.status.c_str());
  if (e.http_status != 0) {
    json.Key("http_status");
    json.Int(e.http_status);
  }
  json.Key("duration_ms");
  json.Int64(e.duration_ms);
  optional("error", e.error);
  json.Key("hash");  // the chain: an auditor can compare it with a copy or a checkpoint
  json.String(e.hash.c_str());
  json.EndObject();
  std::cout << text.GetString() << '\n' << std::flush;
}

volatile std::sig_atomic_t g_stop = 0;

int tail(const LogOptions& options) {
  const std::optional<Located> where = locate(options, "tail");
  if (!where) return kExitUsage;
  try {
    auto store = open_read_only(where->data_dir);
    store::TransferQuery query;
    if (!options.member.empty()) query.member = options.member;
    if (!options.status.empty()) query.status = options.status;
    // The last `lines` matching entries: start that far back from the newest seq and page on.
    const auto head = store.last_transfer();
    query.after_seq = 0;
    if (head && options.lines > 0) {
      // Walk back a window at a time until it holds enough matching entries (filters thin it).
      std::int64_t window = static_cast<std::int64_t>(options.lines);
      for (;;) {
        query.after_seq = std::max<std::int64_t>(0, head->seq - window);
        query.limit = static_cast<std::size_t>(window);
        if (query.after_seq == 0 || store.list_transfers(query).size() >= options.lines) break;
        window *= 4;
      }
      auto page = store.list_transfers(query);
      if (page.size() > options.lines) page.erase(page.begin(), page.end() - options.lines);
      for (const auto& e : page) print(e);
      query.after_seq = head->seq;
    } else if (head) {
      query.after_seq = head->seq;
    }
    if (!options.follow) return kExitOk;
    std::signal(SIGINT, [](int) { g_stop = 1; });
    std::signal(SIGTERM, [](int) { g_stop = 1; });
    query.limit = 1000;
    while (g_stop == 0) {
      // Seqs only grow: asking for those after the last one printed never repeats or misses one.
      const auto entries = store.list_transfers(query);
      for (const auto& e : entries) print(e);
      if (!entries.empty()) query.after_seq = entries.back().seq;
      if (entries.size() < query.limit) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "opcat-gateway log tail: " << e.what() << '\n';
    return kExitFailure;
  }
}

void add_location(CLI::App* command, LogOptions& options) {
  command->add_option("--config", options.config, "The gateway's configuration (its data_dir)");
  command->add_option("--data", options.data_dir, "The gateway's data directory");
}

}  // namespace

void add_log(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<LogOptions>();
  CLI::App* log = app.add_subcommand("log", "The transfer log: verify its hash chain, or tail it");
  log->require_subcommand(1);

  CLI::App* verify_command = log->add_subcommand(
      "verify",
      "Check the transfer log's hash chain and signed checkpoints: an edited, inserted or deleted "
      "entry is reported with its seq. Exit 0 intact, 3 tampered, 2 usage, 1 unreadable.");
  add_location(verify_command, *options);
  verify_command->add_option("--ca", options->ca,
                             "CA bundle that the checkpoints' signing certificate chains to "
                             "(default with --config: tls.client_ca)");
  verify_command->callback([options, &exit_code] { exit_code = verify(*options); });

  CLI::App* tail_command =
      log->add_subcommand("tail", "Print the newest transfer-log entries as JSON lines");
  add_location(tail_command, *options);
  tail_command->add_flag("-f,--follow", options->follow, "Keep printing new entries (Ctrl-C ends)");
  tail_command->add_option("--member", options->member, "Only this member's entries");
  tail_command->add_option("--status", options->status,
                           "Only entries with this status (complete, partial, rejected, "
                           "delivered, retry, failed)");
  tail_command->add_option("-n,--lines", options->lines, "How many entries first (default 20)");
  tail_command->callback([options, &exit_code] { exit_code = tail(*options); });
}

}  // namespace opcat::cli
