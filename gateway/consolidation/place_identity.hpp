// Which physical place a record means. Place ids are member-scoped ("hmip:PNF", "imb:PNF"), and
// some members name a place instead of giving an id, so the same prison reached through two
// members has two ids: across members a place is known by its normalised name, its place_type
// and its jurisdiction.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace opcat::consolidation {

struct PlaceIdentity {
  std::string name_key;  // normalised name (normalised_place_name)
  std::string place_type;
  std::string jurisdiction;

  // One text for maps and sets: "<name_key>|<place_type>|<jurisdiction>".
  std::string key() const { return name_key + "|" + place_type + "|" + jurisdiction; }
};

// Lower case, every run of characters other than ASCII letters and digits made one space, "&"
// read as "and", no space at either end: "HMP  Penmorfa" and "hmp penmorfa." are one place.
// Spelling variants beyond that ("HMP X" against "X Prison") are not guessed at.
std::string normalised_place_name(std::string_view name);

// The places of the period's members, by place_id, as the place records describe them.
class PlaceDirectory {
 public:
  // A place record; keeps its body to be written out later if anything refers to it.
  void add(const rapidjson::Value& place, std::string body, std::string submission_id);

  // What a place reference ({place_id} or {name, place_type, jurisdiction}) means; nullopt for
  // a place_id no current place record describes.
  std::optional<PlaceIdentity> resolve(const rapidjson::Value& place_ref) const;

  // Marks the place of an id reference as referred to (a name reference has no record).
  void mark_referenced(const rapidjson::Value& place_ref);

  struct Entry {
    PlaceIdentity identity;
    std::string body;
    std::string submission_id;
    bool referenced = false;
  };
  // By place_id, hence by member and then id: the order places are written in.
  const std::map<std::string, Entry, std::less<>>& entries() const { return places_; }

 private:
  std::map<std::string, Entry, std::less<>> places_;
};

}  // namespace opcat::consolidation
