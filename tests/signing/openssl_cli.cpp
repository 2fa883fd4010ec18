#include "tests/signing/openssl_cli.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace opcat::testing {
namespace {

std::string shell_quote(const std::string& word) {
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

struct PipeCloser {
  void operator()(FILE* pipe) const noexcept { pclose(pipe); }
};

}  // namespace

CommandResult openssl(const std::vector<std::string>& arguments) {
  std::string command = "openssl";
  for (const std::string& argument : arguments) command += " " + shell_quote(argument);
  std::unique_ptr<FILE, PipeCloser> pipe{popen((command + " 2>&1").c_str(), "r")};
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string output;
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe.get())) {
    output.append(buffer, n);
  }
  const int status = pclose(pipe.release());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, command + "\n" + output};
}

CommandResult openssl_cms_verify(const std::filesystem::path& signature,
                                 const std::filesystem::path& content,
                                 const std::filesystem::path& ca) {
  return openssl({"cms", "-verify", "-binary", "-inform", "DER", "-in", signature.string(),
                  "-content", content.string(), "-CAfile", ca.string(), "-out", "/dev/null"});
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace opcat::testing
