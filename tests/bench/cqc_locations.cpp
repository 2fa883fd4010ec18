// cqc: a locations API dump, {"pages": [<page>, ...]}, 40 locations a page, pretty-printed with
// one space of indent as tests/fixtures/members/cqc/locations-mha-dols-2025-04.json is: each
// location with its address, categories, regulated activities, current ratings and its reports
// (latest first). Written with RapidJSON's PrettyWriter, one location at a time.
#include <rapidjson/prettywriter.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "tests/bench/synthetic_exports.hpp"

namespace opcat::bench {
namespace {

constexpr int kPerPage = 40;

struct Area {
  std::string_view region, authority, postcode_area, town;
};

constexpr std::array<Area, 25> kAreas{{
    {"North West", "Manchester", "M", "Manchester"},
    {"North West", "Bolton", "BL", "Bolton"},
    {"North West", "Cheshire East", "CW", "Crewe"},
    {"North West", "Lancashire", "PR", "Preston"},
    {"Yorkshire and The Humber", "Leeds", "LS", "Leeds"},
    {"Yorkshire and The Humber", "Sheffield", "S", "Sheffield"},
    {"Yorkshire and The Humber", "North Yorkshire", "YO", "Harrogate"},
    {"London", "Camden", "NW", "London"},
    {"London", "Lambeth", "SE", "London"},
    {"London", "Ealing", "W", "London"},
    {"London", "Haringey", "N", "London"},
    {"South East", "Kent", "ME", "Maidstone"},
    {"South East", "Surrey", "GU", "Guildford"},
    {"South East", "West Sussex", "RH", "Crawley"},
    {"South West", "Devon", "EX", "Exeter"},
    {"South West", "Bristol", "BS", "Bristol"},
    {"South West", "Cornwall", "TR", "Truro"},
    {"East Midlands", "Nottingham", "NG", "Nottingham"},
    {"East Midlands", "Leicestershire", "LE", "Loughborough"},
    {"West Midlands", "Birmingham", "B", "Birmingham"},
    {"West Midlands", "Staffordshire", "ST", "Stafford"},
    {"East of England", "Norfolk", "NR", "Norwich"},
    {"East of England", "Essex", "CM", "Chelmsford"},
    {"North East", "Newcastle upon Tyne", "NE", "Newcastle upon Tyne"},
    {"North East", "County Durham", "DH", "Durham"},
}};

constexpr std::array<std::string_view, 20> kHospitals{"Brackenridge Hospital",
                                                      "The Elms Psychiatric Unit",
                                                      "Marlow Grange Hospital",
                                                      "Riverside Lodge",
                                                      "Ashcombe House",
                                                      "Kingfisher Unit",
                                                      "Thornfield Hospital",
                                                      "Larkspur Ward, Northfield General",
                                                      "Cedar Court Hospital",
                                                      "Willowmere Unit",
                                                      "St Anselm's Hospital",
                                                      "Foxglove Centre",
                                                      "Harrowfield Low Secure Unit",
                                                      "Meadowbank Hospital",
                                                      "Oakleigh Medium Secure Unit",
                                                      "Beacon View",
                                                      "The Orchard Centre",
                                                      "Fairhaven Hospital",
                                                      "Lindenfield Unit",
                                                      "Greystones Hospital"};
constexpr std::array<std::string_view, 21> kHomeFirst{
    "Abbey",     "Ashgrove", "Bramley",    "Brookside", "Cherry Tree", "Church View", "Elmhurst",
    "Fernlea",   "Glebe",    "Greenacres", "Hillcrest", "Meadow View", "Moorland",    "Orchard",
    "Park View", "Primrose", "Rose Bank",  "Sandfield", "Sunnyside",   "Westfield",   "Woodlands"};
constexpr std::array<std::string_view, 7> kHomeSuffix{
    "Care Home", "Nursing Home", "Residential Home", "House", "Court", "Lodge", "Manor"};
constexpr std::array<std::string_view, 6> kStreets{"Station Road", "Church Lane", "Mill Street",
                                                   "Park Avenue",  "High Street", "Manor Road"};
constexpr std::array<std::string_view, 4> kRatings{"Outstanding", "Good", "Requires improvement",
                                                   "Inadequate"};
constexpr std::array<std::string_view, 5> kKeyQuestions{"Safe", "Effective", "Caring", "Responsive",
                                                        "Well-led"};
constexpr std::string_view kLetters = "ABDEFGHJLNPQRSTUWXYZ";

struct Report {
  std::string link_id, report_date, first_visit;
  bool focused = false;
};

template <typename Writer>
void member(Writer& writer, std::string_view key, std::string_view value) {
  writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

template <typename Writer>
void category(Writer& writer, std::string_view code, std::string_view primary,
              std::string_view name) {
  writer.StartObject();
  member(writer, "code", code);
  member(writer, "primary", primary);
  member(writer, "name", name);
  writer.EndObject();
}

template <typename Writer>
void activity(Writer& writer, std::string_view name, std::string_view code) {
  writer.StartObject();
  member(writer, "name", name);
  member(writer, "code", code);
  writer.EndObject();
}

// One location with its reports; returns nothing but consumes `random` the same way whatever
// the writer, so a counting pass and the writing pass make the same locations.
template <typename Writer>
void write_location(Writer& writer, Random& random, std::uint64_t number) {
  const bool hospital = number % 3 == 0;
  const Area& area = random.pick(kAreas);
  std::string name;
  if (hospital) {
    name = std::string(random.pick(kHospitals)) + " (" + std::string(area.town) + ")";
  } else {
    name = random.chance(0.4) ? "The " + std::string(random.pick(kHomeFirst)) + "s"
                              : std::string(random.pick(kHomeFirst));
    (name += ' ') += random.pick(kHomeSuffix);
  }
  const std::string postcode =
      std::string(area.postcode_area) + std::to_string(random.between(1, 28)) + " " +
      std::to_string(random.between(1, 9)) + kLetters[random.below(kLetters.size())] +
      kLetters[random.below(kLetters.size())];
  const Day registered = random_day(random, make_day(2010, 10, 1), make_day(2023, 6, 30));
  const bool nhs = hospital && random.chance(0.45);

  writer.StartObject();
  member(writer, "locationId", "1-" + std::to_string(1000000000 + random.below(8999999999ULL)));
  member(writer, "providerId", "1-" + std::to_string(100000000 + random.below(899999999)));
  member(writer, "organisationType", "Location");
  member(writer, "type",
         hospital ? (nhs ? "NHS Healthcare Organisation" : "Independent Healthcare Org")
                  : "Social Care Org");
  member(writer, "name", name);
  member(writer, "registrationStatus", "Registered");
  member(writer, "registrationDate", iso_date(registered));
  member(writer, "postalAddressLine1",
         std::to_string(random.between(1, 240)) + " " + std::string(random.pick(kStreets)));
  member(writer, "postalAddressTownCity", area.town);
  member(writer, "postalCode", postcode);
  member(writer, "region", area.region);
  member(writer, "localAuthority", area.authority);
  writer.Key("onspdLatitude");
  writer.Double(static_cast<double>(50300000 + random.below(4800000)) / 1e6);
  writer.Key("onspdLongitude");
  writer.Double(static_cast<double>(-4900000 + static_cast<std::int64_t>(random.below(6500000))) /
                1e6);
  member(writer, "careHome", hospital ? "N" : "Y");
  writer.Key("numberOfBeds");
  writer.Int(hospital ? random.between(8, 96) : random.between(12, 110));
  writer.Key("inspectionCategories");
  writer.StartArray();
  if (hospital) {
    category(writer, "H1", "true", "Hospital");
    category(writer, "P2", "false", "Mental health - community & hospital - independent");
  } else {
    category(writer, "S1", "true", "Residential social care");
  }
  writer.EndArray();
  writer.Key("regulatedActivities");
  writer.StartArray();
  if (hospital) {
    activity(
        writer,
        "Assessment or medical treatment for persons detained under the Mental Health Act 1983",
        "RA2");
    activity(writer, "Treatment of disease, disorder or injury", "RA5");
  } else {
    activity(writer, "Accommodation for persons who require nursing or personal care", "RA1");
  }
  writer.EndArray();

  std::vector<Report> reports;
  Day when = registered + std::chrono::days{random.between(120, 500)};
  while (when < make_day(2025, 3, 20)) {
    const Day report_date = when + std::chrono::days{random.between(25, 90)};
    if (report_date > make_day(2025, 4, 25)) break;
    reports.push_back({uuid(random), iso_date(report_date), iso_date(when), random.chance(0.25)});
    when = report_date + std::chrono::days{random.between(300, 900)};
  }
  if (!reports.empty()) {
    const Report& latest = reports.back();
    const auto rating = kRatings[random.below(kRatings.size())];
    writer.Key("currentRatings");
    writer.StartObject();
    writer.Key("overall");
    writer.StartObject();
    member(writer, "rating", rating);
    member(writer, "reportDate", latest.report_date);
    member(writer, "reportLinkId", latest.link_id);
    writer.Key("keyQuestionRatings");
    writer.StartArray();
    for (const auto question : kKeyQuestions) {
      writer.StartObject();
      member(writer, "name", question);
      member(writer, "rating", kRatings[random.below(3)]);
      member(writer, "reportDate", latest.report_date);
      member(writer, "reportLinkId", latest.link_id);
      writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    writer.EndObject();
  }
  writer.Key("reports");
  writer.StartArray();
  for (auto report = reports.rbegin(); report != reports.rend(); ++report) {  // latest first
    writer.StartObject();
    member(writer, "linkId", report->link_id);
    member(writer, "reportDate", report->report_date);
    member(writer, "reportUri", "/reports/" + report->link_id);
    member(writer, "firstVisitDate", report->first_visit);
    member(writer, "reportType", report->focused ? "Focused" : "Location");
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
}

std::string page_uri(std::uint64_t page) {
  return "/locations?page=" + std::to_string(page) + "&perPage=" + std::to_string(kPerPage);
}

}  // namespace

GeneratedExport write_cqc_locations(ExportFile& out, std::uint64_t target_bytes,
                                    std::uint64_t seed) {
  // The pages say how many locations there are in all, so count them first: the same seed
  // makes the same locations, written to a counter until they fill the target size.
  std::uint64_t total = 0;
  {
    Random random(seed);
    ByteCounter counter;
    rapidjson::PrettyWriter<ByteCounter> writer(counter);
    writer.SetIndent(' ', 1);
    // At the depth of the real thing, {"pages": [{"locations": [...]}]}: indents count.
    writer.StartObject();
    writer.Key("pages");
    writer.StartArray();
    writer.StartObject();
    writer.Key("locations");
    writer.StartArray();
    // Each page adds about 250 bytes of its own; 7 per location is near enough.
    while (counter.bytes() + 7 * total < target_bytes) write_location(writer, random, ++total);
  }
  const std::uint64_t pages = (total + kPerPage - 1) / kPerPage;

  Random random(seed);
  rapidjson::PrettyWriter<ExportFile> writer(out);
  writer.SetIndent(' ', 1);
  writer.StartObject();
  writer.Key("pages");
  writer.StartArray();
  std::uint64_t number = 0;
  for (std::uint64_t page = 1; page <= pages; ++page) {
    writer.StartObject();
    writer.Key("total");
    writer.Uint64(total);
    member(writer, "firstPageUri", page_uri(1));
    writer.Key("page");
    writer.Uint64(page);
    writer.Key("nextPageUri");
    if (page < pages) {
      writer.String(page_uri(page + 1).c_str());
    } else {
      writer.Null();
    }
    member(writer, "lastPageUri", page_uri(pages));
    writer.Key("prevPageUri");
    if (page > 1) {
      writer.String(page_uri(page - 1).c_str());
    } else {
      writer.Null();
    }
    writer.Key("perPage");
    writer.Int(kPerPage);
    writer.Key("totalPages");
    writer.Uint64(pages);
    writer.Key("locations");
    writer.StartArray();
    for (int i = 0; i < kPerPage && number < total; ++i) write_location(writer, random, ++number);
    writer.EndArray();
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  out.write("\n");
  return {0, total};
}

}  // namespace opcat::bench
