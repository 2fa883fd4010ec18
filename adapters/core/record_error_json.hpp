// A RecordError as the one JSON object members see, wherever it is shown: normalise's stderr,
// the golden files, and (issue 4) the push API's error reports.
#pragma once

#include <string>

#include "adapters/core/diagnostics.hpp"

namespace opcat::adapters {

// {"locator","field","source_field","value","code","message"}, on one line, no newline.
std::string to_json(const RecordError& error);

}  // namespace opcat::adapters
