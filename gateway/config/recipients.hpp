// [recipients.<name>]: where consolidated submissions go and how (internal to the config).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "gateway/config/config.hpp"
#include "gateway/config/toml_section.hpp"

namespace opcat::config::detail {

// Reads every [recipients.<name>] table. `config` must already hold [tls] (the default client
// certificate) and the parties (a pull recipient's client_cn must not pass for one of them).
std::map<std::string, Recipient> read_recipients(const Section& root,
                                                 const std::filesystem::path& base,
                                                 const Config& config);

}  // namespace opcat::config::detail
