// Where `normalise` writes: records to one stream (JSON lines or an XML document), problems and
// the closing summary to another, as JSON lines a member's IT staff can grep or load.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "adapters/core/diagnostics.hpp"
#include "adapters/core/record_sink.hpp"
#include "adapters/mapping/member_mapping.hpp"

namespace opcat::cli {

class RecordOutput : public adapters::RecordSink {
 public:
  // Ends the record stream (closes the XML document) and writes the summary line.
  virtual void finish(const adapters::Outcome& outcome, const adapters::MemberMapping& mapping,
                      const std::string& source_name) = 0;
};

// `format` is "json" or "xml".
std::unique_ptr<RecordOutput> make_record_output(const std::string& format, std::FILE* records,
                                                 std::FILE* problems);

}  // namespace opcat::cli
