#include "tests/bench/synthetic_world.hpp"

#include <array>
#include <cstdio>

namespace opcat::bench {
namespace {

constexpr std::array<std::string_view, 40> kFirst{
    "Aisha",   "Alan",   "Amrit",    "Bernadette", "Callum",  "Chidi",   "Dafydd", "Deborah",
    "Eilidh",  "Emeka",  "Fiona",    "Gareth",     "Grace",   "Hamza",   "Helen",  "Imran",
    "Joanna",  "Kwame",  "Lorna",    "Malcolm",    "Mairead", "Nadia",   "Niamh",  "Oluwaseun",
    "Patrick", "Priya",  "Rhiannon", "Rosalind",   "Samuel",  "Siobhán", "Tariq",  "Teresa",
    "Usha",    "Victor", "Wendy",    "Yusuf",      "Zoë",     "Łukasz",  "Ciarán", "Bronwen"};
constexpr std::array<std::string_view, 35> kLast{
    "Abernethy",   "Adeyemi",        "Bellingham", "Brannigan", "Cartwright", "Chaudhry",
    "Donnelly",    "Ellwood",        "Fairclough", "Gallagher", "Greenhalgh", "Hardcastle",
    "Iqbal",       "Jenkinson",      "Kowalczyk",  "Llewellyn", "MacAskill",  "Mensah",
    "Nightingale", "O'Halloran",     "Okonkwo",    "Pemberton", "Quinlan",    "Rafferty",
    "Sandhu",      "Thistlethwaite", "Underwood",  "Varga",     "Whitlock",   "Yardley",
    "Ashworth",    "Bramhall",       "Costigan",   "Duckworth", "Evans-Pryce"};

}  // namespace

Day make_day(int year, unsigned month, unsigned day) {
  return std::chrono::year_month_day{std::chrono::year{year}, std::chrono::month{month},
                                     std::chrono::day{day}};
}

Day random_day(Random& random, Day first, Day last) {
  const auto span = static_cast<std::uint64_t>((last - first).count() + 1);
  return first + std::chrono::days{static_cast<int>(random.below(span))};
}

std::string iso_date(Day day) {
  const std::chrono::year_month_day date{day};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

std::string uk_date(Day day) {
  const std::chrono::year_month_day date{day};
  char text[16];
  std::snprintf(text, sizeof text, "%02u/%02u/%04d", static_cast<unsigned>(date.day()),
                static_cast<unsigned>(date.month()), static_cast<int>(date.year()));
  return text;
}

std::string person(Random& random) {
  std::string name(random.pick(kFirst));
  name += ' ';
  name += random.pick(kLast);
  return name;
}

std::string uuid(Random& random) {
  const std::uint64_t high = random.bits();
  const std::uint64_t low = random.bits();
  char text[40];
  std::snprintf(text, sizeof text, "%08llx-%04llx-4%03llx-%04llx-%012llx",
                static_cast<unsigned long long>(high >> 32),
                static_cast<unsigned long long>((high >> 16) & 0xFFFF),
                static_cast<unsigned long long>(high & 0xFFF),
                static_cast<unsigned long long>(0x8000 | (low >> 50)),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
  return text;
}

std::string xml_escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace opcat::bench
