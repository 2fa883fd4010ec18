// Where normalised records and per-record errors go: stdout (normalise), the store (intake),
// a counter (benchmarks). Records are RapidJSON values in the common schema's field order.
#pragma once

#include <rapidjson/document.h>

#include "adapters/core/diagnostics.hpp"

namespace opcat::adapters {

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // An accepted record; the value is only valid during the call.
  virtual void record(const rapidjson::Value& record) = 0;
  // One problem with a rejected record (a record may have several).
  virtual void error(const RecordError& error) = 0;
};

}  // namespace opcat::adapters
