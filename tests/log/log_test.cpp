// The JSON log lines: shape, field order, escaping, UTF-8 repair, level filtering, sinks.
// Every line is parsed with RapidJSON, validating UTF-8, as a log shipper would.
#include "gateway/log/log.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <limits>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_pki.hpp"

namespace opcat::log {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

// Sends every line to a vector for the life of the object, then gives stderr and the default
// level (info) back, whatever the test did in between.
class CapturedLines {
 public:
  explicit CapturedLines(Level min_level = Level::debug) {
    set_min_level(min_level);
    set_sink([this](std::string_view line) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    });
  }
  ~CapturedLines() {
    set_sink(nullptr);
    set_min_level(Level::info);
  }
  CapturedLines(const CapturedLines&) = delete;
  CapturedLines& operator=(const CapturedLines&) = delete;

  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

  // The only line captured so far; a test failure (and "") when there is not exactly one.
  std::string only_line() const {
    const auto all = lines();
    if (all.size() != 1) {
      ADD_FAILURE() << "expected one line, got " << all.size();
      return {};
    }
    return all.front();
  }

  std::vector<std::string> events() const {
    std::vector<std::string> names;
    for (const auto& line : lines()) {
      rapidjson::Document document;
      document.Parse(line.data(), line.size());
      names.push_back(document.IsObject() && document.HasMember("event") &&
                              document["event"].IsString()
                          ? document["event"].GetString()
                          : "<not a log line>");
    }
    return names;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

// Parses a line strictly: one JSON object, valid UTF-8, nothing after it.
::testing::AssertionResult parses(const std::string& line, rapidjson::Document& document) {
  document.Parse<rapidjson::kParseValidateEncodingFlag>(line.data(), line.size());
  if (document.HasParseError()) {
    return ::testing::AssertionFailure()
           << "not valid JSON (" << rapidjson::GetParseError_En(document.GetParseError())
           << " at byte " << document.GetErrorOffset() << "): " << line;
  }
  if (!document.IsObject()) return ::testing::AssertionFailure() << "not an object: " << line;
  return ::testing::AssertionSuccess();
}

std::vector<std::string> member_names(const rapidjson::Value& object) {
  std::vector<std::string> names;
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    names.emplace_back(it->name.GetString(), it->name.GetStringLength());
  }
  return names;
}

std::string string_field(const rapidjson::Document& document, const char* name) {
  if (!document.HasMember(name) || !document[name].IsString()) {
    ADD_FAILURE() << "no string field \"" << name << '"';
    return {};
  }
  return {document[name].GetString(), document[name].GetStringLength()};
}

// The value of field "v" after a round trip through a log line.
std::string logged_value(std::string_view value) {
  CapturedLines captured;
  info("value").field("v", value);
  const std::string line = captured.only_line();
  rapidjson::Document document;
  EXPECT_TRUE(parses(line, document));
  return document.IsObject() ? string_field(document, "v") : std::string();
}

constexpr const char* kReplacement = "\xef\xbf\xbd";  // U+FFFD in UTF-8

TEST(LogTest, LineIsOneObjectWithTimeLevelEventThenFieldsInOrder) {
  CapturedLines captured;
  info("request")
      .field("listener", "member")
      .field("conn", 7)
      .field("status", 200u)
      .field("member", std::string("hmip"))
      .field("tls13", true)
      .field("ratio", 0.5)
      .field("bytes_out", std::numeric_limits<std::uint64_t>::max())
      .field("offset", std::numeric_limits<std::int64_t>::min())
      .field("a_last", std::string_view("z"));
  const std::string line = captured.only_line();
  EXPECT_THAT(line, Not(HasSubstr("\n")));  // the sink gets the line without its newline
  EXPECT_EQ(line.back(), '}');

  rapidjson::Document document;
  ASSERT_TRUE(parses(line, document));
  EXPECT_THAT(member_names(document),
              ElementsAre("time", "level", "event", "listener", "conn", "status", "member", "tls13",
                          "ratio", "bytes_out", "offset", "a_last"));
  EXPECT_EQ(string_field(document, "level"), "info");
  EXPECT_EQ(string_field(document, "event"), "request");
  EXPECT_EQ(string_field(document, "listener"), "member");
  ASSERT_TRUE(document["conn"].IsInt64());
  EXPECT_EQ(document["conn"].GetInt64(), 7);
  ASSERT_TRUE(document["status"].IsUint64());
  EXPECT_EQ(document["status"].GetUint64(), 200u);
  EXPECT_EQ(string_field(document, "member"), "hmip");
  ASSERT_TRUE(document["tls13"].IsBool());
  EXPECT_TRUE(document["tls13"].GetBool());
  ASSERT_TRUE(document["ratio"].IsDouble());
  EXPECT_EQ(document["ratio"].GetDouble(), 0.5);
  ASSERT_TRUE(document["bytes_out"].IsUint64());
  EXPECT_EQ(document["bytes_out"].GetUint64(), std::numeric_limits<std::uint64_t>::max());
  ASSERT_TRUE(document["offset"].IsInt64());
  EXPECT_EQ(document["offset"].GetInt64(), std::numeric_limits<std::int64_t>::min());
}

TEST(LogTest, LineWithoutFieldsHasOnlyTimeLevelEvent) {
  CapturedLines captured;
  warn("stopped");
  rapidjson::Document document;
  ASSERT_TRUE(parses(captured.only_line(), document));
  EXPECT_THAT(member_names(document), ElementsAre("time", "level", "event"));
  EXPECT_EQ(string_field(document, "level"), "warn");
  EXPECT_EQ(string_field(document, "event"), "stopped");
}

TEST(LogTest, TimeIsRfc3339UtcWithMillisecondsAndIsNow) {
  using namespace std::chrono;
  CapturedLines captured;
  const auto before = floor<milliseconds>(system_clock::now());
  info("tick");
  const auto after = system_clock::now();

  rapidjson::Document document;
  ASSERT_TRUE(parses(captured.only_line(), document));
  const std::string time = string_field(document, "time");
  ASSERT_THAT(time,
              MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z"));

  std::tm tm{};
  std::istringstream text(time);
  text >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  ASSERT_FALSE(text.fail()) << time;
  const auto logged =
      system_clock::from_time_t(timegm(&tm)) + milliseconds(std::stoi(time.substr(20, 3)));
  // Truncated to the millisecond, so never before the millisecond the call started in.
  EXPECT_GE(logged, before) << time;
  EXPECT_LE(logged, after) << time;
}

TEST(LogTest, EveryLevelIsNamed) {
  CapturedLines captured;
  debug("a");
  info("b");
  warn("c");
  error("d");
  std::vector<std::string> levels;
  for (const auto& line : captured.lines()) {
    rapidjson::Document document;
    ASSERT_TRUE(parses(line, document));
    levels.push_back(string_field(document, "level"));
  }
  EXPECT_THAT(levels, ElementsAre("debug", "info", "warn", "error"));
}

TEST(LogTest, StringsAreEscaped) {
  const std::string nasty =
      "say \"hi\" \\ path C:\\x\nsecond line\r\tend \x01\x1f\x7f </script> {\"event\":\"forged\"}";
  CapturedLines captured;
  info("escaping").field("v", nasty);
  const std::string line = captured.only_line();
  for (const char c : line) {
    EXPECT_GE(static_cast<unsigned char>(c), 0x20u) << "a raw control character in " << line;
  }
  EXPECT_THAT(line, HasSubstr(R"(say \"hi\" \\ path)"));
  EXPECT_THAT(line, HasSubstr(R"(C:\\x\nsecond line\r\tend)"));

  rapidjson::Document document;
  ASSERT_TRUE(parses(line, document));
  EXPECT_EQ(string_field(document, "v"), nasty);
  EXPECT_EQ(string_field(document, "event"), "escaping");  // the forged one stayed inside "v"
  EXPECT_EQ(document.MemberCount(), 4u);
}

TEST(LogTest, ValidUtf8IsKeptAsIs) {
  for (const std::string& text : {std::string("Arolygiaeth Gofal Iechyd Cymru \xc5\xb5"),
                                  std::string("\xe2\x82\xac 100"),         // euro sign, 3 bytes
                                  std::string("\xf0\x9f\x94\x92 locked"),  // U+1F512, 4 bytes
                                  std::string("\xef\xbf\xbd"),             // U+FFFD itself
                                  std::string("\xf4\x8f\xbf\xbf")}) {      // U+10FFFF, the last
    SCOPED_TRACE(text);
    EXPECT_EQ(logged_value(text), text);
  }
}

TEST(LogTest, InvalidUtf8BytesBecomeReplacementCharacters) {
  const std::string r = kReplacement;
  struct Case {
    std::string in;
    std::string out;
  };
  for (const Case& c : {
           Case{"\xff", r},
           Case{"a\xfe"
                "b",
                "a" + r + "b"},
           Case{"/v1/\x80x", "/v1/" + r + "x"},  // lone continuation byte
           Case{"\xc0\xaf", r + r},              // overlong '/'
           Case{"\xc1\xbf", r + r},              // overlong, 2 bytes
           Case{"ok \xc5", "ok " + r},           // cut at the end
           Case{"\xc5z", r + "z"},               // missing continuation
           Case{"\xe2\x82z", r + r + "z"},       // 3-byte, one short
       }) {
    SCOPED_TRACE(::testing::PrintToString(c.in));
    EXPECT_EQ(logged_value(c.in), c.out);
  }
}

// Sequences whose bytes have the right shape but that UTF-8 forbids (RFC 3629): strict decoders
// (RapidJSON with kParseValidateEncodingFlag, Python, Go's json) reject a line that carries them.
// Clients choose the request path, which is logged, so each must become U+FFFD too.
TEST(LogTest, ForbiddenUtf8SequencesAreReplacedToo) {
  for (const std::string& bad : {
           std::string("\xe0\x80\xaf"),      // overlong '/', 3 bytes
           std::string("\xed\xa0\x80"),      // UTF-16 surrogate U+D800
           std::string("\xed\xbf\xbf"),      // surrogate U+DFFF
           std::string("\xf0\x80\x80\xaf"),  // overlong, 4 bytes
           std::string("\xf4\x90\x80\x80"),  // U+110000, beyond Unicode
           std::string("\xf5\x80\x80\x80"),  // lead byte that never occurs
           std::string("\xf7\xbf\xbf\xbf"),
       }) {
    SCOPED_TRACE(::testing::PrintToString(bad));
    CapturedLines captured;
    info("request").field("path", "/v1/" + bad + "/x");
    rapidjson::Document document;
    EXPECT_TRUE(parses(captured.only_line(), document));
    if (document.HasParseError()) continue;  // report every sequence, not just the first
    const std::string path = string_field(document, "path");
    EXPECT_THAT(path, HasSubstr(kReplacement));
    EXPECT_THAT(path, ::testing::StartsWith("/v1/"));
    EXPECT_THAT(path, ::testing::EndsWith("/x"));
  }
}

TEST(LogTest, MinLevelDropsLinesBelowIt) {
  const auto log_all = [] {
    debug("d").field("k", "v");
    info("i").field("k", 1);
    warn("w");
    error("e");
  };
  {
    CapturedLines captured(Level::warn);
    log_all();
    EXPECT_THAT(captured.events(), ElementsAre("w", "e"));
  }
  {
    CapturedLines captured(Level::error);
    log_all();
    EXPECT_THAT(captured.events(), ElementsAre("e"));
  }
  {
    CapturedLines captured(Level::info);
    log_all();
    EXPECT_THAT(captured.events(), ElementsAre("i", "w", "e"));
  }
  {
    CapturedLines captured(Level::debug);
    log_all();
    EXPECT_THAT(captured.events(), ElementsAre("d", "i", "w", "e"));
  }
  {
    // The level is read when a line starts: changing it later changes only later lines.
    CapturedLines captured(Level::debug);
    set_min_level(Level::error);
    info("dropped");
    set_min_level(Level::info);
    info("kept");
    EXPECT_THAT(captured.events(), ElementsAre("kept"));
  }
}

TEST(LogTest, LinesFromManyThreadsArriveWhole) {
  constexpr int kThreads = 8;
  constexpr int kLinesEach = 250;
  CapturedLines captured;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([t] {
        for (int i = 0; i < kLinesEach; ++i) {
          info("burst").field("thread", t).field("seq", i).field("pad", std::string(200, 'x'));
        }
      });
    }
  }
  const auto lines = captured.lines();
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kLinesEach));
  std::vector<int> next(kThreads, 0);
  for (const auto& line : lines) {
    rapidjson::Document document;
    ASSERT_TRUE(parses(line, document));
    const auto t = document["thread"].GetInt64();
    ASSERT_TRUE(t >= 0 && t < kThreads);
    EXPECT_EQ(document["seq"].GetInt64(), next[t]++) << "lines of one thread out of order";
  }
}

