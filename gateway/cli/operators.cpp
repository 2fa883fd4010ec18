// opcat-gateway operators: the console's accounts from the terminal, for the first admin (who
// then manages the others in the console) and for a reset. Works on the store directly, beside
// a serving gateway or not.
//   operators add NAME --role R [--display-name D] [--replace]   the password on stdin
//   operators list
//   operators disable NAME
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "gateway/cli/commands.hpp"
#include "gateway/config/config.hpp"
#include "gateway/http/operators_api.hpp"
#include "gateway/store/sqlite/sqlite_store.hpp"
#include "gateway/store/timestamp.hpp"

namespace opcat::cli {
namespace {

struct OperatorsOptions {
  std::string config;
  std::string data_dir;
  std::string name;
  std::string role = "viewer";
  std::string display_name;
  bool replace = false;
};

std::optional<std::filesystem::path> data_dir(const OperatorsOptions& options) {
  if (!options.data_dir.empty()) return std::filesystem::path(options.data_dir);
  if (options.config.empty()) {
    std::cerr << "opcat-gateway operators: give --config or --data\n";
    return std::nullopt;
  }
  try {
    return config::load(options.config).data_dir;
  } catch (const std::exception& e) {
    std::cerr << "opcat-gateway operators: " << e.what() << '\n';
    return std::nullopt;
  }
}

// One line from stdin: `printf '%s\n' "$password" | opcat-gateway operators add ...`, or typed
// at the prompt (not echoed: the terminal is told so).
std::optional<std::string> read_password() {
  termios saved{};
  const bool terminal = isatty(STDIN_FILENO) != 0 && tcgetattr(STDIN_FILENO, &saved) == 0;
  if (terminal) {
    std::cerr << "Password (at least 12 characters): " << std::flush;
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string password;
  const bool read = static_cast<bool>(std::getline(std::cin, password));
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cerr << '\n';
  }
  if (!read) return std::nullopt;
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

int add(const OperatorsOptions& options) {
  const auto dir = data_dir(options);
  if (!dir) return kExitUsage;
  const auto password = read_password();
  if (!password) {
    std::cerr << "opcat-gateway operators add: no password on stdin\n";
    return kExitUsage;
  }
  std::string problem;
  const auto account =
      http::new_account(options.name, options.display_name, options.role, *password, "cli",
                        store::Clock::now(), problem);
  if (!account) {
    std::cerr << "opcat-gateway operators add: " << problem << '\n';
    return kExitUsage;
  }
  try {
    store::sqlite::SqliteStore store(*dir);
    const bool written = options.replace ? store.replace_operator_account(*account) ||
                                               store.create_operator_account(*account)
                                         : store.create_operator_account(*account);
    if (!written) {
      std::cerr << "opcat-gateway operators add: an account named \"" << account->name
                << "\" exists; --replace sets a new password and role\n";
      return kExitFailure;
    }
  } catch (const std::exception& e) {
    std::cerr << "opcat-gateway operators add: " << e.what() << '\n';
    return kExitFailure;
  }
  std::cout << "console account \"" << account->name << "\" (" << account->role << ") saved\n";
  return kExitOk;
}

int list(const OperatorsOptions& options) {
  const auto dir = data_dir(options);
  if (!dir) return kExitUsage;
  try {
    store::sqlite::SqliteStoreOptions read_only;
    read_only.read_only = true;
    store::sqlite::SqliteStore store(*dir, read_only);
    for (const auto& account : store.list_operator_accounts()) {
      std::cout << account.name << '\t' << account.role << '\t' << account.display_name << '\t'
                << (account.disabled_at ? "disabled " + store::format_utc(*account.disabled_at)
                                        : std::string("enabled"))
                << '\n';
    }
  } catch (const std::exception& e) {
    std::cerr << "opcat-gateway operators list: " << e.what() << '\n';
    return kExitFailure;
  }
  return kExitOk;
}

int disable(const OperatorsOptions& options) {
  const auto dir = data_dir(options);
  if (!dir) return kExitUsage;
  try {
    store::sqlite::SqliteStore store(*dir);
    if (!store.disable_operator_account(options.name, store::Clock::now())) {
      std::cerr << "opcat-gateway operators disable: no enabled account named \"" << options.name
                << "\"\n";
      return kExitFailure;
    }
  } catch (const std::exception& e) {
    std::cerr << "opcat-gateway operators disable: " << e.what() << '\n';
    return kExitFailure;
  }
  // A running gateway re-reads the account on each request of a session: they end at once.
  std::cout << "console account \"" << options.name << "\" disabled\n";
  return kExitOk;
}

void add_location(CLI::App* command, OperatorsOptions& options) {
  command->add_option("--config", options.config, "The gateway's configuration (its data_dir)");
  command->add_option("--data", options.data_dir, "The gateway's data directory");
}

}  // namespace

void add_operators(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<OperatorsOptions>();
  CLI::App* operators =
      app.add_subcommand("operators", "The console's accounts (password sign-in)");
  operators->require_subcommand(1);

  CLI::App* add_command = operators->add_subcommand(
      "add", "Create a console account; the password (12+ characters) is read from stdin");
  add_location(add_command, *options);
  add_command->add_option("name", options->name, "Account name (a-z, 0-9, '.', '_', '-')")
      ->required();
  add_command->add_option("--role", options->role, "viewer, operator or admin (default viewer)");
  add_command->add_option("--display-name", options->display_name, "Name shown in the console");
  add_command->add_flag("--replace", options->replace,
                        "Overwrite an existing account's password, role and name (and enable it)");
  add_command->callback([options, &exit_code] { exit_code = add(*options); });

  CLI::App* list_command = operators->add_subcommand("list", "List the console's accounts");
  add_location(list_command, *options);
  list_command->callback([options, &exit_code] { exit_code = list(*options); });

  CLI::App* disable_command =
      operators->add_subcommand("disable", "Disable a console account (it can no longer sign in)");
  add_location(disable_command, *options);
  disable_command->add_option("name", options->name, "Account name")->required();
  disable_command->callback([options, &exit_code] { exit_code = disable(*options); });
}

}  // namespace opcat::cli
