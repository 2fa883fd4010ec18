// One synthetic export of each member that has a mapping (tests/fixtures/members/), as that
// member's own systems would label it: what the push and end-to-end tests send.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace opcat::testing {

struct MemberSample {
  std::string member;
  std::string file;          // below tests/fixtures/members/
  std::string content_type;  // empty: none sent
};

inline const std::vector<MemberSample>& member_samples() {
  static const std::vector<MemberSample> samples = {
      {"hmip", "hmip/inspections-2024-25.xml", "application/xml"},
      {"imb", "imb/annual-reports-2024-25.json", "application/json"},
      {"icva", "icva/custody-visits-2024-25.csv", "text/csv"},
      {"cqc", "cqc/locations-mha-dols-2025-04.json", "application/json"},
      {"ofsted", "ofsted/secure-settings-inspections-2023-2025.csv", "text/csv"},
      {"ci", "ci/datastore-2025-03.csv", "text/csv; charset=windows-1252"},
      {"cjini", "cjini/inspection-programme-2024-25.xml", "text/xml"},
      {"nipb-icvs", "nipb-icvs/quarterly-returns-2023-2025.csv", ""},
  };
  return samples;
}

}  // namespace opcat::testing
