// The figures OPCAT Art. 20(a) asks a State to give the SPT and the NPM: how many places of
// deprivation of liberty there are and where, how many persons are deprived of liberty, and what
// the visiting bodies did (visits, recommendations). Counted as the records stream past, in
// memory bounded by the number of places and codes, never by records.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gateway/consolidation/place_identity.hpp"

namespace opcat::consolidation {

class Aggregates {
 public:
  // A place in the period: a place record something refers to, or a place named in a reference.
  // Places are counted once per PlaceIdentity, however many members report them.
  void count_place(const PlaceIdentity& place);
  // One visit as consolidated (a joint visit once), credited to every member that took part.
  void count_visit(const std::optional<PlaceIdentity>& place, const std::vector<std::string>& members,
                   bool joint);
  void count_recommendation(const rapidjson::Value& recommendation);
  // Persons detained: a place's most recent population record in the period counts (records
  // come in date order, so a later one replaces an earlier; on the same day, the first member
  // in code order stands).
  void count_population(const std::optional<PlaceIdentity>& place, const rapidjson::Value& population);

  // {"places": ..., "persons_detained": ..., "visits": ..., "recommendations": ...}; every list
  // sorted by its codes.
  rapidjson::Document to_json() const;

 private:
  using TypeAndJurisdiction = std::pair<std::string, std::string>;
  struct Population {
    std::string date;
    std::uint64_t detained = 0;
    TypeAndJurisdiction where;
  };

  std::set<std::string> places_seen_;
  std::map<TypeAndJurisdiction, std::uint64_t> places_;
  std::map<std::string, Population> latest_population_;  // by PlaceIdentity::key()
  std::uint64_t populations_unresolved_ = 0;
  std::uint64_t visits_ = 0;
  std::uint64_t joint_visits_ = 0;
  std::uint64_t visits_unresolved_ = 0;
  std::map<std::string, std::uint64_t> visits_by_member_;
  std::map<std::string, std::uint64_t> visits_by_place_type_;
  std::map<std::string, std::uint64_t> visits_by_jurisdiction_;
  std::uint64_t recommendations_ = 0;
  // Keyed by code; "" for a recommendation that gives none (written without the field).
  std::map<std::string, std::uint64_t> recommendations_by_theme_;
  std::map<std::string, std::uint64_t> recommendations_by_status_;
};

}  // namespace opcat::consolidation
