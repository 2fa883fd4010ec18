// Console accounts, managed by admins (docs/console.md). Operators with client certificates
// are in the config file; these are the people who sign in to the console with a password.
#pragma once

#include <functional>

#include "gateway/auth/browser_sessions.hpp"
#include "gateway/http/router.hpp"
#include "gateway/store/store.hpp"

namespace opcat::http {

struct ConsoleAccounts {
  store::Store& store;
  auth::BrowserSessions& sessions;  // a disabled account's sessions end at once
  std::function<store::Clock::time_point()> now;
};

// Adds to `router` (admin role only):
//   GET    /v1/operators          every account (never a password hash)
//   POST   /v1/operators          {"name","display_name","role","password"} -> 201; 409 if taken
//   DELETE /v1/operators/{name}   disables the account and ends its sessions -> 200
void add_operators_routes(Router& router, ConsoleAccounts accounts);

// Account names: what an operator types to sign in and what logs show.
bool valid_account_name(std::string_view name);

// A new account, its password hashed; nullopt with `problem` set when a field is not acceptable.
std::optional<store::OperatorAccount> new_account(const std::string& name,
                                                  const std::string& display_name,
                                                  const std::string& role,
                                                  const std::string& password,
                                                  const std::string& created_by,
                                                  store::Clock::time_point now,
                                                  std::string& problem);

}  // namespace opcat::http
