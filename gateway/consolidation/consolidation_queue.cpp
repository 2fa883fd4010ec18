#include "gateway/consolidation/consolidation_queue.hpp"

#include <algorithm>
#include <cstdio>

#include "gateway/log/log.hpp"
#include "gateway/store/submission_id.hpp"

namespace opcat::consolidation {
namespace {

using SysClock = std::chrono::system_clock;

std::string iso_day(SysClock::time_point time) {
  const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(time)};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return text;
}

}  // namespace

const char* to_string(JobState state) {
  switch (state) {
    case JobState::queued: return "queued";
    case JobState::running: return "running";
    case JobState::done: return "done";
    case JobState::failed: return "failed";
  }
  return "unknown";
}

std::string new_consolidation_id() { return store::new_id("con_"); }

SysClock::time_point ConsolidationQueue::next_run(const config::DailySchedule& schedule,
                                                   SysClock::time_point after) {
  const auto day = std::chrono::floor<std::chrono::days>(after);
  auto candidate = day + std::chrono::hours(schedule.hour) + std::chrono::minutes(schedule.minute);
  if (candidate <= after) candidate += std::chrono::days(1);
  return std::chrono::time_point_cast<SysClock::duration>(candidate);
}

ConsolidationQueue::ConsolidationQueue(Work work, Options options)
    : work_(std::move(work)), options_(std::move(options)) {
  const auto now = options_.now();
  for (const auto& [recipient, schedule] : options_.schedules) {
    next_runs_[recipient] = next_run(schedule, now);
  }
}

ConsolidationQueue::~ConsolidationQueue() { stop(); }

void ConsolidationQueue::start() {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void ConsolidationQueue::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
}

const ConsolidationJob* ConsolidationQueue::waiting_like(const ConsolidationRequest& request) const {
  for (const std::string& id : pending_) {
    const ConsolidationJob& job = jobs_.at(id);
    if (job.request.recipient == request.recipient &&
        job.request.period.to_string() == request.period.to_string()) {
      return &job;
    }
  }
  return nullptr;
}

ConsolidationJob ConsolidationQueue::submit(ConsolidationRequest request) {
  ConsolidationJob queued;
  queued.id = new_consolidation_id();
  queued.request = std::move(request);
  queued.requested_at = options_.now();
  {
    std::lock_guard lock(mutex_);
    if (const ConsolidationJob* same = waiting_like(queued.request)) return *same;
    if (pending_.size() >= options_.max_queued) {
      throw QueueFull(std::to_string(pending_.size()) + " consolidations are waiting already");
    }
    jobs_[queued.id] = queued;
    order_.push_back(queued.id);
    pending_.push_back(queued.id);
    forget_old();
  }
  log::info("consolidation_queued")
      .field("consolidation_id", queued.id)
      .field("recipient", queued.request.recipient)
      .field("period", queued.request.period.to_string())
      .field("requested_by", queued.request.requested_by);
  wake_.notify_all();
  return queued;
}

std::optional<ConsolidationJob> ConsolidationQueue::get(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const auto found = jobs_.find(id);
  if (found == jobs_.end()) return std::nullopt;
  return found->second;
}

std::vector<ConsolidationJob> ConsolidationQueue::list(std::size_t limit) const {
  std::lock_guard lock(mutex_);
  std::vector<ConsolidationJob> newest_first;
  for (auto id = order_.rbegin(); id != order_.rend() && newest_first.size() < limit; ++id) {
    newest_first.push_back(jobs_.at(*id));
  }
  return newest_first;
}

ConsolidationJob& ConsolidationQueue::job(const std::string& id) { return jobs_.at(id); }

void ConsolidationQueue::forget_old() {
  // Only finished jobs are forgotten: a queued or running one must stay visible.
  while (order_.size() > options_.kept) {
    const auto finished = std::find_if(order_.begin(), order_.end(), [this](const std::string& id) {
      const JobState state = jobs_.at(id).state;
      return state == JobState::done || state == JobState::failed;
    });
    if (finished == order_.end()) return;
    jobs_.erase(*finished);
    order_.erase(finished);
  }
}

void ConsolidationQueue::queue_scheduled(SysClock::time_point now) {
  for (auto& [recipient, next] : next_runs_) {
    if (next > now) continue;
    next = next_run(options_.schedules.at(recipient), now);
    ConsolidationJob queued;
    queued.id = new_consolidation_id();
    queued.request = {.recipient = recipient,
                      .period = npm_year_containing(iso_day(now - std::chrono::days(1))),
                      .requested_by = "schedule"};
    if (waiting_like(queued.request) != nullptr) continue;
    queued.requested_at = now;
    jobs_[queued.id] = queued;
    order_.push_back(queued.id);
    pending_.push_back(queued.id);
    log::info("consolidation_scheduled")
        .field("consolidation_id", queued.id)
        .field("recipient", recipient)
        .field("period", queued.request.period.to_string());
  }
  forget_old();
}

void ConsolidationQueue::run(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    queue_scheduled(options_.now());
    if (pending_.empty()) {
      // Asleep until a submit, a stop, or the earliest scheduled run.
      auto until = SysClock::time_point::max();
      for (const auto& [recipient, next] : next_runs_) until = std::min(until, next);
      const auto predicate = [this] { return !pending_.empty(); };
      if (until == SysClock::time_point::max()) {
        wake_.wait(lock, stop, predicate);
      } else {
        const auto wait = std::min<SysClock::duration>(until - options_.now(), options_.max_sleep);
        wake_.wait_for(lock, stop, std::max<SysClock::duration>(wait, SysClock::duration::zero()),
                       predicate);
      }
      continue;
    }
    const std::string id = pending_.front();
    pending_.pop_front();
    ConsolidationJob& running = job(id);
    running.state = JobState::running;
    const ConsolidationRequest request = running.request;
    lock.unlock();

    ConsolidationJob finished;
    try {
      ConsolidationOutcome outcome = work_(request);
      finished.state = JobState::done;
      finished.summary = std::move(outcome.summary);
      finished.delivery_id = std::move(outcome.delivery_id);
      log::info("consolidation_done")
          .field("consolidation_id", id)
          .field("recipient", request.recipient)
          .field("period", request.period.to_string())
          .field("delivery_id", finished.delivery_id)
          .field("bytes", finished.summary->bytes)
          .field("visits", finished.summary->visits)
          .field("submissions", finished.summary->submissions);
    } catch (const std::exception& e) {
      finished.state = JobState::failed;
      finished.error = e.what();
      log::error("consolidation_failed")
          .field("consolidation_id", id)
          .field("recipient", request.recipient)
          .field("period", request.period.to_string())
          .field("reason", e.what());
    }

    lock.lock();
    ConsolidationJob& done = job(id);
    done.state = finished.state;
    done.finished_at = options_.now();
    done.summary = std::move(finished.summary);
    done.delivery_id = std::move(finished.delivery_id);
    done.error = std::move(finished.error);
    forget_old();
  }
}

}  // namespace opcat::consolidation
