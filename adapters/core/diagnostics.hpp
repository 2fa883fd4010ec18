// What a member learns about its export: each rejected record, in its own terms, and the
// budget that decides when a submission is rejected whole.
#pragma once

#include <cstddef>
#include <string>

namespace opcat::adapters {

// One problem with one record. Several may be reported for the same record.
struct RecordError {
  std::string locator;       // where in the member's file: "row 17", "/inspections/inspection[3]"
  std::string field;         // the common-schema field ("start_date", "place.place_type"); "" for the whole record
  std::string source_field;  // the member's own column / path ("Visit date", "@type")
  std::string value;         // the offending value as found (cut to 200 bytes)
  std::string code;          // stable token: missing, bad_date, bad_integer, unmapped_value, schema...
  std::string message;       // for people
};

// When a partly bad export is rejected as a whole instead of keeping its good records.
struct ErrorBudget {
  std::size_t max_rejected = 1000;   // rejected records
  double max_rejected_ratio = 0.10;  // rejected / records read, judged at the end
};

struct Outcome {
  enum class Verdict {
    complete,  // every record accepted
    partial,   // some records rejected, within the budget: the good ones are kept
    rejected,  // the submission as a whole: unreadable, unsafe, or over the error budget
  };
  Verdict verdict = Verdict::complete;
  std::size_t units = 0;     // source units read (rows, record elements, record objects)
  std::size_t accepted = 0;  // normalised records accepted
  std::size_t rejected = 0;  // records rejected
  std::string reason;        // why the whole submission was rejected
  std::string locator;       // where reading stopped, for an unreadable file
};

const char* to_string(Outcome::Verdict verdict);

}  // namespace opcat::adapters
