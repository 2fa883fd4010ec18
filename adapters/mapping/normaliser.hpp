// Applies a member's mapping to one export: reader units in, common-schema records out, each
// record validated against the schema, each problem reported in the member's own terms, and the
// error budget deciding whether the export is kept in part or rejected whole.
#pragma once

#include <memory>
#include <string>

#include "adapters/core/byte_source.hpp"
#include "adapters/core/diagnostics.hpp"
#include "adapters/core/record_sink.hpp"
#include "adapters/mapping/member_mapping.hpp"
#include "adapters/schema/record_schema.hpp"

namespace opcat::adapters {

class Normaliser {
 public:
  // Checks that every mapped field exists in the schema for its record type (throws
  // config::ConfigError naming the mapping key). Both arguments must outlive the normaliser.
  Normaliser(const MemberMapping& mapping, const schema::RecordSchema& schema);

  struct Options {
    std::string submission_id;  // stamped into source.submission_id when not empty
  };

  // Streams one export through the mapping. Never throws for bad input: an unreadable or unsafe
  // file, or one over the error budget, comes back as Outcome::Verdict::rejected with a reason.
  Outcome run(ByteSource& source, RecordSink& sink, const Options& options) const;
  Outcome run(ByteSource& source, RecordSink& sink) const { return run(source, sink, Options{}); }

  const MemberMapping& mapping() const { return mapping_; }

 private:
  const MemberMapping& mapping_;
  const schema::RecordSchema& schema_;
};

}  // namespace opcat::adapters
