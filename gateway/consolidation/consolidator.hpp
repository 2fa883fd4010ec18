// Consolidation: every member's current records of a period, as one submission for a recipient
// (the NPM Secretariat, the SPT), with joint visits merged, the Art. 20(a) aggregates, the
// lineage of the submissions that fed it, and the recipient's data policy applied to every
// record as it is written. See docs/consolidation.md.
//
// Deterministic: the same store contents, period, policy (and key) and format give the same
// bytes; nothing in the payload depends on the time or the machine.
//
// Memory: records stream from the store to `out` one at a time (visits one day at a time, to
// merge joint visits). What is held is bounded by the number of places (their records, for the
// places section written last), the ids of the period's visits (to pick their recommendations),
// the joint visits' lineage, and the submissions of the lineage; never by the payload.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "gateway/consolidation/payload_writer.hpp"
#include "gateway/consolidation/period.hpp"
#include "gateway/consolidation/policy.hpp"
#include "gateway/store/store.hpp"

namespace opcat::consolidation {

struct ConsolidationSummary {
  Period period;
  std::string policy_profile;
  PayloadFormat format = PayloadFormat::json;
  std::uint64_t places = 0;           // place records written
  std::uint64_t visits = 0;           // visits written (a joint visit once)
  std::uint64_t joint_visits = 0;     // of which merged from several reports
  std::uint64_t recommendations = 0;
  std::uint64_t populations = 0;
  std::uint64_t indicators = 0;
  std::uint64_t submissions = 0;      // in the lineage
  std::uint64_t bytes = 0;            // of the payload
  std::string sha256;                 // of the payload, lower-case hex
};

// The summary as one JSON object: {"period","policy","format","places","visits","joint_visits",
// "recommendations","populations","indicators","submissions","bytes","sha256"}; what the command
// line prints and the admin API shows for a finished job.
std::string to_json(const ConsolidationSummary& summary);

// Writes the consolidated submission for `period` to `out` and says what it holds. Throws
// store::StoreError when the store fails, std::runtime_error when writing fails; what was
// written to `out` by then is incomplete and must be thrown away.
ConsolidationSummary consolidate(store::Store& store, const Period& period, const DataPolicy& policy,
                                 PayloadFormat format, std::ostream& out);

}  // namespace opcat::consolidation
