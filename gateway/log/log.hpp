// Structured logging: one JSON object per line on stderr, so operators can grep, jq and ship it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace opcat::log {

enum class Level { debug, info, warn, error };

// Lines below this level are dropped (default: info).
void set_min_level(Level level);
// Sends lines to `sink` instead of stderr (tests); an empty function restores stderr.
void set_sink(std::function<void(std::string_view line)> sink);

// One log line under construction: fields keep the order they are added in and the line is
// written, whole and at once, when the object goes out of scope.
//   log::info("request").field("conn", id).field("status", 200);
class Line {
 public:
  Line(Level level, std::string_view event);
  ~Line();
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;

  Line& field(std::string_view key, std::string_view value);
  Line& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
  Line& field(std::string_view key, const std::string& value) {
    return field(key, std::string_view(value));
  }
  Line& field(std::string_view key, std::int64_t value);
  Line& field(std::string_view key, std::uint64_t value);
  Line& field(std::string_view key, int value) { return field(key, std::int64_t{value}); }
  Line& field(std::string_view key, unsigned value) { return field(key, std::uint64_t{value}); }
  Line& field(std::string_view key, double value);
  Line& field(std::string_view key, bool value);

 private:
  struct Buffer;
  Buffer* buffer_;  // null when the level is filtered out: building the line then costs nothing
};

inline Line debug(std::string_view event) { return Line(Level::debug, event); }
inline Line info(std::string_view event) { return Line(Level::info, event); }
inline Line warn(std::string_view event) { return Line(Level::warn, event); }
inline Line error(std::string_view event) { return Line(Level::error, event); }

}  // namespace opcat::log
