#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace opcat::testing {
namespace {

using clock = std::chrono::steady_clock;

std::runtime_error system_error(const std::string& what, int error) {
  return std::runtime_error(what + ": " + std::strerror(error));
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::chrono::milliseconds left_until(clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()));
}

// posix_spawn's resources, released on every path out of the constructor.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args,
                           const std::vector<std::string>& unset_env) {
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  // Close-on-exec: only the dup2'd copies (fds 1 and 2) reach the child, so EOF on our read end
  // means the child is gone, and no other child inherits these pipes.
  if (::pipe2(out, O_CLOEXEC) != 0) throw system_error("pipe2", errno);
  if (::pipe2(err, O_CLOEXEC) != 0) {
    const int error = errno;
    ::close(out[0]);
    ::close(out[1]);
    throw system_error("pipe2", error);
  }

  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, err[1], STDERR_FILENO);
  // Whatever the test runner blocks or ignores, the child sees signals as a shell would start it.
  sigset_t empty;
  sigemptyset(&empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (const int s : {SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&setup.attributes, &empty);
  posix_spawnattr_setsigdefault(&setup.attributes, &defaults);
  posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> argv_text{program};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_text;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view variable(*entry);
    const auto name = variable.substr(0, variable.find('='));
    if (std::find(unset_env.begin(), unset_env.end(), name) == unset_env.end()) {
      env_text.emplace_back(variable);
    }
  }
  std::vector<char*> envp;
  for (auto& variable : env_text) envp.push_back(variable.data());
  envp.push_back(nullptr);

  const int spawned = ::posix_spawn(&pid_, program.c_str(), &setup.actions, &setup.attributes,
                                    argv.data(), envp.data());
  ::close(out[1]);
  ::close(err[1]);
  out_.fd = out[0];
  err_.fd = err[0];
  if (spawned != 0) {
    close_fd(out_.fd);
    close_fd(err_.fd);
    pid_ = -1;
    reaped_ = true;
    throw system_error("posix_spawn " + program, spawned);
  }
}

ChildProcess::~ChildProcess() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  close_fd(out_.fd);
  close_fd(err_.fd);
}

bool ChildProcess::signal(int signal_number) {
  if (reaped_) return false;
  return ::kill(pid_, signal_number) == 0;
}

void ChildProcess::pump(std::chrono::milliseconds timeout) {
  pollfd fds[2];
  Pipe* pipes[2];
  nfds_t count = 0;
  for (Pipe* pipe : {&out_, &err_}) {
    if (pipe->fd < 0) continue;
    fds[count] = pollfd{pipe->fd, POLLIN, 0};
    pipes[count] = pipe;
    ++count;
  }
  if (count == 0) return;
  const int ready = ::poll(fds, count, static_cast<int>(timeout.count()));
  if (ready <= 0) return;  // timeout, or EINTR: the caller loops until its deadline
  for (nfds_t i = 0; i < count; ++i) {
    if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    char buffer[8192];
    const ssize_t n = ::read(pipes[i]->fd, buffer, sizeof buffer);
    if (n > 0) {
      pipes[i]->text.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      close_fd(pipes[i]->fd);  // EOF: the child closed its end (exited)
    }
  }
}

std::vector<std::string> ChildProcess::stderr_lines() const {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = err_.text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(err_.text.substr(start, end - start));
  }
  return lines;
}

std::optional<std::string> ChildProcess::wait_for_stderr_line(
    const std::function<bool(std::string_view line)>& accept, std::chrono::milliseconds cap) {
  const auto deadline = clock::now() + cap;
  std::size_t checked = 0;  // complete lines already looked at
  while (true) {
    const auto lines = stderr_lines();
    for (; checked < lines.size(); ++checked) {
      if (accept(lines[checked])) return lines[checked];
    }
    if (err_.fd < 0 || clock::now() >= deadline) return std::nullopt;
    pump(left_until(deadline));
  }
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds cap) {
  const auto deadline = clock::now() + cap;
  while (!reaped_) {
    const pid_t done = ::waitpid(pid_, &status_, WNOHANG);
    if (done == pid_) {
      reaped_ = true;
      break;
    }
    if (done < 0 && errno != EINTR) throw system_error("waitpid", errno);
    if (clock::now() >= deadline) return std::nullopt;
    if (pipes_open()) {
      // Output, or EOF when the child exits, ends the poll early.
      pump(std::min(left_until(deadline), std::chrono::milliseconds(50)));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // exited, not yet reapable
    }
  }
  // The child has exited: what is left in the pipes is all there will ever be. Bounded all the
  // same, in case something it started still holds a pipe open.
  const auto drained_by = clock::now() + std::chrono::seconds(5);
  while (pipes_open() && clock::now() < drained_by) pump(left_until(drained_by));
  return status_;
}

}  // namespace opcat::testing
