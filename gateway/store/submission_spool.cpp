#include "gateway/store/submission_spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "gateway/store/store.hpp"

namespace opcat::store {
namespace {

// The spool's own format, read back only by the process that wrote it: an entry is a kind byte
// followed by its fields, each a 4-byte little-endian length and the bytes.
constexpr char kRecord = 'R';
constexpr char kError = 'E';
constexpr std::string_view kFilePrefix = "submission-";
// After the spill, entries are written out in chunks of about this size, and read back so.
constexpr std::size_t kChunk = 64 * 1024;

// A StoreError, not a std::system_error: to the intake a spool that cannot be written is the
// store failing, like the database.
[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  const int error = errno;  // before anything else can change it
  throw StoreError(what + " " + path.string() + ": " + std::generic_category().message(error));
}

// Hands out a spool's bytes in order, from memory or from the spill file, a chunk at a time.
class SpoolSource {
 public:
  explicit SpoolSource(std::string_view memory) : pending_(memory) {}
  SpoolSource(int fd, const std::filesystem::path& file) : fd_(fd), file_(&file) {}

  // Sets out to the next n bytes; false if the spool ends right here (between entries).
  bool take(std::size_t n, std::string& out) {
    out.clear();
    while (out.size() < n) {
      if (pending_.empty() && !fill()) {
        if (out.empty()) return false;
        throw StoreError("the submission spool ends inside an entry");
      }
      const std::size_t part = std::min(n - out.size(), pending_.size());
      out.append(pending_.substr(0, part));
      pending_.remove_prefix(part);
    }
    return true;
  }

  std::string field() {
    std::string bytes;
    if (!take(4, bytes)) throw StoreError("the submission spool ends inside an entry");
    std::uint32_t length = 0;
    for (int i = 3; i >= 0; --i) {
      length = (length << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
    }
    std::string value;
    if (length > 0 && !take(length, value)) {
      throw StoreError("the submission spool ends inside an entry");
    }
    return value;
  }

 private:
  bool fill() {
    if (fd_ < 0) return false;
    chunk_.resize(kChunk);
    ssize_t n = 0;
    do {
      n = ::pread(fd_, chunk_.data(), chunk_.size(), offset_);
    } while (n < 0 && errno == EINTR);
    if (n < 0) fail("cannot read spool file", *file_);
    offset_ += n;
    chunk_.resize(static_cast<std::size_t>(n));
    pending_ = chunk_;
    return n > 0;
  }

  int fd_ = -1;
  const std::filesystem::path* file_ = nullptr;
  off_t offset_ = 0;
  std::string chunk_;
  std::string_view pending_;
};

}  // namespace

SubmissionSpool::SubmissionSpool(std::filesystem::path dir, std::size_t memory_limit)
    : dir_(std::move(dir)), memory_limit_(memory_limit) {}

SubmissionSpool::~SubmissionSpool() { discard(); }

void SubmissionSpool::discard() noexcept {
  if (fd_ >= 0) {
    ::close(std::exchange(fd_, -1));
    ::unlink(file_.c_str());
    file_.clear();
  }
  std::string().swap(buffer_);
}

void SubmissionSpool::add_record(std::string_view record_type, std::string_view record_id,
                                 std::string_view body) {
  if (sealed_) throw std::logic_error("SubmissionSpool::add_record after seal");
  const std::size_t before = buffer_.size();
  buffer_ += kRecord;
  append_field(record_type);
  append_field(record_id);
  append_field(body);
  size_ += buffer_.size() - before;
  entry_added();
}

void SubmissionSpool::add_error(const adapters::RecordError& error) {
  if (sealed_) throw std::logic_error("SubmissionSpool::add_error after seal");
  const std::size_t before = buffer_.size();
  buffer_ += kError;
  for (const std::string* field : {&error.locator, &error.field, &error.source_field, &error.value,
                                   &error.code, &error.message}) {
    append_field(*field);
  }
  size_ += buffer_.size() - before;
  entry_added();
}

void SubmissionSpool::append_field(std::string_view field) {
  if (field.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw StoreError("a record is too large to spool");
  }
  const auto length = static_cast<std::uint32_t>(field.size());
  for (int i = 0; i < 4; ++i) buffer_ += static_cast<char>((length >> (8 * i)) & 0xff);
  buffer_.append(field);
}

void SubmissionSpool::entry_added() {
  if (!spilled()) {
    if (buffer_.size() > memory_limit_) spill();
  } else if (buffer_.size() >= kChunk) {
    write_out();
  }
}

void SubmissionSpool::spill() {
  std::string pattern = (dir_ / (std::string(kFilePrefix) + "XXXXXX")).string();
  const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) fail("cannot create spool file in", dir_);
  fd_ = fd;
  file_ = pattern;
  write_out();
  buffer_.shrink_to_fit();  // from here on memory holds only a chunk
}

void SubmissionSpool::write_out() {
  std::string_view rest = buffer_;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write spool file", file_);
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  buffer_.clear();
}

void SubmissionSpool::seal() {
  if (spilled()) write_out();
  sealed_ = true;
}

void SubmissionSpool::replay(
    const std::function<void(const SpooledRecord&)>& on_record,
    const std::function<void(const adapters::RecordError&)>& on_error) const {
  if (!sealed_) throw std::logic_error("SubmissionSpool::replay before seal");
  SpoolSource source = spilled() ? SpoolSource(fd_, file_) : SpoolSource(buffer_);
  std::string kind;
  while (source.take(1, kind)) {
    if (kind[0] == kRecord) {
      SpooledRecord record;
      record.record_type = source.field();
      record.record_id = source.field();
      record.body = source.field();
      on_record(record);
    } else if (kind[0] == kError) {
      adapters::RecordError error;
      for (std::string* field : {&error.locator, &error.field, &error.source_field, &error.value,
                                 &error.code, &error.message}) {
        *field = source.field();
      }
      on_error(error);
    } else {
      throw StoreError("the submission spool holds an unknown entry");
    }
  }
}

std::size_t SubmissionSpool::remove_leftovers(const std::filesystem::path& dir) {
  std::size_t removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with(kFilePrefix)) {
      std::filesystem::remove(entry.path());
      ++removed;
    }
  }
  return removed;
}

}  // namespace opcat::store
