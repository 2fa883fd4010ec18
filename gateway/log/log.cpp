#include "gateway/log/log.hpp"

#include <rapidjson/encodings.h>
#include <rapidjson/stream.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "adapters/core/utf8_text.hpp"

namespace opcat::log {
namespace {

std::atomic<Level> g_min_level{Level::info};
std::mutex g_sink_mutex;
std::function<void(std::string_view)> g_sink;  // guarded by g_sink_mutex

const char* level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

// RFC 3339 UTC with milliseconds: 2026-11-28T15:20:21.123Z
std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  const auto n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(ms));
  return text;
}

}  // namespace

struct Line::Buffer {
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> json{text};
};

void set_min_level(Level level) { g_min_level = level; }

void set_sink(std::function<void(std::string_view line)> sink) {
  std::lock_guard lock(g_sink_mutex);
  g_sink = std::move(sink);
}

Line::Line(Level level, std::string_view event)
    : buffer_(level >= g_min_level.load(std::memory_order_relaxed) ? new Buffer : nullptr) {
  if (!buffer_) return;
  buffer_->json.StartObject();
  field("time", utc_now());
  field("level", level_name(level));
  field("event", event);
}

Line::~Line() {
  if (!buffer_) return;
  buffer_->json.EndObject();
  std::string_view line(buffer_->text.GetString(), buffer_->text.GetSize());
  {
    std::lock_guard lock(g_sink_mutex);
    if (g_sink) {
      g_sink(line);
    } else {
      // One fwrite per line: lines from different threads never interleave.
      std::string out(line);
      out.push_back('\n');
      std::fwrite(out.data(), 1, out.size(), stderr);
      std::fflush(stderr);
    }
  }
  delete buffer_;
}

Line& Line::field(std::string_view key, std::string_view value) {
  if (buffer_) {
    // Log fields carry what clients sent (paths, certificate names).
    const std::string text = adapters::valid_utf8(value);
    buffer_->json.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    buffer_->json.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  }
  return *this;
}

Line& Line::field(std::string_view key, std::int64_t value) {
  if (buffer_) {
    buffer_->json.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    buffer_->json.Int64(value);
  }
  return *this;
}

Line& Line::field(std::string_view key, std::uint64_t value) {
  if (buffer_) {
    buffer_->json.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    buffer_->json.Uint64(value);
  }
  return *this;
}

Line& Line::field(std::string_view key, double value) {
  if (buffer_) {
    buffer_->json.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    buffer_->json.Double(value);
  }
  return *this;
}

Line& Line::field(std::string_view key, bool value) {
  if (buffer_) {
    buffer_->json.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    buffer_->json.Bool(value);
  }
  return *this;
}

}  // namespace opcat::log
