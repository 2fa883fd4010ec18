// The console's files (assets/: the page, its script and its style sheet), compiled into the
// binary by embed_assets.cmake: the gateway serves them without reading anything from disk, and
// a console can never be out of step with the API of the binary that serves it.
#pragma once

#include <span>
#include <string_view>

namespace opcat::console {

struct Asset {
  std::string_view path;          // as served: "/", "/console/app.js"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view bytes;
};

std::span<const Asset> assets();

}  // namespace opcat::console
