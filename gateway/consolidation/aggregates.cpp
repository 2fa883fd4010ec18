#include "gateway/consolidation/aggregates.hpp"

namespace opcat::consolidation {
namespace {

using Allocator = rapidjson::Document::AllocatorType;

rapidjson::Value text(const std::string& value, Allocator& allocator) {
  return rapidjson::Value(value.c_str(), static_cast<rapidjson::SizeType>(value.size()), allocator);
}

std::string code_of(const rapidjson::Value& record, const char* field) {
  const auto it = record.FindMember(field);
  if (it == record.MemberEnd() || !it->value.IsString()) return {};
  return it->value.GetString();
}

// [{"<code_field>": code, "<count_field>": n}...], by code; an empty code leaves its field out.
rapidjson::Value counts(const std::map<std::string, std::uint64_t>& by_code, const char* code_field,
                        const char* count_field, Allocator& allocator) {
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& [code, n] : by_code) {
    rapidjson::Value entry(rapidjson::kObjectType);
    if (!code.empty()) entry.AddMember(rapidjson::StringRef(code_field), text(code, allocator), allocator);
    entry.AddMember(rapidjson::StringRef(count_field), n, allocator);
    list.PushBack(entry, allocator);
  }
  return list;
}

}  // namespace

void Aggregates::count_place(const PlaceIdentity& place) {
  if (!places_seen_.insert(place.key()).second) return;
  ++places_[{place.place_type, place.jurisdiction}];
}

void Aggregates::count_visit(const std::optional<PlaceIdentity>& place,
                             const std::vector<std::string>& members, bool joint) {
  ++visits_;
  if (joint) ++joint_visits_;
  for (const std::string& member : members) ++visits_by_member_[member];
  if (!place) {
    ++visits_unresolved_;
    return;
  }
  ++visits_by_place_type_[place->place_type];
  ++visits_by_jurisdiction_[place->jurisdiction];
}

void Aggregates::count_recommendation(const rapidjson::Value& recommendation) {
  ++recommendations_;
  ++recommendations_by_theme_[code_of(recommendation, "theme")];
  ++recommendations_by_status_[code_of(recommendation, "status")];
}

void Aggregates::count_population(const std::optional<PlaceIdentity>& place,
                                  const rapidjson::Value& population) {
  if (!place) {
    ++populations_unresolved_;
    return;
  }
  const std::string date = code_of(population, "date");
  const auto detained = population.FindMember("detained");
  if (detained == population.MemberEnd() || !detained->value.IsUint64()) return;
  auto [it, added] = latest_population_.try_emplace(place->key());
  if (!added && date <= it->second.date) return;
  it->second = {date, detained->value.GetUint64(), {place->place_type, place->jurisdiction}};
}

rapidjson::Document Aggregates::to_json() const {
  rapidjson::Document json(rapidjson::kObjectType);
  Allocator& allocator = json.GetAllocator();

  rapidjson::Value places(rapidjson::kObjectType);
  places.AddMember("total", static_cast<std::uint64_t>(places_seen_.size()), allocator);
  rapidjson::Value places_by(rapidjson::kArrayType);
  for (const auto& [where, n] : places_) {
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("place_type", text(where.first, allocator), allocator);
    entry.AddMember("jurisdiction", text(where.second, allocator), allocator);
    entry.AddMember("places", n, allocator);
    places_by.PushBack(entry, allocator);
  }
  places.AddMember("by_type_and_jurisdiction", places_by, allocator);
  json.AddMember("places", places, allocator);

  struct Detained {
    std::uint64_t persons = 0;
    std::uint64_t places = 0;
  };
  std::map<TypeAndJurisdiction, Detained> detained_by;
  std::uint64_t detained_total = 0;
  for (const auto& [place, population] : latest_population_) {
    Detained& d = detained_by[population.where];
    d.persons += population.detained;
    ++d.places;
    detained_total += population.detained;
  }
  rapidjson::Value detained(rapidjson::kObjectType);
  detained.AddMember("total", detained_total, allocator);
  detained.AddMember("places_reporting", static_cast<std::uint64_t>(latest_population_.size()),
                     allocator);
  detained.AddMember("records_without_known_place", populations_unresolved_, allocator);
  rapidjson::Value detained_list(rapidjson::kArrayType);
  for (const auto& [where, d] : detained_by) {
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("place_type", text(where.first, allocator), allocator);
    entry.AddMember("jurisdiction", text(where.second, allocator), allocator);
    entry.AddMember("persons_detained", d.persons, allocator);
    entry.AddMember("places_reporting", d.places, allocator);
    detained_list.PushBack(entry, allocator);
  }
  detained.AddMember("by_type_and_jurisdiction", detained_list, allocator);
  json.AddMember("persons_detained", detained, allocator);

  rapidjson::Value visits(rapidjson::kObjectType);
  visits.AddMember("total", visits_, allocator);
  visits.AddMember("joint", joint_visits_, allocator);
  visits.AddMember("without_known_place", visits_unresolved_, allocator);
  visits.AddMember("by_member", counts(visits_by_member_, "member", "visits", allocator), allocator);
  visits.AddMember("by_place_type", counts(visits_by_place_type_, "place_type", "visits", allocator),
                   allocator);
  visits.AddMember("by_jurisdiction",
                   counts(visits_by_jurisdiction_, "jurisdiction", "visits", allocator), allocator);
  json.AddMember("visits", visits, allocator);

  rapidjson::Value recommendations(rapidjson::kObjectType);
  recommendations.AddMember("total", recommendations_, allocator);
  recommendations.AddMember(
      "by_theme", counts(recommendations_by_theme_, "theme", "recommendations", allocator), allocator);
  recommendations.AddMember(
      "by_status", counts(recommendations_by_status_, "status", "recommendations", allocator),
      allocator);
  json.AddMember("recommendations", recommendations, allocator);
  return json;
}

}  // namespace opcat::consolidation
