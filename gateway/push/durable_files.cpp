#include "gateway/push/durable_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <system_error>
#include <utility>

namespace opcat::push {
namespace {

namespace fs = std::filesystem;

// Receipts and error reports may quote values from the export (the error list does): readable by
// the agent's user and its group, not by everyone.
constexpr mode_t kReportMode = 0640;

[[noreturn]] void fail(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

// renameat2(RENAME_NOREPLACE) is atomic; where the file system lacks it, link() + unlink() also
// refuses to replace, at the price of a moment where the file has both names.
bool rename_no_replace(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
    return true;
  }
  if (errno == EEXIST) return false;
  if (errno != EINVAL && errno != ENOSYS) {
    fail(errno, "cannot rename " + from.string() + " to " + to.string());
  }
  if (::link(from.c_str(), to.c_str()) != 0) {
    if (errno == EEXIST) return false;
    fail(errno, "cannot link " + from.string() + " to " + to.string());
  }
  if (::unlink(from.c_str()) != 0) fail(errno, "cannot remove " + from.string());
  return true;
}

fs::path parent_or_dot(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

}  // namespace

void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(errno, "cannot open directory " + dir.string());
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) fail(error, "cannot fsync directory " + dir.string());
}

NewFile::NewFile(fs::path target) : target_(std::move(target)) {
  // Hidden, so that the watcher (and a person looking at the folder) ignores it while it is
  // being written, and so that a crash leaves at worst a dot-file, never a half receipt.
  std::string pattern =
      (parent_or_dot(target_) / ("." + target_.filename().string() + ".XXXXXX")).string();
  fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd_ < 0) fail(errno, "cannot create a temporary file for " + target_.string());
  temp_ = pattern;
  ::fchmod(fd_, kReportMode);
}

NewFile::~NewFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_.c_str());
  }
}

void NewFile::write(std::string_view bytes) {
  if (fd_ < 0) throw std::logic_error("NewFile::write after commit");
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(errno, "cannot write " + temp_.string());
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

bool NewFile::commit() {
  if (fd_ < 0) throw std::logic_error("NewFile::commit twice");
  // The bytes must be on disk before the name points at them.
  if (::fsync(fd_) != 0) fail(errno, "cannot fsync " + temp_.string());
  ::close(std::exchange(fd_, -1));
  bool named = false;
  try {
    named = rename_no_replace(temp_, target_);
  } catch (...) {
    ::unlink(temp_.c_str());
    throw;
  }
  if (!named) {
    ::unlink(temp_.c_str());
    return false;
  }
  sync_directory(parent_or_dot(target_));
  return true;
}

bool write_new_file(const fs::path& target, std::string_view bytes) {
  NewFile file(target);
  file.write(bytes);
  return file.commit();
}

bool copy_new_file(const fs::path& from, const fs::path& target,
                   const std::function<void(std::string_view)>& each_piece) {
  std::ifstream in(from, std::ios::binary);
  if (!in) throw std::system_error(errno, std::generic_category(), "cannot read " + from.string());
  NewFile file(target);
  std::string piece(64 * 1024, '\0');
  while (in) {
    in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
    const std::string_view bytes(piece.data(), static_cast<std::size_t>(in.gcount()));
    if (each_piece) each_piece(bytes);
    file.write(bytes);
  }
  if (in.bad()) {
    throw std::system_error(EIO, std::generic_category(), "error while reading " + from.string());
  }
  return file.commit();
}

bool move_without_replacing(const fs::path& from, const fs::path& to) {
  if (!rename_no_replace(from, to)) return false;
  sync_directory(parent_or_dot(to));
  sync_directory(parent_or_dot(from));
  return true;
}

}  // namespace opcat::push
