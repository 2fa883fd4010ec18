// A program run as a child process by a test: stdout and stderr on pipes read with poll(), every
// wait bounded by a cap, and the child always killed and reaped when the object goes away, so no
// process outlives the test that started it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opcat::testing {

class ChildProcess {
 public:
  // Starts `program` with `args` (argv[1...]): stdin from /dev/null, default signal dispositions
  // and an empty signal mask, the test's environment without the variables named in `unset_env`.
  // Throws std::runtime_error if it cannot be started.
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::vector<std::string>& unset_env = {});
  // SIGKILL and waitpid if the child has not been reaped yet.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // kill(2); false if the child is already reaped.
  bool signal(int signal_number);

  // The first complete stderr line (newline stripped) for which `accept` is true, including lines
  // read earlier; reads more until one comes, the child closes stderr, or `cap` passes.
  std::optional<std::string> wait_for_stderr_line(
      const std::function<bool(std::string_view line)>& accept, std::chrono::milliseconds cap);

  // Waits for the child to exit, reading its output meanwhile (so it never blocks on a full
  // pipe); the raw wait status, or nothing if `cap` passed first.
  std::optional<int> wait_exit(std::chrono::milliseconds cap);

  const std::string& stdout_text() const { return out_.text; }
  const std::string& stderr_text() const { return err_.text; }
  // Complete stderr lines read so far.
  std::vector<std::string> stderr_lines() const;

 private:
  struct Pipe {
    int fd = -1;
    std::string text;
  };
  // One poll() over the open pipes for at most `timeout`; reads whatever is there.
  void pump(std::chrono::milliseconds timeout);
  bool pipes_open() const { return out_.fd >= 0 || err_.fd >= 0; }

  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  Pipe out_;
  Pipe err_;
};

}  // namespace opcat::testing
