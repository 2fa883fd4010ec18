// A generated export being written: buffered appends to a file, so that a 1 GB export is
// streamed to disk and never held in memory. Doubles as a RapidJSON output stream.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace opcat::bench {

class ExportFile {
 public:
  explicit ExportFile(const std::filesystem::path& path);  // throws std::runtime_error
  ~ExportFile();
  ExportFile(const ExportFile&) = delete;
  ExportFile& operator=(const ExportFile&) = delete;

  void write(std::string_view text) {
    buffer_.append(text);
    if (buffer_.size() >= kFlushBytes) flush();
  }
  std::uint64_t bytes() const { return written_ + buffer_.size(); }
  // Flushes and closes; throws std::runtime_error when the disk refused anything.
  void close();

  // RapidJSON's output stream concept.
  using Ch = char;
  void Put(char c) {
    buffer_.push_back(c);
    if (buffer_.size() >= kFlushBytes) flush();
  }
  void Flush() {}

 private:
  static constexpr std::size_t kFlushBytes = std::size_t{1} << 20;
  void flush();

  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  std::uint64_t written_ = 0;
};

// A RapidJSON output stream that only counts: sizes a JSON export before it is written.
class ByteCounter {
 public:
  using Ch = char;
  void Put(char) { ++bytes_; }
  void Flush() {}
  std::uint64_t bytes() const { return bytes_; }

 private:
  std::uint64_t bytes_ = 0;
};

}  // namespace opcat::bench
