// The subcommands of opcat-gateway. Each adds itself to the command line and, when chosen, runs
// and leaves the process exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace opcat::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // could not do the work (port busy, unreadable key)
inline constexpr int kExitUsage = 2;    // bad command line or configuration
inline constexpr int kExitSomeRejected = 3;  // some records rejected, the good ones stand
inline constexpr int kExitRejected = 4;      // the input rejected as a whole

void add_serve(CLI::App& app, int& exit_code);
void add_version(CLI::App& app, int& exit_code);
void add_normalise(CLI::App& app, int& exit_code);
void add_validate(CLI::App& app, int& exit_code);
void add_adapters(CLI::App& app, int& exit_code);
void add_push(CLI::App& app, int& exit_code);
void add_inbox(CLI::App& app, int& exit_code);
void add_consolidate(CLI::App& app, int& exit_code);
void add_log(CLI::App& app, int& exit_code);
void add_operators(CLI::App& app, int& exit_code);

}  // namespace opcat::cli
