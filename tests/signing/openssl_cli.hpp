// The openssl command line in tests: what a member or a recipient would run, so that the
// gateway's signatures are checked by stock OpenSSL and not only by our own verifier.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace opcat::testing {

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr, for failure messages
};

// Runs `openssl <arguments>` through the shell; arguments are quoted here.
CommandResult openssl(const std::vector<std::string>& arguments);

// `openssl cms -verify -binary -inform DER -in signature -content content -CAfile ca -out
// /dev/null`: the command certs/README.md gives members for checking a receipt.
CommandResult openssl_cms_verify(const std::filesystem::path& signature,
                                 const std::filesystem::path& content,
                                 const std::filesystem::path& ca);

void write_file(const std::filesystem::path& path, std::string_view bytes);
std::string read_file(const std::filesystem::path& path);

}  // namespace opcat::testing
