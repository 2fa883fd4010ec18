// opcat-gateway: one program, one subcommand per job. This file only dispatches.
#include <CLI/CLI.hpp>

#include <iostream>

#include "gateway/cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "OPCAT Gateway: takes member inspectorates' exports over mutual TLS, normalises them and "
      "forwards signed, consolidated submissions to the UK NPM Secretariat and the UN SPT.",
      "opcat-gateway"};
  // Not require_subcommand(1): CLI11 would then answer "a subcommand is required" to a mistyped
  // one, instead of naming the word it did not expect.
  app.require_subcommand(0, 1);
  app.set_help_all_flag("--help-all", "Show the help of every subcommand");

  int exit_code = opcat::cli::kExitOk;
  opcat::cli::add_serve(app, exit_code);
  opcat::cli::add_version(app, exit_code);
  opcat::cli::add_normalise(app, exit_code);
  opcat::cli::add_validate(app, exit_code);
  opcat::cli::add_adapters(app, exit_code);
  opcat::cli::add_push(app, exit_code);
  opcat::cli::add_inbox(app, exit_code);
  opcat::cli::add_consolidate(app, exit_code);
  opcat::cli::add_log(app, exit_code);
  opcat::cli::add_operators(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int printed = app.exit(e);
    return printed == 0 ? 0 : opcat::cli::kExitUsage;
  }
  if (app.get_subcommands().empty()) {
    std::cerr << app.help() << "\nopcat-gateway: name a subcommand\n";
    return opcat::cli::kExitUsage;
  }
  return exit_code;
}
