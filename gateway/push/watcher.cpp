#include "gateway/push/watcher.hpp"

#include <stdexcept>
#include <system_error>

#include "gateway/log/log.hpp"
#include "gateway/push/export_filing.hpp"
#include "gateway/push/push_log.hpp"
#include "gateway/push/stoppable_wait.hpp"

namespace opcat::push {

namespace fs = std::filesystem;

Watcher::Watcher(WatchSettings settings, const FilePusher& pusher, Backoff backoff, Clock clock)
    : settings_(std::move(settings)),
      pusher_(pusher),
      backoff_(std::move(backoff)),
      clock_(std::move(clock)),
      ready_files_(settings_.settle) {}

void Watcher::prepare() const {
  std::error_code ec;
  if (!fs::is_directory(settings_.dir, ec)) {
    throw std::runtime_error(settings_.dir.string() + " is not a directory");
  }
  for (std::string_view folder : {kSentFolder, kRejectedFolder}) {
    fs::create_directories(settings_.dir / folder, ec);
    if (ec) throw std::runtime_error("cannot create " + (settings_.dir / folder).string() + ": " + ec.message());
  }
}

bool Watcher::waiting(const ReadyFile& file, std::chrono::steady_clock::time_point now) {
  const auto found = retries_.find(file.path.filename().string());
  if (found == retries_.end()) return false;
  const Retry& retry = found->second;
  if (retry.size != file.size || retry.modified != file.modified) {
    retries_.erase(found);
    return false;
  }
  return now < retry.not_before;
}

void Watcher::schedule_retry(const ReadyFile& file, const PushOutcome& outcome) {
  Retry& retry = retries_[file.path.filename().string()];
  retry.size = file.size;
  retry.modified = file.modified;
  ++retry.attempts;
  const auto delay = backoff_.delay(retry.attempts, outcome.retry_after);
  retry.not_before = clock_() + delay;
  log_retry(file.path, outcome, retry.attempts, delay);
}

void Watcher::forget_gone_files() {
  std::erase_if(retries_, [this](const auto& entry) {
    std::error_code ec;
    return !fs::exists(settings_.dir / entry.first, ec);
  });
}

bool Watcher::file_outcome(const ReadyFile& file, const FilePush& push, std::stop_token stop,
                           PollReport& report) {
  const PushOutcome& outcome = push.outcome;
  try {
    if (outcome.verdict == Verdict::accepted) {
      if (outcome.receipt_signature.empty()) {
        log::warn("receipt_unsigned")
            .field("file", file.path.string())
            .field("note", "the gateway sent no usable Receipt-Signature; no .receipt.p7s written");
      }
      const fs::path moved_to = file_accepted(file.path, push);
      log_accepted(file.path, push, moved_to);
      report.accepted.push_back(file.path);
      return true;
    }
    if (outcome.verdict == Verdict::rejected) {
      const auto moved_to = file_rejected(file.path, push, pusher_.gateway(), stop);
      if (!moved_to) return false;  // stopped while reading the error list: stays for next time
      log_rejected(file.path, push, *moved_to);
      report.rejected.push_back(file.path);
      return true;
    }
  } catch (const std::exception& e) {
    // The disk refused (full, read-only): the export stays, and pushing it again later is safe.
    log::error("push_filing_failed").field("file", file.path.string()).field("reason", e.what());
    PushOutcome later = outcome;
    later.verdict = Verdict::retry_later;
    later.retry_after.reset();
    later.reason = std::string("could not file the answer: ") + e.what();
    schedule_retry(file, later);
    report.retrying.push_back(file.path);
  }
  return false;
}

PollReport Watcher::poll(std::stop_token stop) {
  PollReport report;
  forget_gone_files();
  for (const ReadyFile& file : ready_files_.scan(settings_.dir, clock_())) {
    if (stop.stop_requested()) break;
    if (waiting(file, clock_())) continue;

    FilePush push;
    try {
      push = pusher_.push(file.path, stop);
    } catch (const LocalFileError& e) {
      PushOutcome unreadable;
      unreadable.reason = std::string("cannot read the export: ") + e.what();
      schedule_retry(file, unreadable);
      report.retrying.push_back(file.path);
      continue;
    }
    if (stop.stop_requested()) break;  // abandoned mid-way: the export stays for the next run

    if (push.outcome.verdict == Verdict::retry_later) {
      schedule_retry(file, push.outcome);
      report.retrying.push_back(file.path);
    } else if (file_outcome(file, push, stop, report)) {
      retries_.erase(file.path.filename().string());
    }
  }
  return report;
}

void Watcher::run(std::stop_token stop) {
  log::info("push_watching")
      .field("dir", settings_.dir.string())
      .field("settle_ms", static_cast<std::int64_t>(settings_.settle.count()))
      .field("interval_ms", static_cast<std::int64_t>(settings_.interval.count()));
  while (!stop.stop_requested()) {
    try {
      poll(stop);
    } catch (const std::exception& e) {
      // The folder unreadable for a moment (a remount, permissions being fixed): keep watching.
      log::error("watch_failed").field("dir", settings_.dir.string()).field("reason", e.what());
    }
    wait_unless_stopped(settings_.interval, stop);
  }
  log::info("push_stopped").field("dir", settings_.dir.string());
}

}  // namespace opcat::push
