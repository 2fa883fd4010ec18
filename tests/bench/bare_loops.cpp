#include "tests/bench/bare_loops.hpp"

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <rapidjson/filereadstream.h>
#include <rapidjson/reader.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "adapters/core/byte_source.hpp"

namespace opcat::bench {
namespace {

constexpr std::size_t kChunk = std::size_t{64} << 10;

// Makes the compiler compute `value` though nothing reads it (Google Benchmark's DoNotOptimize).
template <typename T>
void keep(const T& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}

}  // namespace

std::uint64_t bare_csv_split(const std::filesystem::path& file) {
  adapters::FileSource source(file);
  const auto buffer = std::make_unique<char[]>(kChunk);
  bool quoted = false;
  std::uint64_t lines = 0;
  std::uint64_t fields = 0;
  for (std::size_t got; (got = source.read(buffer.get(), kChunk)) != 0;) {
    for (const char* p = buffer.get(); p != buffer.get() + got; ++p) {
      const char c = *p;
      if (quoted) {
        quoted = c != '"';
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        ++fields;
      } else if (c == '\n') {
        ++fields;
        ++lines;
      }
    }
  }
  keep(fields);  // the field ends are what a split finds, even if no one counts them here
  return lines == 0 ? 0 : lines - 1;  // the header
}

std::uint64_t bare_json_sax(const std::filesystem::path& file) {
  std::FILE* stream = std::fopen(file.c_str(), "rb");
  if (stream == nullptr) throw std::runtime_error("cannot open " + file.string());
  const auto buffer = std::make_unique<char[]>(kChunk);
  rapidjson::FileReadStream input(stream, buffer.get(), kChunk);
  rapidjson::BaseReaderHandler<> empty;
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag |
                              rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseNumbersAsStringsFlag;
  const rapidjson::ParseResult result = reader.Parse<kFlags>(input, empty);
  std::fclose(stream);
  if (result.IsError()) {
    throw std::runtime_error("invalid JSON at byte " + std::to_string(result.Offset()));
  }
  return 0;
}

std::uint64_t bare_xml_read(const std::filesystem::path& file) {
  // The XML reader's options (xml_stream_reader.cpp): no network, CDATA merged, big line
  // numbers, short text inline.
  constexpr int kOptions =
      XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES | XML_PARSE_COMPACT;
  xmlTextReaderPtr reader = xmlReaderForFile(file.c_str(), nullptr, kOptions);
  if (reader == nullptr) throw std::runtime_error("cannot open " + file.string());
  int status;
  while ((status = xmlTextReaderRead(reader)) == 1) {
  }
  xmlFreeTextReader(reader);
  if (status != 0) throw std::runtime_error("unreadable XML: " + file.string());
  return 0;
}

}  // namespace opcat::bench
