// Where a submission's records and errors wait while the intake is still reading the export, so
// that nothing is written to the database (and no write lock held) until the verdict is known.
//
// Entries are kept in memory up to a limit, then the spool spills to a temp file and keeps only
// a small write buffer: a large export never sits whole in memory. The file is scratch, not
// durable state: it is never fsync'd (the database commit is what makes a submission durable),
// it is removed when the spool is destroyed, and leftovers of a crash are removed at start-up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "adapters/core/diagnostics.hpp"

namespace opcat::store {

// One accepted record as spooled: its JSON text and what the records table indexes it by.
struct SpooledRecord {
  std::string record_type;
  std::string record_id;  // empty when the record has none
  std::string body;       // compact JSON text
};

class SubmissionSpool {
 public:
  static constexpr std::size_t kDefaultMemoryLimit = std::size_t{4} << 20;

  // A spill file, if one is needed, is created in dir (which must exist).
  SubmissionSpool(std::filesystem::path dir, std::size_t memory_limit);
  ~SubmissionSpool();  // removes the spill file
  SubmissionSpool(const SubmissionSpool&) = delete;
  SubmissionSpool& operator=(const SubmissionSpool&) = delete;

  // Throws StoreError if the spill file cannot be written.
  void add_record(std::string_view record_type, std::string_view record_id, std::string_view body);
  void add_error(const adapters::RecordError& error);

  // Writes out what is still buffered. After it, the spool only reads (replay is const), so it
  // may be replayed on another thread while its owner waits.
  void seal();
  // Everything added, in the order it was added. Only after seal().
  void replay(const std::function<void(const SpooledRecord&)>& on_record,
              const std::function<void(const adapters::RecordError&)>& on_error) const;
  // Gives up the memory and the spill file at once rather than when the spool is destroyed.
  void discard() noexcept;

  std::uint64_t size_bytes() const { return size_; }  // in memory or on disk
  std::size_t bytes_in_memory() const { return buffer_.capacity(); }
  bool spilled() const { return fd_ >= 0; }
  const std::filesystem::path& file() const { return file_; }  // empty unless spilled

  // Removes spill files a crash left in dir; call before any spool exists. Returns how many.
  static std::size_t remove_leftovers(const std::filesystem::path& dir);

 private:
  void append_field(std::string_view field);
  void entry_added();  // spills or writes out the buffer when it has grown enough
  void spill();
  void write_out();

  std::filesystem::path dir_;
  std::size_t memory_limit_;
  // Before the spill: every entry. After it: entries not yet written to the file.
  std::string buffer_;
  std::uint64_t size_ = 0;
  std::filesystem::path file_;
  int fd_ = -1;
  bool sealed_ = false;
};

}  // namespace opcat::store