// Points stderr (fd 2) at a file for the life of the object.
class StderrToFile {
 public:
  explicit StderrToFile(const std::filesystem::path& file) {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (saved_ < 0 || fd < 0 || ::dup2(fd, STDERR_FILENO) < 0) {
      ADD_FAILURE() << "cannot redirect stderr";
    }
    if (fd >= 0) ::close(fd);
  }
  ~StderrToFile() {
    std::fflush(stderr);
    if (saved_ >= 0) {
      ::dup2(saved_, STDERR_FILENO);
      ::close(saved_);
    }
  }
  StderrToFile(const StderrToFile&) = delete;
  StderrToFile& operator=(const StderrToFile&) = delete;

 private:
  int saved_ = -1;
};

TEST(LogTest, WithoutASinkLinesGoToStderrOnePerLine) {
  testing::TempDir dir("opcat-log-test");
  const auto file = dir.path() / "stderr.txt";
  {
    CapturedLines captured;  // installs a sink, then...
    set_sink(nullptr);       // ...an empty function gives stderr back
    StderrToFile redirect(file);
    info("first").field("k", "v\nw");
    warn("second");
    EXPECT_TRUE(captured.lines().empty());
  }
  std::ifstream in(file, std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  std::vector<std::string> events;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    rapidjson::Document document;
    ASSERT_TRUE(parses(line, document));
    events.push_back(string_field(document, "event"));
  }
  EXPECT_THAT(events, ElementsAre("first", "second"));
}

}  // namespace
}  // namespace opcat::log
