// Where an export's bytes come from: a file, standard input, or (later) a request body being
// received. Readers pull from it in chunks, so memory never depends on the export's size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace opcat::adapters {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes into `buffer`; returns 0 only at the end. Throws std::runtime_error
  // when the underlying read fails.
  virtual std::size_t read(char* buffer, std::size_t size) = 0;
  // What the source is, for messages ("tests/fixtures/members/icva/visits.csv", "stdin").
  virtual std::string name() const = 0;
};

// A file or standard input ("-"), read with plain read(2) calls.
class FileSource final : public ByteSource {
 public:
  explicit FileSource(const std::filesystem::path& path);  // throws std::runtime_error
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  std::size_t read(char* buffer, std::size_t size) override;
  std::string name() const override { return name_; }

 private:
  int fd_ = -1;
  bool owned_ = false;
  std::string name_;
};

// Bytes held in memory (tests, small bodies).
class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string bytes, std::string name = "input")
      : bytes_(std::move(bytes)), name_(std::move(name)) {}
  std::size_t read(char* buffer, std::size_t size) override;
  std::string name() const override { return name_; }

 private:
  std::string bytes_;
  std::size_t position_ = 0;
  std::string name_;
};

}  // namespace opcat::adapters
