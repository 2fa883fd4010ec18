// The yardsticks: each input library's own loop over a file doing nothing with what it finds,
// the fastest any reader built on that library could go. Each returns the units it saw where
// seeing them costs nothing extra (CSV rows), else 0.
#pragma once

#include <cstdint>
#include <filesystem>

namespace opcat::bench {

// CSV: a byte loop splitting on ',' and line ends, honouring quotes (a doubled quote closes and
// reopens), in 64 KiB reads; nothing is copied, decoded or checked. Returns the data rows.
std::uint64_t bare_csv_split(const std::filesystem::path& file);

// JSON: RapidJSON's SAX Reader with an empty handler, with the JSON reader's own flags
// (iterative, UTF-8 validated, numbers as strings) over a 64 KiB FileReadStream.
std::uint64_t bare_json_sax(const std::filesystem::path& file);

// XML: libxml2's xmlTextReader, xmlTextReaderRead until the end, with the XML reader's parse
// options; libxml2 reads the file itself.
std::uint64_t bare_xml_read(const std::filesystem::path& file);

}  // namespace opcat::bench
