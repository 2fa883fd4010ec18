#include "gateway/push/ready_files.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <tuple>

namespace opcat::push {
namespace {

bool ends_with_ignoring_case(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), text.end() - static_cast<std::ptrdiff_t>(suffix.size()),
                    [](char a, char b) {
                      return std::tolower(static_cast<unsigned char>(a)) ==
                             std::tolower(static_cast<unsigned char>(b));
                    });
}

}  // namespace

bool is_export_name(std::string_view filename) {
  if (filename.empty() || filename.front() == '.') return false;
  constexpr std::array<std::string_view, 4> kUnfinished{".tmp", ".part", ".partial", ".crdownload"};
  return std::none_of(kUnfinished.begin(), kUnfinished.end(), [&](std::string_view suffix) {
    return ends_with_ignoring_case(filename, suffix);
  });
}

std::vector<ReadyFile> ReadyFiles::scan(const std::filesystem::path& dir, TimePoint now) {
  std::map<std::string, Seen> still_here;
  std::vector<ReadyFile> ready;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    std::error_code ec;
    // symlink_status: a link is not the member's export; following it could push anything.
    if (!is_export_name(name) || !std::filesystem::is_regular_file(entry.symlink_status(ec))) {
      continue;
    }
    const auto size = std::filesystem::file_size(entry.path(), ec);
    if (ec) continue;  // gone between the listing and now
    const auto modified = std::filesystem::last_write_time(entry.path(), ec);
    if (ec) continue;

    Seen seen{size, modified, now};
    if (auto earlier = seen_.find(name);
        earlier != seen_.end() && earlier->second.size == size && earlier->second.modified == modified) {
      seen.unchanged_since = earlier->second.unchanged_since;
    }
    if (now - seen.unchanged_since >= settle_) ready.push_back({entry.path(), size, modified});
    still_here.emplace(name, seen);
  }
  seen_ = std::move(still_here);
  std::sort(ready.begin(), ready.end(), [](const ReadyFile& a, const ReadyFile& b) {
    return std::tie(a.modified, a.path) < std::tie(b.modified, b.path);
  });
  return ready;
}

}  // namespace opcat::push
