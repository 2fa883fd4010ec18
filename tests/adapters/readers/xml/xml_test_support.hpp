// Shared helpers for the XML reader tests: readers over strings, sources that trickle or never end.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/core/byte_source.hpp"
#include "adapters/core/reader.hpp"

namespace opcat::adapters::testing {

// The [reader] table of a mapping file, parsed from TOML text.
toml::table reader_table(std::string_view toml_text);

// An XML reader configured by `settings_toml` over `source` (which must outlive it).
std::unique_ptr<Reader> xml_reader(ByteSource& source, std::string_view settings_toml);

// Hands out at most `chunk` bytes per read: parsing must not depend on how bytes arrive.
class TricklingSource final : public ByteSource {
 public:
  TricklingSource(std::string bytes, std::size_t chunk) : bytes_(std::move(bytes)), chunk_(chunk) {}
  std::size_t read(char* buffer, std::size_t size) override;
  std::string name() const override { return "trickle"; }

 private:
  std::string bytes_;
  std::size_t chunk_;
  std::size_t position_ = 0;
};

// `head`, then `body` `repeats` times, then `tail`, made up as it is read (a large export costs
// no memory); counts what it served, so a test can prove a reader stopped early.
class RepeatingSource final : public ByteSource {
 public:
  RepeatingSource(std::string head, std::string body, std::size_t repeats, std::string tail)
      : head_(std::move(head)),
        body_(std::move(body)),
        tail_(std::move(tail)),
        total_(head_.size() + repeats * body_.size() + tail_.size()) {}
  std::size_t read(char* buffer, std::size_t size) override;
  std::string name() const override { return "repeating"; }
  std::size_t served() const { return served_; }

 private:
  char byte_at(std::size_t offset) const;
  std::string head_, body_, tail_;
  std::size_t total_;
  std::size_t served_ = 0;
};

// A source whose read fails, as a broken pipe does.
class FailingSource final : public ByteSource {
 public:
  explicit FailingSource(std::string prefix) : prefix_(std::move(prefix)) {}
  std::size_t read(char* buffer, std::size_t size) override;
  std::string name() const override { return "failing"; }

 private:
  std::string prefix_;
  bool served_ = false;
};

// Every record's locator and the value of `field` in it, "locator=value" (or "=<absent>").
std::vector<std::string> locators_and_values(Reader& reader, const std::string& field);

}  // namespace opcat::adapters::testing
