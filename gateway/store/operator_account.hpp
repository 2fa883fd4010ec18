// Who may log in to the operator console, with which role: kept in the store so that every
// gateway sharing a database knows the same operators.
#pragma once

#include <optional>
#include <string>

#include "gateway/store/submission.hpp"

namespace opcat::store {

struct OperatorAccount {
  std::string name;  // login name, [a-z0-9_.-]{1,64} (validated by the caller)
  std::string display_name;
  std::string role;           // "viewer", "operator" or "admin" (the schema's CHECK refuses others)
  std::string password_hash;  // an encoded scrypt hash, never a password
  Clock::time_point created_at;
  std::string created_by;  // "cli" or "operator:<name>"
  // Set: the account cannot log in. Disabled rather than deleted, so the name stays taken and
  // the transfer log's "operator:<name>" keeps meaning one person.
  std::optional<Clock::time_point> disabled_at;
};

}  // namespace opcat::store
