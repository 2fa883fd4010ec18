// File mode: one export pushed until it gets a final answer or the retries run out.
#pragma once

#include <filesystem>
#include <stop_token>

#include "gateway/push/backoff.hpp"
#include "gateway/push/file_pusher.hpp"

namespace opcat::push {

struct Delivery {
  FilePush push;          // the last attempt
  unsigned attempts = 0;  // 1 + retries made
};

// Pushes `file`; a temporary failure is retried up to `retries` times after the backoff's wait
// (or the gateway's Retry-After), each retry logged as push_retry. The result's verdict is
// retry_later when the retries ran out or a stop was requested. Throws LocalFileError.
Delivery deliver(const FilePusher& pusher, const std::filesystem::path& file, unsigned retries,
                 const Backoff& backoff, std::stop_token stop = {});

}  // namespace opcat::push
