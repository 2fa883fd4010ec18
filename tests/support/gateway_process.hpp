// The real opcat-gateway binary serving as a child process: its config written as TOML, and
// the member listener's port read from its "listening" log line.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "tests/support/child_process.hpp"
#include "tests/support/gateway_log.hpp"

namespace opcat::testing {

// A path as a TOML basic string: quoted, with quotes and backslashes escaped.
inline std::string toml_string(const std::filesystem::path& path) {
  std::string quoted = "\"";
  for (const char c : path.string()) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return quoted + "\"";
}

// The member listener's port from the "listening" line; nothing if it never came within `cap`.
inline std::optional<unsigned short> member_port(ChildProcess& gateway,
                                                 std::chrono::milliseconds cap) {
  const auto line = gateway.wait_for_stderr_line(event_is("listening"), cap);
  if (!line) return std::nullopt;
  const auto member = string_field(*line, "member");
  return member ? port_of(*member) : std::nullopt;
}

}  // namespace opcat::testing
