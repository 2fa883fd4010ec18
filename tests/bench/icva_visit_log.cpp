// icva: the custody visit log as a scheme's visit system exports it through Excel ("CSV UTF-8":
// byte order mark, CRLF), like tests/fixtures/members/icva/custody-visits-2024-25.csv but years
// long: free-text issues with commas, doubled quotes and now and then a line break inside quotes.
#include <array>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "tests/bench/synthetic_exports.hpp"

namespace opcat::bench {
namespace {

struct Suite {
  std::string_view force;
  std::string_view name;
};

constexpr std::array<Suite, 32> kSuites{{
    {"Avon and Somerset", "Kingsweston custody suite"},
    {"Avon and Somerset", "Halcombe custody suite"},
    {"Avon and Somerset", "Marsh Lane custody suite"},
    {"Cumbria", "Eden Bridge custody suite"},
    {"Cumbria", "Kendal Road custody suite"},
    {"Devon and Cornwall", "Carnhallow custody suite"},
    {"Devon and Cornwall", "Exmoor Gate custody suite"},
    {"Devon and Cornwall", "Tamar Quay custody suite"},
    {"Dyfed-Powys", "Tywi Bridge custody suite"},
    {"Dyfed-Powys", "Llanfair Road custody suite"},
    {"Greater Manchester", "Northmoor custody suite"},
    {"Greater Manchester", "Irwell Street custody suite"},
    {"Greater Manchester", "Hollins Cross custody suite"},
    {"Greater Manchester", "Ashbourne Lane custody suite"},
    {"Kent", "Medway Reach custody suite"},
    {"Kent", "Downsfield custody suite"},
    {"Kent", "Stourside custody suite"},
    {"Lancashire", "Ribble Bank custody suite"},
    {"Lancashire", "Pendle Moor custody suite"},
    {"Lancashire", "Fylde Gate custody suite"},
    {"Metropolitan Police", "Thamesmead East custody suite"},
    {"Metropolitan Police", "Highgrove Road custody suite"},
    {"Metropolitan Police", "Lea Bridge custody suite"},
    {"Metropolitan Police", "Brentside custody suite"},
    {"South Wales", "Taff Street custody suite"},
    {"South Wales", "Ogmore Vale custody suite"},
    {"South Wales", "Swansea Bay custody suite"},
    {"Thames Valley", "Kennet Meadow custody suite"},
    {"Thames Valley", "Chiltern Edge custody suite"},
    {"West Yorkshire", "Aire Valley custody suite"},
    {"West Yorkshire", "Calderdale Road custody suite"},
    {"West Yorkshire", "Wharfe Bridge custody suite"},
}};

constexpr std::array<std::string_view, 14> kIssues{
    "Cell 4 toilet blocked, reported to sergeant",
    "Detainee waiting over 6 hours for mental health assessment",
    "No female officer available for a female detainee who asked for one",
    "Interpreter for Romanian not yet arranged after 4 hours",
    "Shower out of order; detainees offered wash bags only",
    "Blankets in short supply, custody staff ordering more",
    "Detainee said he had not been offered food since arrival; staff confirmed a meal was served "
    "at 12:30",
    "Appropriate adult for a 15-year-old not called until 3 hours after arrival",
    "CCTV monitor in cell corridor not working",
    "Temperature in cells 1-6 very cold, heating fault logged",
    "Detainee requested reading material, none available in Polish",
    "Custody record said \"no medication\", detainee said he takes insulin: raised with nurse",
    "Two children held overnight, no local authority accommodation found",
    "Drinking water dispenser empty",
};

constexpr std::array<int, 6> kSuiteSizes{8, 12, 18, 24, 30, 40};

}  // namespace

GeneratedExport write_icva_visit_log(ExportFile& out, std::uint64_t target_bytes, Random& random) {
  // Each suite has its own size and its own pool of visitors, as each scheme has.
  std::vector<int> sizes;
  std::vector<std::vector<std::string>> visitors;
  for (std::size_t i = 0; i < kSuites.size(); ++i) {
    sizes.push_back(random.pick(kSuiteSizes));
    visitors.emplace_back();
    for (int v = random.between(8, 14); v > 0; --v) visitors.back().push_back(person(random));
  }
  const Day first = make_day(2015, 4, 1);
  const Day last = make_day(2025, 3, 31);

  out.write("\xEF\xBB\xBF");
  out.write(
      "Force,Custody suite,Visit date,Time of visit,Visitors,Detainees in custody,Detainees "
      "offered visit,Detainees seen,Visit satisfactory,Issues noted\r\n");
  GeneratedExport made;
  std::string row;
  while (out.bytes() < target_bytes) {
    const std::size_t s = random.below(kSuites.size());
    const int in_custody = static_cast<int>(sizes[s] * random.real(0.1, 1.0));
    const int offered = static_cast<int>(in_custody * random.real(0.4, 1.0));
    const int seen = static_cast<int>(offered * random.real(0.5, 1.0));
    const bool satisfactory = random.chance(0.91);
    std::string verdict = satisfactory ? "Y" : "N";
    if (random.chance(0.02)) verdict = satisfactory ? "Yes" : "No";  // typed by hand
    std::string issues;
    if (!satisfactory) {
      issues = random.pick(kIssues);
      if (random.chance(0.5)) (issues += "; ") += random.pick(kIssues);
    } else if (random.chance(0.18)) {
      issues = random.pick(kIssues);
    }
    if (random.chance(0.001))
      issues = "Detainee in cell 7 distressed.\nNurse called and attended within 20 minutes";
    // Two visitors (now and then three), never the same one twice.
    const auto& pool = visitors[s];
    const std::size_t a = random.below(pool.size());
    const std::size_t b = (a + 1 + random.below(pool.size() - 1)) % pool.size();
    std::string pair = pool[a] + "; " + pool[b];
    if (random.chance(0.07)) {
      std::size_t c;
      do c = random.below(pool.size());
      while (c == a || c == b);
      (pair += "; ") += pool[c];
    }
    char time[8];
    std::snprintf(time, sizeof time, "%02d:%02d", random.between(7, 22), 5 * random.between(0, 11));

    row.clear();
    row += kSuites[s].force;
    row += ',';
    row += kSuites[s].name;
    row += ',';
    row += uk_date(random_day(random, first, last));
    row += ',';
    row += time;
    row += ',';
    row += csv_field(pair);
    row += ',';
    row += std::to_string(in_custody);
    row += ',';
    row += std::to_string(offered);
    row += ',';
    row += std::to_string(seen);
    row += ',';
    row += verdict;
    row += ',';
    row += csv_field(issues);
    row += "\r\n";
    out.write(row);
    ++made.units;
  }
  return made;
}

}  // namespace opcat::bench
