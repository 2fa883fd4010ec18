// One export pushed once: its SHA-256 (the idempotency key), POST /v1/submissions with the file
// streamed as the body, and what the answer means.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>

#include "gateway/push/https_client.hpp"
#include "gateway/push/push_outcome.hpp"

namespace opcat::push {

// The export itself cannot be read (gone, no permission, an I/O error).
class LocalFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// SHA-256 of the file's bytes, read in 64 KiB pieces; lower-case hex. Throws LocalFileError.
std::string sha256_of_file(const std::filesystem::path& file);

// The Content-Type the gateway expects for an export, from its extension (case does not matter).
std::string content_type_for(const std::filesystem::path& file);

struct FilePush {
  std::string sha256;
  std::uint64_t size = 0;
  PushOutcome outcome;
};

class FilePusher {
 public:
  // `adapter`, when set, is sent as X-Adapter: which of the member's mappings reads the export.
  FilePusher(const HttpsClient& gateway, std::optional<std::string> adapter);

  // One attempt, no retry. Throws LocalFileError when the file cannot be read.
  FilePush push(const std::filesystem::path& file, std::stop_token stop = {}) const;

  const HttpsClient& gateway() const { return gateway_; }

 private:
  const HttpsClient& gateway_;
  std::optional<std::string> adapter_;
};

}  // namespace opcat::push
