// The agent's log lines about one export, the same in file and watch mode, so that an operator's
// query for "push_rejected" finds both.
#pragma once

#include <chrono>
#include <filesystem>

#include "gateway/push/file_pusher.hpp"

namespace opcat::push {

// push_accepted: file, sha256, size, http_status, submission_id, status, records, [moved_to].
void log_accepted(const std::filesystem::path& file, const FilePush& push,
                  const std::filesystem::path& moved_to = {});
// push_rejected: file, sha256, http_status, reason, [moved_to].
void log_rejected(const std::filesystem::path& file, const FilePush& push,
                  const std::filesystem::path& moved_to = {});
// push_retry: file, attempt (the retry about to be made), delay_ms, reason, http_status.
void log_retry(const std::filesystem::path& file, const PushOutcome& outcome, unsigned attempt,
               std::chrono::milliseconds delay);

}  // namespace opcat::push
