// Watch mode: the agent runs as a service beside the member's export job, looks at one folder
// every few seconds and pushes each export that has settled, oldest first. An accepted export goes
// to sent/ with its receipt, a rejected one to rejected/ with the reasons (export_filing.hpp).
// An export that could not be delivered stays where it is and is tried again after its own
// backoff, while the others carry on; a gateway outage of any length is waited out.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <vector>

#include "gateway/push/backoff.hpp"
#include "gateway/push/file_pusher.hpp"
#include "gateway/push/ready_files.hpp"

namespace opcat::push {

struct WatchSettings {
  std::filesystem::path dir;
  std::chrono::milliseconds settle{5'000};    // unchanged this long before a file is pushed
  std::chrono::milliseconds interval{2'000};  // between two looks at the folder
};

// What one look at the folder did, by export (their paths in the watch folder).
struct PollReport {
  std::vector<std::filesystem::path> accepted;
  std::vector<std::filesystem::path> rejected;
  std::vector<std::filesystem::path> retrying;
};

class Watcher {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `clock` is injected so that tests decide when the settle time and backoffs have passed.
  Watcher(WatchSettings settings, const FilePusher& pusher, Backoff backoff,
          Clock clock = [] { return std::chrono::steady_clock::now(); });

  // Checks that the folder exists and creates sent/ and rejected/; throws std::runtime_error.
  void prepare() const;

  // One look at the folder: every ready export whose backoff has passed is pushed and filed.
  // Returns early when a stop is requested.
  PollReport poll(std::stop_token stop = {});

  // Looks every interval until a stop is requested; a failing look is logged, never fatal.
  void run(std::stop_token stop);

 private:
  // An export waiting to be tried again. The wait belongs to this version of the file: a file
  // rewritten in the meantime is new content and goes at once (once settled).
  struct Retry {
    unsigned attempts = 0;
    std::chrono::steady_clock::time_point not_before;
    std::uintmax_t size = 0;
    std::filesystem::file_time_type modified;
  };

  bool waiting(const ReadyFile& file, std::chrono::steady_clock::time_point now);
  void schedule_retry(const ReadyFile& file, const PushOutcome& outcome);
  void forget_gone_files();
  // Files one pushed export: true when it is done with (accepted or rejected and moved).
  bool file_outcome(const ReadyFile& file, const FilePush& push, std::stop_token stop,
                    PollReport& report);

  WatchSettings settings_;
  const FilePusher& pusher_;
  Backoff backoff_;
  Clock clock_;
  ReadyFiles ready_files_;
  std::map<std::string, Retry> retries_;  // by file name
};

}  // namespace opcat::push
