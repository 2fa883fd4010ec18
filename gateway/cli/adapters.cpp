// opcat-gateway adapters: which members have a mapping, with which reader and version.
#include <iomanip>
#include <iostream>

#include "adapters/mapping/catalogue.hpp"
#include "adapters/readers/registry.hpp"
#include "gateway/cli/commands.hpp"

namespace opcat::cli {

void add_adapters(CLI::App& app, int& exit_code) {
  auto dir = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "adapters", "List the members' mappings (adapters/members/*.toml) and the readers they use; "
                  "every mapping file is validated on the way");
  command->add_option("--mappings", *dir, "Folder of mapping files (default: OPCAT_ADAPTERS_DIR or adapters/members)");
  command->callback([dir, &exit_code] {
    try {
      const auto catalogue =
          adapters::MappingCatalogue::load(dir->empty() ? adapters::default_mappings_dir() : std::filesystem::path(*dir));
      std::cout << std::left << std::setw(11) << "member" << std::setw(10) << "adapter" << std::setw(7)
                << "reader" << std::setw(9) << "version" << "description\n";
      for (const auto& mapping : catalogue.all()) {
        std::cout << std::setw(11) << mapping.member << std::setw(10) << mapping.name << std::setw(7)
                  << mapping.reader << std::setw(9) << mapping.version << mapping.description << '\n';
      }
      std::cout << "\nreaders:\n";
      for (const auto& kind : adapters::reader_kinds()) {
        std::cout << "  " << std::setw(6) << kind.name << kind.summary << '\n';
      }
      exit_code = kExitOk;
    } catch (const std::exception& e) {
      std::cerr << "opcat-gateway adapters: " << e.what() << '\n';
      exit_code = kExitUsage;
    }
  });
}

}  // namespace opcat::cli
