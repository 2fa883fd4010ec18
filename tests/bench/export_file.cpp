#include "tests/bench/export_file.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace opcat::bench {

ExportFile::ExportFile(const std::filesystem::path& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) {
    throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
  }
  buffer_.reserve(kFlushBytes + (std::size_t{64} << 10));
}

ExportFile::~ExportFile() {
  if (file_ != nullptr) std::fclose(file_);
}

void ExportFile::flush() {
  if (buffer_.empty()) return;
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    throw std::runtime_error("cannot write " + path_.string() + ": " + std::strerror(errno));
  }
  written_ += buffer_.size();
  buffer_.clear();
}

void ExportFile::close() {
  flush();
  const int status = std::fclose(file_);
  file_ = nullptr;
  if (status != 0) {
    throw std::runtime_error("cannot write " + path_.string() + ": " + std::strerror(errno));
  }
}

}  // namespace opcat::bench
