// Raw bodies as received, kept for audit and replay: content-addressed files under
// <data_dir>/bodies/ab/cdef... (the SHA-256 in hex), written so that a crash never leaves a
// partial body under its final name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace opcat::store {

struct BodyDigest {
  std::string sha256;  // lowercase hex
  std::uint64_t size = 0;
};

// One body being received, streamed chunk by chunk into a temp file while its SHA-256 is
// computed: the body is never held whole in memory. Destroyed without finish(), the temp file
// is removed.
class BodyWriter {
 public:
  ~BodyWriter();
  BodyWriter(BodyWriter&& other) noexcept;
  BodyWriter& operator=(BodyWriter&&) = delete;
  BodyWriter(const BodyWriter&) = delete;
  BodyWriter& operator=(const BodyWriter&) = delete;

  void write(std::string_view chunk);
  // fsyncs the body, moves it to its content address (unless an identical body is already
  // there: that one is kept, only its mtime renewed) and fsyncs the directory.
  // Throws std::system_error.
  BodyDigest finish();

 private:
  friend class BodyArchive;
  struct Digest;
  BodyWriter(std::filesystem::path root, std::filesystem::path temp, int fd);
  void discard() noexcept;

  std::filesystem::path root_;
  std::filesystem::path temp_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::unique_ptr<Digest> digest_;
};

class BodyArchive {
 public:
  // Creates <data_dir>/bodies if needed.
  explicit BodyArchive(const std::filesystem::path& data_dir);

  BodyWriter begin() const;
  std::filesystem::path path_of(std::string_view sha256) const;
  bool contains(std::string_view sha256) const;
  // Removes temp files a crash left behind. Call at start-up, before any writer exists:
  // a temp file of a body still being received would be removed too.
  std::size_t remove_temp_files() const;
  // Retention: removes archived bodies last written (or last received again) before cutoff;
  // temp files of bodies being received are never touched. Returns how many were removed.
  // Not atomic with a writer renewing the same body: one received again in the instant it is
  // judged old may still go, so pick a cutoff no body still being processed can be older than.
  std::size_t remove_older_than(std::filesystem::file_time_type cutoff) const;
  // Retention by size: removes the oldest archived bodies until those left total at most
  // `max_bytes`, but never one written at or after `protect_after` (a body that may still be
  // being processed). Returns how many were removed and how many bytes they held.
  struct Pruned {
    std::size_t bodies = 0;
    std::uint64_t bytes = 0;
  };
  Pruned remove_oldest_beyond(std::uint64_t max_bytes,
                              std::filesystem::file_time_type protect_after) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace opcat::store
