#include "gateway/store/body_archive.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#include "adapters/core/sha256.hpp"

namespace opcat::store {
namespace {

constexpr std::string_view kTempPrefix = ".tmp-";

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

// A rename or link is durable only once the directory holding the new name is synced.
void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open directory", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail("cannot fsync directory", dir);
}

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

// Behind a pointer so that body_archive.hpp, included by the store's users, needs no digest header.
struct BodyWriter::Digest {
  adapters::Sha256 sha256;
};

BodyWriter::BodyWriter(std::filesystem::path root, std::filesystem::path temp, int fd)
    : root_(std::move(root)), temp_(std::move(temp)), fd_(fd) {
  // Started in the body, not the initialiser list: if OpenSSL fails, the temp file must still be
  // closed and removed, and the destructor does not run for a constructor that throws.
  try {
    digest_ = std::make_unique<Digest>();
  } catch (...) {
    discard();
    throw;
  }
}

BodyWriter::BodyWriter(BodyWriter&& other) noexcept
    : root_(std::move(other.root_)),
      temp_(std::move(other.temp_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      digest_(std::move(other.digest_)) {}

BodyWriter::~BodyWriter() { discard(); }

void BodyWriter::discard() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
    ::unlink(temp_.c_str());
  }
}

void BodyWriter::write(std::string_view chunk) {
  if (fd_ < 0) throw std::logic_error("BodyWriter::write after finish");
  digest_->sha256.update(chunk);
  while (!chunk.empty()) {
    const ssize_t n = ::write(fd_, chunk.data(), chunk.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write body to", temp_);
    }
    chunk.remove_prefix(static_cast<std::size_t>(n));
    size_ += static_cast<std::uint64_t>(n);
  }
}

BodyDigest BodyWriter::finish() {
  if (fd_ < 0) throw std::logic_error("BodyWriter::finish twice");
  BodyDigest result;
  result.size = size_;
  result.sha256 = digest_->sha256.finish_hex();

  // The data must be on disk before the name points at it, or a crash could leave a
  // complete-looking name over incomplete content.
  if (::fsync(fd_) != 0) fail("cannot fsync body", temp_);
  ::close(std::exchange(fd_, -1));

  const std::filesystem::path dir = root_ / result.sha256.substr(0, 2);
  const std::filesystem::path target = dir / result.sha256.substr(2);
  std::error_code ec;
  if (std::filesystem::create_directory(dir, ec)) sync_directory(root_);
  if (ec) {
    ::unlink(temp_.c_str());
    throw std::system_error(ec, "cannot create " + dir.string());
  }
  // link() refuses to replace an existing name: an identical body already archived (perhaps
  // by a concurrent writer) is left as it is, never rewritten. Its mtime is renewed, since
  // retention goes by mtime and this body has just been received again.
  if (::link(temp_.c_str(), target.c_str()) != 0) {
    const bool already_there = errno == EEXIST;
    if (!already_there || ::utimensat(AT_FDCWD, target.c_str(), nullptr, 0) != 0) {
      const int saved = errno;
      ::unlink(temp_.c_str());
      errno = saved;
      fail(already_there ? "cannot renew the mtime of" : "cannot link body to", target);
    }
  }
  ::unlink(temp_.c_str());
  sync_directory(dir);
  sync_directory(root_);  // the temp name's removal
  return result;
}

BodyArchive::BodyArchive(const std::filesystem::path& data_dir) : root_(data_dir / "bodies") {
  std::filesystem::create_directories(root_);
}

BodyWriter BodyArchive::begin() const {
  // The temp file lives in the archive's root, so the final link never crosses a filesystem.
  std::string pattern = (root_ / (std::string(kTempPrefix) + "XXXXXX")).string();
  const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) fail("cannot create temp body in", root_);
  return BodyWriter(root_, pattern, fd);
}

std::filesystem::path BodyArchive::path_of(std::string_view sha256) const {
  if (!is_sha256_hex(sha256)) {
    throw std::invalid_argument("not a lowercase SHA-256 hex digest: " + std::string(sha256));
  }
  return root_ / sha256.substr(0, 2) / sha256.substr(2);
}

bool BodyArchive::contains(std::string_view sha256) const {
  return is_sha256_hex(sha256) && std::filesystem::is_regular_file(path_of(sha256));
}

std::size_t BodyArchive::remove_temp_files() const {
  std::size_t removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root_)) {
    if (entry.path().filename().string().starts_with(kTempPrefix)) {
      std::filesystem::remove(entry.path());
      ++removed;
    }
  }
  return removed;
}

namespace {

struct ArchivedBody {
  std::filesystem::path path;
  std::filesystem::file_time_type written;
  std::uint64_t size = 0;
};

// Every archived body: only <root>/ab/<62 hex>, never a temp file (in the root itself: a body
// still being received). A body gone meanwhile (another retention run) is skipped.
std::vector<ArchivedBody> archived_bodies(const std::filesystem::path& root) {
  std::vector<ArchivedBody> bodies;
  for (const auto& shard : std::filesystem::directory_iterator(root)) {
    const std::string prefix = shard.path().filename().string();
    if (!shard.is_directory() || prefix.size() != 2) continue;
    for (const auto& body : std::filesystem::directory_iterator(shard.path())) {
      if (!is_sha256_hex(prefix + body.path().filename().string())) continue;
      std::error_code ec;
      const auto written = std::filesystem::last_write_time(body.path(), ec);
      if (ec) continue;
      const auto size = std::filesystem::file_size(body.path(), ec);
      if (ec) continue;
      bodies.push_back({body.path(), written, size});
    }
  }
  return bodies;
}

}  // namespace

std::size_t BodyArchive::remove_older_than(std::filesystem::file_time_type cutoff) const {
  std::size_t removed = 0;
  for (const auto& body : archived_bodies(root_)) {
    std::error_code ec;
    if (body.written < cutoff && std::filesystem::remove(body.path, ec)) ++removed;
  }
  return removed;
}

BodyArchive::Pruned BodyArchive::remove_oldest_beyond(
    std::uint64_t max_bytes, std::filesystem::file_time_type protect_after) const {
  std::vector<ArchivedBody> bodies = archived_bodies(root_);
  std::uint64_t total = 0;
  for (const auto& body : bodies) total += body.size;
  std::sort(bodies.begin(), bodies.end(),
            [](const ArchivedBody& a, const ArchivedBody& b) { return a.written < b.written; });
  Pruned pruned;
  for (const auto& body : bodies) {
    if (total <= max_bytes || body.written >= protect_after) break;
    std::error_code ec;
    if (!std::filesystem::remove(body.path, ec)) continue;
    total -= body.size;
    ++pruned.bodies;
    pruned.bytes += body.size;
  }
  return pruned;
}

}  // namespace opcat::store
