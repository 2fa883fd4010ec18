// Operators' console passwords, stored only as scrypt hashes (RFC 7914, OpenSSL's
// implementation): slow and memory-hard, so a stolen database does not give the passwords away
// at the speed of a GPU. The encoding carries its own cost and salt, so the cost can be raised
// later without invalidating the hashes already stored:
//   $scrypt$ln=16,r=8,p=1$<salt, base64>$<32-byte hash, base64>
#pragma once

#include <string>
#include <string_view>

namespace opcat::auth {

struct ScryptCost {
  unsigned log2_n = 16;  // N = 65536: with r = 8, 64 MiB and about a tenth of a second per hash
  unsigned r = 8;
  unsigned p = 1;
};

// A fresh random 16-byte salt each call. Throws std::runtime_error if OpenSSL fails.
std::string hash_password(std::string_view password, ScryptCost cost = {});

// In constant time over the hash. False for a wrong password and for anything that is not a
// hash this module wrote (including costs over 256 MiB or p above 4: a database row must not be able
// to make a login take minutes or gigabytes).
bool verify_password(std::string_view password, std::string_view encoded);

// Passwords an operator may choose: 12 to 1024 bytes. Empty when acceptable, else why not.
std::string password_problem(std::string_view password);

}  // namespace opcat::auth
