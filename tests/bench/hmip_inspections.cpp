// hmip: inspection reports as XML in HMIP's namespace, like
// tests/fixtures/members/hmip/inspections-2024-25.xml but years of them: establishment, dates,
// joint bodies (some not NPM members), team, healthy prison test scores, six to ten
// recommendations per full inspection; reviews of progress unscored and without recommendations.
#include <array>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "tests/bench/synthetic_exports.hpp"

namespace opcat::bench {
namespace {

struct Establishment {
  std::string_view code, name, type, jurisdiction, operator_name;
  int capacity;
};

constexpr std::array<Establishment, 27> kEstablishments{{
    {"ASH", "HMP Ashdown", "HMP", "England", "Public", 840},
    {"BKM", "HMP Blackmoor", "HMP", "England", "Public", 1210},
    {"CRF", "HMP/YOI Carrowfield", "HMP/YOI", "England", "Public", 620},
    {"DNH", "HMP Denholme Moor", "HMP", "England", "Public", 450},
    {"EBK", "HMP Eastbrook", "HMP", "England", "Private", 1480},
    {"FNH", "HMP Fenwick Hall", "HMP", "England", "Public", 380},
    {"GRF", "HMP/YOI Greyfriars", "HMP/YOI", "England", "Public", 560},
    {"KRG", "HMP Kestrel Ridge", "HMP", "England", "Private", 1020},
    {"LMS", "HMP Longmarsh", "HMP", "England", "Public", 700},
    {"MRD", "HMP Merrow Down", "HMP", "England", "Public", 290},
    {"NGT", "HMP Northgate", "HMP", "England", "Public", 960},
    {"OLC", "HMP Oldcastle", "HMP", "England", "Public", 530},
    {"PNF", "HMP Penmorfa", "HMP", "Wales", "Public", 780},
    {"RHW", "HMP/YOI Rhoswen", "HMP/YOI", "Wales", "Private", 1650},
    {"SLT", "HMP Saltmarsh", "HMP", "England", "Public", 640},
    {"THH", "HMP Thornbury Heath", "HMP", "England", "Public", 1100},
    {"WVL", "HMP Wyvern Lane", "HMP", "England", "Public", 820},
    {"HTM", "HMP Hightown Moss", "HMP", "England", "Public", 510},
    {"CDL", "HMP Caerdelyn", "HMP", "Wales", "Public", 400},
    {"BRH", "HMYOI Brackenhurst", "YOI", "England", "Public", 420},
    {"KGM", "HMYOI Kingsmead", "YOI", "England", "Public", 96},
    {"HLW", "Hollowell IRC", "IRC", "England", "Private", 390},
    {"FBN", "Fairburn IRC", "IRC", "England", "Private", 520},
    {"STM", "Strathmore IRC", "IRC", "Scotland", "Private", 130},
    {"NPT", "Northport Airport STHF", "STHF", "England", "Private", 24},
    {"RDG", "Ridgeway House STHF", "STHF", "England", "Private", 32},
    {"FHL", "Fernhill STC", "STC", "England", "Private", 80},
}};

constexpr std::array<std::string_view, 4> kPrisonTests{"Safety", "Respect", "Purposeful activity",
                                                       "Rehabilitation and release planning"};
constexpr std::array<std::string_view, 4> kDetentionTests{"Safety", "Respect", "Activities",
                                                          "Preparation for removal and release"};

struct Area {
  std::string_view name;
  std::string_view text;
  std::string_view addressee;
};

constexpr std::array<Area, 14> kPrisonAreas{{
    {"Safety",
     "Leaders should make sure that every prisoner at risk of self-harm has a care plan that is "
     "reviewed with them and acted on.",
     "Governor"},
    {"Early days in custody",
     "Reception should be open long enough for new arrivals to be received, searched and seen by "
     "health care before the evening lock-up.",
     "Governor"},
    {"Respect",
     "Staff should answer cell call bells within five minutes, and leaders should check response "
     "times every week.",
     "Governor"},
    {"Living conditions",
     "Broken windows and damaged furniture in the older residential units should be repaired, and "
     "cells designed for one should hold one.",
     "HM Prison and Probation Service"},
    {"Health care",
     "Detained people should be able to see a GP within the same waiting time as in the community.",
     "Head of health care"},
    {"Mental health",
     "Prisoners needing transfer to a secure hospital under the Mental Health Act should be moved "
     "within 28 days of referral.",
     "NHS England"},
    {"Use of force",
     "Every use of force should be recorded on body-worn camera and reviewed by a manager within "
     "72 hours.",
     "Governor"},
    {"Segregation",
     "Prisoners held in the segregation unit should have a daily regime including time in the open "
     "air, a shower and a telephone call.",
     "HM Prison and Probation Service"},
    {"Purposeful activity",
     "Leaders should provide enough education, skills and work places for the whole population and "
     "make sure they are filled.",
     "Director of Education"},
    {"Family contact",
     "Visits should start on time and in-cell telephony should be working on every wing.",
     "Governor"},
    {"Rehabilitation and release planning",
     "Every prisoner due for release should have an address to go to at least 12 weeks before "
     "release.",
     "HM Prison and Probation Service"},
    {"Equality",
     "Leaders should consult detained people with protected characteristics and act on what they "
     "learn.",
     "Governor"},
    {"Leadership",
     "Leaders should produce and monitor an action plan that addresses the recommendations of this "
     "report.",
     "Governor"},
    {"Complaints",
     "Complaints should be answered on time, and responses should address the issue raised.",
     "Governor"},
}};
constexpr std::array<Area, 7> kDetentionAreas{{
    {"Safety",
     "Detained people at risk of self-harm should have a care plan that is reviewed with them and "
     "acted on.",
     "Centre manager"},
    {"Respect",
     "Detained people should be able to shower every day and have access to clean bedding and "
     "clothing.",
     "Centre manager"},
    {"Health care",
     "Medicines should be administered at times that meet clinical need rather than the regime.",
     "NHS England"},
    {"Activities",
     "Detained people should have access to paid work and structured activities throughout the "
     "day.",
     "Centre manager"},
    {"Preparation for removal and release",
     "Detained people should receive timely legal advice, and their detention should be reviewed "
     "whenever a vulnerability is identified.",
     "Home Office"},
    {"Detention reviews",
     "Rule 35 reports should be completed on time and lead to a prompt review of continued "
     "detention.",
     "Home Office"},
    {"Complaints",
     "Complaints should be answered on time, and responses should address the issue raised.",
     "Home Office"},
}};

constexpr std::array<std::string_view, 3> kConcerns{"Priority concern", "Key concern",
                                                    "Recommendation"};
constexpr std::array<std::string_view, 3> kOldStatuses{"Achieved", "Partially achieved",
                                                       "Not achieved"};
constexpr std::array<std::string_view, 3> kNewStatuses{"Accepted", "Partially accepted",
                                                       "Not accepted"};

const Day kAsAt = make_day(2025, 4, 30);

void attribute(std::string& out, std::string_view name, std::string_view value) {
  ((((out += ' ') += name) += "=\"") += xml_escaped(value)) += '"';
}

void element(std::string& out, std::string_view indent, std::string_view name,
             std::string_view text) {
  out += indent;
  ((((((out += '<') += name) += '>') += xml_escaped(text)) += "</") += name) += ">\n";
}

}  // namespace

GeneratedExport write_hmip_inspections(ExportFile& out, std::uint64_t target_bytes,
                                       Random& random) {
  std::vector<std::string> leads, team;
  for (int i = 0; i < 8; ++i) leads.push_back(person(random));
  for (int i = 0; i < 30; ++i) team.push_back(person(random));

  out.write(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<inspections xmlns=\"urn:x-opcat-synthetic:hmip:inspection-reports:2\" "
      "reportingYear=\"2015-25\" generated=\"2025-05-02T07:41:13Z\">\n");
  GeneratedExport made;
  std::string text;
  const std::string closing = "</inspections>\n";
  while (out.bytes() + closing.size() < target_bytes) {
    const Establishment& place = random.pick(kEstablishments);
    const bool review = random.chance(0.12);  // independent review of progress
    const bool detention = place.type == "IRC" || place.type == "STHF";
    const Day start = random_day(random, make_day(2015, 4, 6), make_day(2025, 3, 10));
    const int length = review ? 3 : (place.type == "STHF" ? 4 : random.between(9, 11));
    const Day end = start + std::chrono::days{length - 1};
    const Day published = end + std::chrono::days{random.between(70, 110)};
    const std::chrono::year_month_day ymd{start};
    char id[40];
    std::snprintf(id, sizeof id, "INS-%02d%02u-%s-%llu", static_cast<int>(ymd.year()) % 100,
                  static_cast<unsigned>(ymd.month()), std::string(place.code).c_str(),
                  static_cast<unsigned long long>(made.units + 1));

    text.clear();
    text += "  <inspection";
    attribute(text, "id", id);
    attribute(text, "kind", review ? "Independent review of progress" : "Full inspection");
    attribute(text, "notice", review || place.type == "STC" ? "announced" : "unannounced");
    text += ">\n    <establishment";
    attribute(text, "code", place.code);
    attribute(text, "type", place.type);
    attribute(text, "jurisdiction", place.jurisdiction);
    attribute(text, "operator", place.operator_name);
    text += ">\n";
    element(text, "      ", "name", place.name);
    element(text, "      ", "operationalCapacity", std::to_string(place.capacity));
    text += "    </establishment>\n";
    text += "    <dates><start>" + iso_date(start) + "</start><end>" + iso_date(end) +
            "</end></dates>\n";
    if (!review && !detention) {
      text += place.jurisdiction == "England" ? "    <jointWith><body>Ofsted</body><body>CQC</body>"
                                              : "    <jointWith><body>Estyn</body><body>HIW</body>";
      if (random.chance(0.3)) text += "<body>GPhC</body>";
      text += "</jointWith>\n";
    } else if (!review && place.jurisdiction == "England") {
      text += "    <jointWith><body>CQC</body></jointWith>\n";
    }
    text += "    <team>\n      <inspector role=\"team leader\">" + xml_escaped(random.pick(leads)) +
            "</inspector>\n";
    for (int i = review ? 2 : random.between(4, 7); i > 0; --i) {
      element(text, "      ", "inspector", random.pick(team));
    }
    text += "    </team>\n";
    element(text, "    ", "populationAtInspection",
            std::to_string(static_cast<int>(place.capacity * random.real(0.72, 0.99))));
    if (!review) {
      text += "    <healthyPrisonTests>\n";
      for (const auto test : detention ? kDetentionTests : kPrisonTests) {
        if (place.type == "STHF" && test == "Activities") continue;
        text += "      <test";
        attribute(text, "name", test);
        attribute(text, "score", std::to_string(random.between(1, 4)));
        text += "/>\n";
      }
      text += "    </healthyPrisonTests>\n";
    }
    if (published <= kAsAt) {
      element(text, "    ", "reportPublished", iso_date(published));
    } else {
      text += "    <reportPublished/>\n";
    }
    if (!review) {
      text += "    <recommendations>\n";
      for (int r = 1, count = random.between(6, 10); r <= count; ++r) {
        const Area& area = detention ? random.pick(kDetentionAreas) : random.pick(kPrisonAreas);
        const std::string_view concern = random.pick(kConcerns);
        const std::string_view status =
            published > kAsAt ? "Awaiting response"
                              : ((kAsAt - end).count() > 300 ? random.pick(kOldStatuses)
                                                             : random.pick(kNewStatuses));
        text += "      <recommendation";
        std::string ref = "R";  // not "R" + to_string(r): GCC 12 warns falsely (-Wrestrict)
        ref += std::to_string(r);
        attribute(text, "ref", ref);
        attribute(text, "concern", concern);
        attribute(text, "area", area.name);
        attribute(text, "status", status);
        text += ">\n";
        element(text, "        ", "text", area.text);
        element(text, "        ", "addressee", area.addressee);
        if (concern == "Priority concern") {
          element(text, "        ", "dueDate", iso_date(published + std::chrono::days{182}));
        }
        text += "      </recommendation>\n";
      }
      text += "    </recommendations>\n";
    }
    text += "  </inspection>\n";
    out.write(text);
    ++made.units;
  }
  out.write(closing);
  return made;
}

}  // namespace opcat::bench
