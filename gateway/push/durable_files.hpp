// Files that survive a crash or a power cut whole or not at all, and renames that never overwrite.
// The watch folder's promise rests on these: after a crash an export is either still in the
// folder, or in sent/ (or rejected/) with its receipt beside it.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace opcat::push {

// A file written under a hidden temporary name in the target's folder and given its name only
// when complete and on disk. Dropped without commit(), it leaves nothing behind.
// Every failure throws std::system_error naming the file.
class NewFile {
 public:
  explicit NewFile(std::filesystem::path target);
  ~NewFile();
  NewFile(const NewFile&) = delete;
  NewFile& operator=(const NewFile&) = delete;

  void write(std::string_view bytes);
  // fsync, then the name (never replacing an existing file), then the folder fsync'd.
  // False, and nothing left behind, if the target name exists already.
  bool commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
};

// The whole of `bytes` as a new file; false if `target` exists already.
bool write_new_file(const std::filesystem::path& target, std::string_view bytes);

// A copy of the file `from` as the new file `target`, read and written in 64 KiB pieces (never
// whole in memory), each piece also given to `each_piece` when set (to hash it on the way).
// False, and nothing left behind, if `target` exists already.
bool copy_new_file(const std::filesystem::path& from, const std::filesystem::path& target,
                   const std::function<void(std::string_view)>& each_piece = {});

// Renames `from` to `to` atomically unless `to` exists (then false, nothing moved), and syncs
// both folders so that the move outlives a crash.
bool move_without_replacing(const std::filesystem::path& from, const std::filesystem::path& to);

// Makes the names created or removed in `dir` durable.
void sync_directory(const std::filesystem::path& dir);

}  // namespace opcat::push
