#include "gateway/push/export_filing.hpp"

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

#include "gateway/push/durable_files.hpp"
#include "gateway/push/error_report.hpp"

namespace opcat::push {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kReceiptSuffix = ".receipt.json";
constexpr std::string_view kSignatureSuffix = ".receipt.p7s";
constexpr std::string_view kErrorSuffix = ".error.json";

// A file that goes beside the export, under the export's name plus a suffix.
struct Companion {
  std::string_view suffix;
  std::string_view bytes;  // unused for a streamed companion (the error report)
  bool streamed = false;
};

std::optional<std::string> read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// "visits.csv", "visits-2.csv", "visits-3.csv"...
std::string candidate(const std::string& filename, unsigned n) {
  if (n == 1) return filename;
  const fs::path name(filename);
  return name.stem().string() + "-" + std::to_string(n) + name.extension().string();
}

// The first name under which the export and all its companions fit without replacing anything.
// A companion already there with exactly our bytes is no clash: it is ours, written before a
// crash interrupted the move, and is reused.
std::string free_name(const fs::path& folder, const std::string& filename,
                      const std::vector<Companion>& companions) {
  for (unsigned n = 1;; ++n) {
    const std::string name = candidate(filename, n);
    std::error_code ec;
    bool usable = !fs::exists(folder / name, ec);
    for (const Companion& companion : companions) {
      if (!usable) break;
      const fs::path path = folder / (name + std::string(companion.suffix));
      if (!fs::exists(path, ec)) continue;
      usable = !companion.streamed && read_whole(path) == companion.bytes;
    }
    if (usable) return name;
  }
}

void place(const fs::path& path, std::string_view bytes) {
  if (write_new_file(path, bytes)) return;
  if (read_whole(path) == bytes) return;  // ours, from an interrupted move
  throw std::runtime_error(path.string() + " appeared while the export was being filed");
}

fs::path move_export(const fs::path& export_file, const fs::path& target) {
  if (!move_without_replacing(export_file, target)) {
    throw std::runtime_error(target.string() + " appeared while the export was being filed");
  }
  return target;
}

fs::path prepared_folder(const fs::path& export_file, std::string_view name) {
  const fs::path folder = export_file.parent_path() / name;
  fs::create_directories(folder);
  return folder;
}

}  // namespace

fs::path file_accepted(const fs::path& export_file, const FilePush& push) {
  const fs::path folder = prepared_folder(export_file, kSentFolder);
  const PushOutcome& outcome = push.outcome;
  std::vector<Companion> companions{{kReceiptSuffix, outcome.body}};
  if (!outcome.receipt_signature.empty()) {
    companions.push_back({kSignatureSuffix, outcome.receipt_signature});
  }
  const std::string name = free_name(folder, export_file.filename().string(), companions);
  for (const Companion& companion : companions) {
    place(folder / (name + std::string(companion.suffix)), companion.bytes);
  }
  return move_export(export_file, folder / name);
}

std::optional<fs::path> file_rejected(const fs::path& export_file, const FilePush& push,
                                      const HttpsClient& gateway, std::stop_token stop) {
  const fs::path folder = prepared_folder(export_file, kRejectedFolder);
  const PushOutcome& outcome = push.outcome;
  std::vector<Companion> companions;
  if (outcome.has_receipt()) {
    companions.push_back({kReceiptSuffix, outcome.body});
    if (!outcome.receipt_signature.empty()) {
      companions.push_back({kSignatureSuffix, outcome.receipt_signature});
    }
  }
  const std::size_t fixed = companions.size();
  companions.push_back({kErrorSuffix, {}, /*streamed=*/true});
  const std::string name = free_name(folder, export_file.filename().string(), companions);

  // The report first, since fetching the error list is what a stop request may cut short.
  NewFile report(folder / (name + std::string(kErrorSuffix)));
  if (!write_error_report(report, export_file, push, gateway, stop)) return std::nullopt;
  for (std::size_t i = 0; i < fixed; ++i) {
    place(folder / (name + std::string(companions[i].suffix)), companions[i].bytes);
  }
  if (!report.commit()) {
    throw std::runtime_error((folder / (name + std::string(kErrorSuffix))).string() +
                             " appeared while the export was being filed");
  }
  return move_export(export_file, folder / name);
}

}  // namespace opcat::push
