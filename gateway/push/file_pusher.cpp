#include "gateway/push/file_pusher.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "adapters/core/sha256.hpp"

namespace opcat::push {
namespace {

constexpr std::string_view kSubmissions = "/v1/submissions";

[[noreturn]] void unreadable(const std::filesystem::path& file, int error) {
  throw LocalFileError(file.string() + ": " + std::strerror(error));
}

class OpenFile {
 public:
  explicit OpenFile(const std::filesystem::path& file)
      : fd_(::open(file.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) unreadable(file, errno);
  }
  ~OpenFile() { ::close(fd_); }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string sha256_of_file(const std::filesystem::path& file) try {
  const OpenFile input(file);
  adapters::Sha256 digest;
  std::array<char, 64 * 1024> buffer;
  for (;;) {
    const ssize_t n = ::read(input.fd(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      unreadable(file, errno);
    }
    if (n == 0) break;
    digest.update({buffer.data(), static_cast<std::size_t>(n)});
  }
  return digest.finish_hex();
} catch (const LocalFileError&) {
  throw;
} catch (const std::runtime_error& e) {
  // Sha256 reports OpenSSL failures as std::runtime_error, but this function's callers catch only
  // LocalFileError: the export is retried or reported undelivered, and the agent carries on.
  throw LocalFileError(e.what());
}

std::string content_type_for(const std::filesystem::path& file) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".csv") return "text/csv";
  if (extension == ".xml") return "application/xml";
  if (extension == ".json") return "application/json";
  if (extension == ".jsonl" || extension == ".ndjson") return "application/x-ndjson";
  return "application/octet-stream";
}

FilePusher::FilePusher(const HttpsClient& gateway, std::optional<std::string> adapter)
    : gateway_(gateway), adapter_(std::move(adapter)) {}

FilePush FilePusher::push(const std::filesystem::path& file, std::stop_token stop) const {
  FilePush result;
  std::error_code ec;
  result.size = std::filesystem::file_size(file, ec);
  if (ec) throw LocalFileError(file.string() + ": " + ec.message());
  result.sha256 = sha256_of_file(file);

  HeaderList headers{{"Idempotency-Key", "sha256:" + result.sha256},
                     {"Content-Type", content_type_for(file)},
                     {"Accept", "application/json"}};
  if (adapter_) headers.emplace_back("X-Adapter", *adapter_);
  result.outcome = classify(gateway_.post_file(kSubmissions, file, headers, std::move(stop)));
  return result;
}

}  // namespace opcat::push
