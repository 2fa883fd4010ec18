// Which files of the watch folder may be pushed: a member's export job writes its file over
// seconds or minutes, and half an export must never leave. A file is ready when it is a regular
// file (not a symbolic link), its name is not hidden and does not mark it as unfinished (.tmp,
// .part, .partial, .crdownload), and its size and modification time have not changed for the
// settle time, as seen by successive looks at the folder.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace opcat::push {

// False for names never pushed whatever their age: hidden files (our own temporary files among
// them) and the usual names of files still being written or downloaded.
bool is_export_name(std::string_view filename);

struct ReadyFile {
  std::filesystem::path path;
  std::uintmax_t size = 0;
  std::filesystem::file_time_type modified;
};

class ReadyFiles {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit ReadyFiles(std::chrono::milliseconds settle) : settle_(settle) {}

  // Looks at `dir` at `now` (the caller's clock, so that tests drive time): the files that have
  // settled, oldest modification first. Files gone since the last look are forgotten.
  // Throws std::filesystem::filesystem_error when the folder cannot be read.
  std::vector<ReadyFile> scan(const std::filesystem::path& dir, TimePoint now);

 private:
  struct Seen {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type modified;
    TimePoint unchanged_since;
  };

  std::chrono::milliseconds settle_;
  std::map<std::string, Seen> seen_;  // by file name
};

}  // namespace opcat::push
