// opcat-gateway version: the gateway's version and the libraries it was built with.
#include <boost/version.hpp>
#include <libxml/xmlversion.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <rapidjson/rapidjson.h>
#include <toml++/toml.h>

#include <iostream>

#include "gateway/cli/commands.hpp"
#include "version.hpp"

namespace opcat::cli {

void add_version(CLI::App& app, int& exit_code) {
  CLI::App* command =
      app.add_subcommand("version", "Print the gateway's version and its libraries' versions");
  command->callback([&exit_code] {
    std::cout << "opcat-gateway " << kVersion << '\n'
              << "  Boost " << BOOST_VERSION / 100000 << '.' << BOOST_VERSION / 100 % 1000 << '.'
              << BOOST_VERSION % 100 << " (Beast, Asio)\n"
              << "  " << OpenSSL_version(OPENSSL_VERSION) << " (built with "
              << OPENSSL_VERSION_TEXT << ")\n"
              << "  RapidJSON " << RAPIDJSON_VERSION_STRING << '\n'
              << "  libxml2 " << LIBXML_DOTTED_VERSION << '\n'
              << "  toml++ " << TOML_LIB_MAJOR << '.' << TOML_LIB_MINOR << '.' << TOML_LIB_PATCH << '\n'
              << "  CLI11 " << CLI11_VERSION << '\n';
    exit_code = kExitOk;
  });
}

}  // namespace opcat::cli
