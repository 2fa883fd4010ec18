#include "gateway/push/push_log.hpp"

#include "gateway/log/log.hpp"
#include "gateway/push/receipt.hpp"

namespace opcat::push {

void log_accepted(const std::filesystem::path& file, const FilePush& push,
                  const std::filesystem::path& moved_to) {
  auto line = log::info("push_accepted");
  line.field("file", file.string())
      .field("sha256", push.sha256)
      .field("size", push.size)
      .field("http_status", push.outcome.http_status)
      .field("already_accepted", push.outcome.already_accepted);
  if (auto receipt = read_receipt(push.outcome.body)) {
    line.field("submission_id", receipt->submission_id)
        .field("status", receipt->status)
        .field("records_accepted", receipt->records_accepted)
        .field("records_rejected", receipt->records_rejected);
  }
  if (!moved_to.empty()) line.field("moved_to", moved_to.string());
}

void log_rejected(const std::filesystem::path& file, const FilePush& push,
                  const std::filesystem::path& moved_to) {
  auto line = log::error("push_rejected");
  line.field("file", file.string())
      .field("sha256", push.sha256)
      .field("http_status", push.outcome.http_status)
      .field("reason", push.outcome.reason);
  if (auto receipt = read_receipt(push.outcome.body); receipt && !receipt->submission_id.empty()) {
    line.field("submission_id", receipt->submission_id);
  }
  if (!moved_to.empty()) line.field("moved_to", moved_to.string());
}

void log_retry(const std::filesystem::path& file, const PushOutcome& outcome, unsigned attempt,
               std::chrono::milliseconds delay) {
  log::warn("push_retry")
      .field("file", file.string())
      .field("attempt", attempt)
      .field("delay_ms", static_cast<std::int64_t>(delay.count()))
      .field("reason", outcome.reason)
      .field("http_status", outcome.http_status);
}

}  // namespace opcat::push
