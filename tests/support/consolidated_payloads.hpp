// Real consolidated submissions, as the gateway delivers them: the synthetic joint-inspection
// fixtures (tests/fixtures/consolidation/joint/: a prison, its visit reported by two members)
// consolidated in both forms, everything kept. What a recipient's schema check accepts, for tests
// that deliver or receive a payload. Made once per test binary.
#pragma once

#include <string>

namespace opcat::testing {

struct ConsolidatedPayloads {
  std::string json;
  std::string xml;
};

const ConsolidatedPayloads& consolidated_payloads();

}  // namespace opcat::testing
